#pragma once
// The workbench's main window: an experiment file is always open; the run form on the left,
// the live run view and the runs table on the right; training on a worker thread.
#include <QMainWindow>

#include <memory>

class QFrame;
class QLineEdit;
class QMenu;
class QSortFilterProxyModel;
class QSplitter;
class QTabWidget;
class QTableView;
class QThread;

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
    bool isTraining() const { return training_; }

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
    QThread* thread_;
    TrainingWorker* worker_;
    bool training_ = false;
};

} // namespace adapterlab::ui
