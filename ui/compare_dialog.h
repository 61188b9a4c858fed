#pragma once
// Several runs side by side: their settings (differences highlighted) and loss curves overlaid.
#include "store/store.h"

#include <QDialog>

class QCustomPlot;
class QTableWidget;

namespace adapterlab::ui {

class CompareDialog : public QDialog {
    Q_OBJECT
public:
    CompareDialog(store::Store& store, const std::vector<int64_t>& runIds, QWidget* parent = nullptr);

    QTableWidget* table() const { return table_; }
    QCustomPlot* plot() const { return plot_; }
    /// Setting names whose values differ between the runs.
    QStringList differences() const { return differences_; }

private:
    QTableWidget* table_;
    QCustomPlot* plot_;
    QStringList differences_;
};

} // namespace adapterlab::ui
