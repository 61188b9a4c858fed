#pragma once
// The layer-ablation heatmap of one adapter run: rows = first ablated layer, columns = last
// ablated layer, colour = drop of the metric (or the metric itself); empty where first > last.
// "Compute ablation" runs it on the view's own worker thread, which the view cancels and waits
// for when it closes or is destroyed.
#include "store/store.h"
#include "worker_thread.h"

#include <QPointer>
#include <QWidget>

class QComboBox;
class QCustomPlot;
class QCPColorMap;
class QLabel;
class QMouseEvent;
class QPushButton;

namespace adapterlab::ui {

class AblationWorker;

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
    /// The run whose ablation is being computed; 0 when none.
    qint64 computingRun() const { return computing_; }
    /// Asks the running computation to stop after its current batch; it stores nothing.
    void cancelComputing();
    /// Cancels the computation and waits for the worker's thread to end; afterwards the view
    /// computes nothing (for closing the window).
    void stopWorker();

    bool exportPng(const QString& path);
    bool exportPdf(const QString& path);
    bool exportCsv(const QString& path) const;

Q_SIGNALS:
    /// The background computation stored a new matrix for this run.
    void computed(qint64 runId);
    void failed(const QString& error);
    /// The computation was cancelled: nothing stored, the run keeps the matrix it had.
    void cancelled(qint64 runId);

private:
    void redraw();
    void computeInBackground();
    void endJob();
    void updateButton();
    void onMove(QMouseEvent* e);

    QString dbPath_;
    store::RunRecord run_;
    std::vector<store::AblationRow> rows_;
    QLabel* title_;
    QComboBox* mode_;
    QPushButton* compute_;
    QCustomPlot* plot_;
    QCPColorMap* map_ = nullptr;
    bool ablatable_ = false; ///< run_ is a finished adapter run
    qint64 computing_ = 0;
    WorkerThread thread_;
    QPointer<AblationWorker> worker_; ///< null once the thread has stopped
};

} // namespace adapterlab::ui
