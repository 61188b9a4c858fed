#pragma once
// The layer-ablation heatmap of one adapter run: rows = first ablated layer, columns = last
// ablated layer, colour = drop of the metric (or the metric itself); empty where first > last.
// "Compute ablation" runs it in the background when the run has none yet.
#include "store/store.h"

#include <QWidget>

class QComboBox;
class QCustomPlot;
class QCPColorMap;
class QLabel;
class QMouseEvent;
class QPushButton;

namespace adapterlab::ui {

class AblationView : public QWidget {
    Q_OBJECT
public:
    explicit AblationView(QWidget* parent = nullptr);

    /// Shows `run` of the experiment file at `dbPath`; `rows` is its stored matrix (may be empty).
    void setRun(const QString& dbPath, const store::RunRecord& run, const std::vector<store::AblationRow>& rows);
    QCustomPlot* plot() const { return plot_; }
    QPushButton* computeButton() const { return compute_; }
    QComboBox* modeSelector() const { return mode_; }
    /// The value drawn in cell (first, last); NaN where empty.
    double cellValue(int first, int last) const;

    bool exportPng(const QString& path);
    bool exportPdf(const QString& path);
    bool exportCsv(const QString& path) const;

Q_SIGNALS:
    /// The background computation stored a new matrix for this run.
    void computed(qint64 runId);
    void failed(const QString& error);

private:
    void redraw();
    void computeInBackground();
    void onMove(QMouseEvent* e);

    QString dbPath_;
    store::RunRecord run_;
    std::vector<store::AblationRow> rows_;
    QLabel* title_;
    QComboBox* mode_;
    QPushButton* compute_;
    QCustomPlot* plot_;
    QCPColorMap* map_ = nullptr;
};

} // namespace adapterlab::ui
