#pragma once
// Plot-ready tables as interactive plots: the parameter/performance trade-off (trainable
// parameters on a log axis, one series per method, mean ± std over seeds), the init-robustness
// curve (σ on a log axis) and the adapter-size curve. Hover shows a point's settings, a click
// selects its run; PNG, PDF and CSV export.
#include "experiments/results.h"

#include <QWidget>

class QComboBox;
class QCustomPlot;
class QMouseEvent;

namespace adapterlab::ui {

class ResultPlot : public QWidget {
    Q_OBJECT
public:
    explicit ResultPlot(experiments::Table table, QWidget* parent = nullptr);

    /// Recomputes from the runs (keeps the selected task when it still exists).
    void setRuns(const std::vector<store::RunRecord>& runs);
    QCustomPlot* plot() const { return plot_; }
    QComboBox* taskSelector() const { return task_; }
    const std::vector<experiments::ResultRow>& rows() const { return rows_; }

    bool exportPng(const QString& path);
    bool exportPdf(const QString& path);
    bool exportCsv(const QString& path) const;

Q_SIGNALS:
    void runSelected(qint64 runId);

private:
    void rebuild();
    double xOf(const experiments::ResultRow& r) const;
    /// Index into rows_ of the point under the mouse, or -1.
    int pointAt(const QPoint& pos) const;
    void onMove(QMouseEvent* e);
    void onClick(QMouseEvent* e);

    experiments::Table table_;
    std::vector<store::RunRecord> runs_;
    std::vector<experiments::ResultRow> rows_;
    QComboBox* task_;
    QCustomPlot* plot_;
};

} // namespace adapterlab::ui
