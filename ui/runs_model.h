#pragma once
// The runs of an experiment file as a Qt table model (sortable and filterable via a proxy).
#include "store/store.h"

#include <QAbstractTableModel>

#include <vector>

namespace adapterlab::ui {

class RunsModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column {
        Id,
        Task,
        Method,
        Size,
        InitStd,
        LearningRate,
        Epochs,
        Seed,
        TrainSize,
        Trainable,
        Best,
        Status,
        Duration,
        Tags,
        ColumnCount
    };

    explicit RunsModel(QObject* parent = nullptr);

    /// Replaces the rows (the caller queried the store once).
    void reload(std::vector<store::RunRecord> runs);
    const store::RunRecord& run(int row) const { return runs_.at(static_cast<size_t>(row)); }
    int rowOfRun(int64_t id) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation o, int role = Qt::DisplayRole) const override;

private:
    std::vector<store::RunRecord> runs_;
};

} // namespace adapterlab::ui
