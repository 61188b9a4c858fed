#pragma once
// The workbench's main window: an experiment file is always open; the run form on the left,
// the live run view and the runs table on the right; training on a worker thread.
#include "worker_thread.h"

#include <QMainWindow>
#include <QStringList>

#include <memory>

class QFrame;
class QLineEdit;
class QMenu;
class QSortFilterProxyModel;
class QSplitter;
class QTabWidget;
class QTableView;

namespace adapterlab::experiments {
struct SweepPlan;
}

namespace adapterlab::store {
class Store;
}

namespace adapterlab::ui {

class AblationView;
class ResultPlot;
class RunForm;
class RunView;
class RunsModel;
class TrainingWorker;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    /// Opens `experimentFile`, or the last one used, or the default one in the data directory.
    explicit MainWindow(const QString& experimentFile = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    /// One line naming the engine: LibTorch version, threads and device in use.
    static QString engineSummary();
    static QString defaultExperimentFile();

    bool openExperiment(const QString& path);
    /// The About box: version, LibTorch version, device in use, license.
    static QString aboutText();
    QString experimentPath() const;
    /// The training worker runs a run, a resume or a sweep.
    bool isTraining() const { return training_; }
    /// What runs in the background (training, sweep, ablation, pre-training), one phrase
    /// each; empty when nothing does. Closing the window stops all of it.
    QStringList runningJobs() const;
    bool isBusy() const { return !runningJobs().isEmpty(); }

    RunForm* form() const { return form_; }
    RunView* runView() const { return runView_; }
    RunsModel* runsModel() const { return runs_; }
    QTableView* runsTable() const { return table_; }
    TrainingWorker* worker() const { return worker_; }
    ResultPlot* tradeoffPlot() const { return tradeoff_; }
    ResultPlot* robustnessPlot() const { return robustness_; }
    ResultPlot* sizePlot() const { return size_; }
    AblationView* ablationView() const { return ablation_; }
    QTabWidget* tabs() const { return tabs_; }
    /// Selects a run in the table and shows it in the ablation view.
    void selectRun(qint64 runId);
    /// Creates the sweep in the experiment file and runs it on the worker; returns its id (0 if not started).
    qint64 startSweep(const experiments::SweepPlan& plan);
    void resumeSweep(qint64 sweepId);
    /// Continues an interrupted, cancelled or failed run from its last epoch checkpoint.
    void resumeRun(qint64 runId);
    /// Deletes runs; with `ask`, only after the user confirms.
    bool deleteRuns(const std::vector<int64_t>& ids, bool ask = true);
    /// Runs selected in the table (in table order).
    std::vector<int64_t> selectedRuns() const;
    /// Median seconds per epoch of finished runs on `backbone` (0 when none).
    double secondsPerEpoch(const std::string& backbone) const;

Q_SIGNALS:
    void trainingFinished(qint64 runId, const QString& status);
    void sweepFinished(qint64 sweepId, const QString& status);

protected:
    void closeEvent(QCloseEvent* e) override;

private:
    void buildMenus();
    void refreshRecent();
    void reloadRuns();
    void launch();
    void showRun(const QModelIndex& proxyIndex);
    void showUserGuide();
    void showPretrainDialog();
    void updateBackboneBanner();
    void showAbout();
    void newSweepDialog();
    void resumeSweepDialog();
    void compareSelected();
    void editNotes();
    /// Cancels every job and waits for each worker (the current batch at most); for closing:
    /// afterwards the workers are gone and nothing more starts.
    void stopJobs();

    std::unique_ptr<store::Store> store_;
    RunForm* form_;
    QFrame* backboneBanner_;
    RunView* runView_;
    RunsModel* runs_;
    QSortFilterProxyModel* proxy_;
    QTableView* table_;
    QLineEdit* filter_;
    QTabWidget* tabs_;
    QSplitter* splitter_;
    ResultPlot *tradeoff_, *robustness_, *size_;
    AblationView* ablation_;
    QMenu* recentMenu_ = nullptr;
    WorkerThread thread_;
    TrainingWorker* worker_ = nullptr; ///< null once thread_ has stopped
    bool training_ = false;
    QString trainingJob_; ///< what training_ is busy with, when more than "a training run"
};

} // namespace adapterlab::ui
