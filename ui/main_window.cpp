#include "main_window.h"

#include "ablation_view.h"
#include "compare_dialog.h"
#include "experiments/sweep.h"
#include "model/config.h"
#include "sweep_dialog.h"
#include "engine_info.h"
#include "result_plot.h"
#include "run_form.h"
#include "run_view.h"
#include "runs_model.h"
#include "store/store.h"
#include "training_worker.h"
#include "user_guide.h"
#include "pretrain_dialog.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QFrame>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace adapterlab::ui {

MainWindow::MainWindow(const QString& experimentFile, QWidget* parent) : QMainWindow(parent) {
    setObjectName("MainWindow");
    qRegisterMetaType<adapterlab::train::RunConfig>();

    form_ = new RunForm;
    runView_ = new RunView;
    runs_ = new RunsModel(this);
    proxy_ = new QSortFilterProxyModel(this);
    proxy_->setSourceModel(runs_);
    proxy_->setSortRole(Qt::UserRole);
    proxy_->setFilterCaseSensitivity(Qt::CaseInsensitive);
    proxy_->setFilterKeyColumn(-1); // any column
    table_ = new QTableView;
    table_->setObjectName("runsTable");
    table_->setModel(proxy_);
    table_->setSortingEnabled(true);
    table_->sortByColumn(RunsModel::Id, Qt::DescendingOrder);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->horizontalHeader()->setStretchLastSection(true);
    table_->verticalHeader()->hide();
    filter_ = new QLineEdit;
    filter_->setPlaceholderText(tr("Filter runs (any column)…"));
    connect(filter_, &QLineEdit::textChanged, proxy_, &QSortFilterProxyModel::setFilterFixedString);
    table_->setSelectionMode(QAbstractItemView::ExtendedSelection);
    auto* compare = new QPushButton(tr("Compare"));
    auto* notes = new QPushButton(tr("Notes && tags…"));
    auto* remove = new QPushButton(tr("Delete…"));
    auto* resume = new QPushButton(tr("Resume"));
    resume->setObjectName("resumeButton");
    resume->setToolTip(tr("Continue the selected interrupted, cancelled or failed run from its last epoch"));
    connect(resume, &QPushButton::clicked, this, [this] {
        const auto ids = selectedRuns();
        if (ids.size() == 1) resumeRun(ids.front());
    });
    connect(compare, &QPushButton::clicked, this, &MainWindow::compareSelected);
    connect(notes, &QPushButton::clicked, this, &MainWindow::editNotes);
    connect(remove, &QPushButton::clicked, this, [this] { deleteRuns(selectedRuns(), true); });
    // Filter on any column or on one.
    auto* filterColumn = new QComboBox;
    filterColumn->setObjectName("filterColumn");
    filterColumn->addItem(tr("All columns"), -1);
    for (int c = 0; c < RunsModel::ColumnCount; ++c) filterColumn->addItem(runs_->headerData(c, Qt::Horizontal).toString(), c);
    connect(filterColumn, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this, filterColumn](int) { proxy_->setFilterKeyColumn(filterColumn->currentData().toInt()); });
    auto* runsBar = new QHBoxLayout;
    runsBar->addWidget(filter_, 1);
    runsBar->addWidget(filterColumn);
    for (auto* b : {resume, compare, notes, remove}) runsBar->addWidget(b);
    auto* runsPage = new QWidget;
    auto* runsLayout = new QVBoxLayout(runsPage);
    runsLayout->addLayout(runsBar);
    runsLayout->addWidget(table_);

    tabs_ = new QTabWidget;
    tabs_->addTab(runView_, tr("Run"));
    tabs_->addTab(runsPage, tr("Runs"));
    tradeoff_ = new ResultPlot(experiments::Table::Tradeoff);
    robustness_ = new ResultPlot(experiments::Table::Robustness);
    size_ = new ResultPlot(experiments::Table::Size);
    ablation_ = new AblationView;
    tabs_->addTab(tradeoff_, tr("Trade-off"));
    tabs_->addTab(ablation_, tr("Ablation"));
    tabs_->addTab(robustness_, tr("Init robustness"));
    tabs_->addTab(size_, tr("Adapter size"));
    for (auto* p : {tradeoff_, robustness_, size_}) connect(p, &ResultPlot::runSelected, this, &MainWindow::selectRun);
    connect(ablation_, &AblationView::computed, this, [this](qint64 id) {
        reloadRuns();
        selectRun(id);
    });
    splitter_ = new QSplitter;
    // Until a backbone is known, a banner offers to build one offline (or to choose a folder).
    backboneBanner_ = new QFrame;
    backboneBanner_->setObjectName("backboneBanner");
    backboneBanner_->setFrameShape(QFrame::StyledPanel);
    backboneBanner_->setStyleSheet("#backboneBanner { background: #fff4d6; }");
    auto* bannerText =
        new QLabel(tr("<b>No backbone yet.</b> Adapters need a pre-trained encoder (BERT, "
                      "RoBERTa, XLM-R, ELECTRA, DistilBERT): download one from the Hugging Face "
                      "Hub, choose a folder, or build a small "
                      "one offline."));
    bannerText->setWordWrap(true);
    auto* buildButton = new QPushButton(tr("Build one offline…"));
    buildButton->setObjectName("buildBackbone");
    connect(buildButton, &QPushButton::clicked, this, &MainWindow::showPretrainDialog);
    auto* hubButton = new QPushButton(tr("Download from Hugging Face…"));
    hubButton->setObjectName("bannerDownload");
    connect(hubButton, &QPushButton::clicked, form_, &RunForm::downloadFromHub);
    auto* bannerLayout = new QVBoxLayout(backboneBanner_);
    bannerLayout->addWidget(bannerText);
    auto* bannerButtons = new QHBoxLayout;
    bannerButtons->addStretch(1);
    bannerButtons->addWidget(hubButton);
    bannerButtons->addWidget(buildButton);
    bannerLayout->addLayout(bannerButtons);
    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(backboneBanner_);
    leftLayout->addWidget(form_, 1);
    splitter_->addWidget(left);
    splitter_->addWidget(tabs_);
    splitter_->setStretchFactor(1, 1);
    setCentralWidget(splitter_);
    statusBar()->addPermanentWidget(new QLabel(engineSummary()));

    worker_ = thread_.start(new TrainingWorker);
    connect(worker_, &TrainingWorker::stepped, runView_, &RunView::onStep);
    connect(worker_, &TrainingWorker::evaluated, runView_, &RunView::onEval);
    connect(worker_, &TrainingWorker::done, runView_, &RunView::onDone);
    connect(worker_, &TrainingWorker::started, this, &MainWindow::reloadRuns);
    connect(worker_, &TrainingWorker::done, this, [this](qint64 id, const QString& status, const QString& error) {
        training_ = false;
        trainingJob_.clear();
        form_->setRunning(false);
        reloadRuns();
        if (!error.isEmpty()) statusBar()->showMessage(tr("Run failed: %1").arg(error), 10000);
        Q_EMIT trainingFinished(id, status);
    });
    connect(form_, &RunForm::launchRequested, this, &MainWindow::launch);
    connect(worker_, &TrainingWorker::sweepProgress, this, [this](int done, int total, qint64) {
        statusBar()->showMessage(tr("Sweep: %1 of %2 runs done").arg(done).arg(total));
        reloadRuns();
        if (done < total) runView_->reset(tr("Sweep: run %1 of %2").arg(done + 1).arg(total));
    });
    connect(worker_, &TrainingWorker::sweepDone, this, [this](qint64 id, const QString& status) {
        training_ = false;
        trainingJob_.clear();
        form_->setRunning(false);
        reloadRuns();
        statusBar()->showMessage(tr("Sweep %1 %2").arg(id).arg(status), 10000);
        Q_EMIT sweepFinished(id, status);
    });
    connect(runView_->cancelButton(), &QPushButton::clicked, this, [this] {
        if (worker_) worker_->cancel();
    });
    connect(table_, &QTableView::doubleClicked, this, &MainWindow::showRun);
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& current) {
        if (!current.isValid() || !store_) return;
        const auto& r = runs_->run(proxy_->mapToSource(current).row());
        ablation_->setRun(experimentPath(), r, store_->ablation(r.id));
    });

    buildMenus();
    QSettings settings;
    restoreGeometry(settings.value("window/geometry").toByteArray());
    splitter_->restoreState(settings.value("window/splitter").toByteArray());
    form_->loadSettings(settings);
    updateBackboneBanner();
    connect(form_->backbone, &QLineEdit::textChanged, this, &MainWindow::updateBackboneBanner);
    if (!settings.contains("window/geometry")) resize(1200, 760);
    QString path = experimentFile;
    if (path.isEmpty()) path = settings.value("experiment/last").toString();
    if (path.isEmpty()) path = defaultExperimentFile();
    if (!openExperiment(path) && path != defaultExperimentFile()) openExperiment(defaultExperimentFile());
}

MainWindow::~MainWindow() { stopJobs(); }

QStringList MainWindow::runningJobs() const {
    QStringList jobs;
    if (training_) jobs << (trainingJob_.isEmpty() ? tr("a training run") : trainingJob_);
    if (const qint64 id = ablation_->computingRun()) jobs << tr("the ablation of run %1").arg(id);
    for (const auto* d : findChildren<PretrainDialog*>())
        if (d->isRunning()) jobs << tr("the pre-training of a backbone");
    return jobs;
}

void MainWindow::stopJobs() {
    // Every job is told first, so they wind down together; then each worker is waited for.
    if (worker_) worker_->cancel();
    ablation_->cancelComputing();
    for (auto* d : findChildren<PretrainDialog*>())
        d->stopWorker();
    ablation_->stopWorker();
    thread_.stop();
    worker_ = nullptr; // deleted on its thread as the thread ended
    training_ = false;
    trainingJob_.clear();
}

QString MainWindow::defaultExperimentFile() {
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QDir().mkpath(dir);
    return QDir(dir).filePath("experiments.alab");
}

QString MainWindow::experimentPath() const {
    return store_ ? QString::fromStdString(store_->path()) : QString();
}

bool MainWindow::openExperiment(const QString& path) {
    // A running job writes to the open file and reports its runs by id: it finishes first.
    if (isBusy()) {
        statusBar()->showMessage(
            tr("Busy with %1: another experiment file opens when it is done")
                .arg(runningJobs().join(", ")),
            10000);
        return false;
    }
    try {
        auto s = std::make_unique<store::Store>(path.toStdString());
        s->markInterrupted();
        store_ = std::move(s);
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Cannot open experiment file"), QString::fromUtf8(e.what()));
        return false;
    }
    setWindowTitle(tr("%1 — AdapterLab").arg(QFileInfo(path).fileName()));
    QSettings settings;
    settings.setValue("experiment/last", path);
    QStringList recent = settings.value("experiment/recent").toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    settings.setValue("experiment/recent", recent.mid(0, 8));
    refreshRecent();
    reloadRuns();
    if (!store_->writable()) statusBar()->showMessage(tr("Read-only experiment file: browsing only"));
    return true;
}

void MainWindow::buildMenus() {
    auto* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&New experiment file…"), QKeySequence::New, this, [this] {
        const QString p = QFileDialog::getSaveFileName(this, tr("New experiment file"), {}, tr("AdapterLab experiments (*.alab)"));
        if (!p.isEmpty()) openExperiment(p.endsWith(".alab") ? p : p + ".alab");
    });
    file->addAction(tr("&Open…"), QKeySequence::Open, this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Open experiment file"), {}, tr("AdapterLab experiments (*.alab);;All files (*)"));
        if (!p.isEmpty()) openExperiment(p);
    });
    recentMenu_ = file->addMenu(tr("Open &recent"));
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
    auto* experiments = menuBar()->addMenu(tr("&Experiments"));
    experiments->addAction(tr("New &sweep…"), this, &MainWindow::newSweepDialog);
    experiments->addAction(tr("&Resume sweep…"), this, &MainWindow::resumeSweepDialog);
    experiments->addSeparator();
    experiments->addAction(tr("Build offline &backbone…"), this, &MainWindow::showPretrainDialog);
    auto* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&User guide"), QKeySequence::HelpContents, this, &MainWindow::showUserGuide);
    help->addAction(tr("&About AdapterLab"), this, &MainWindow::showAbout);
}

void MainWindow::refreshRecent() {
    if (!recentMenu_) return;
    recentMenu_->clear();
    for (const QString& p : QSettings().value("experiment/recent").toStringList())
        recentMenu_->addAction(p, this, [this, p] { openExperiment(p); });
}

void MainWindow::reloadRuns() {
    if (!store_) return;
    auto all = store_->runs();
    for (auto* p : {tradeoff_, robustness_, size_}) p->setRuns(all);
    runs_->reload(std::move(all));
}

void MainWindow::selectRun(qint64 runId) {
    const int row = runs_->rowOfRun(runId);
    if (row < 0) return;
    const QModelIndex index = proxy_->mapFromSource(runs_->index(row, 0));
    table_->setCurrentIndex(index);
    table_->scrollTo(index);
}

void MainWindow::launch() {
    if (training_ || !store_ || !worker_) return; // no worker: the window has stopped its jobs
    if (!store_->writable()) {
        QMessageBox::warning(this, tr("Read-only"), tr("This experiment file is read-only: training is not possible."));
        return;
    }
    const auto cfg = form_->config();
    if (!cfg) return;
    training_ = true;
    form_->setRunning(true);
    // "Adapters (Houlsby) m=64", "Top-k layers k=3", "Full fine-tuning"
    const std::string knob = train::knobText(*cfg);
    const std::string what =
        train::methodInfo(cfg->method.method).name + (knob.empty() ? "" : " " + knob);
    runView_->reset(tr("%1 · %2 on %3")
                        .arg(QString::fromStdString(what), QString::fromStdString(cfg->task),
                             QString::fromStdString(cfg->backbone)));
    tabs_->setCurrentWidget(runView_);
    worker_->arm();
    QMetaObject::invokeMethod(worker_, "train", Qt::QueuedConnection, Q_ARG(adapterlab::train::RunConfig, *cfg),
                              Q_ARG(QString, experimentPath()));
}

void MainWindow::showRun(const QModelIndex& proxyIndex) {
    if (!store_) return;
    if (training_) {
        statusBar()->showMessage(tr("The run view follows %1; open stored runs when it is over.")
                                     .arg(runningJobs().front()),
                                 5000);
        return;
    }
    const auto& r = runs_->run(proxy_->mapToSource(proxyIndex).row());
    QVector<double> steps, losses, evalSteps, scores;
    for (const auto& s : store_->steps(r.id)) {
        steps << static_cast<double>(s.step);
        losses << s.loss;
    }
    for (const auto& e : store_->evals(r.id)) {
        evalSteps << static_cast<double>(e.step);
        scores << e.score;
    }
    runView_->showCurves(tr("run %1 · %2 · %3")
                             .arg(r.id)
                             .arg(QString::fromLatin1(train::toString(r.config.method.method)),
                                  QString::fromLatin1(store::toString(r.status))),
                         steps, losses, evalSteps, scores);
    tabs_->setCurrentWidget(runView_);
}

std::vector<int64_t> MainWindow::selectedRuns() const {
    std::vector<int64_t> ids;
    for (const QModelIndex& i : table_->selectionModel()->selectedRows())
        ids.push_back(runs_->run(proxy_->mapToSource(i).row()).id);
    return ids;
}

double MainWindow::secondsPerEpoch(const std::string& backbone) const {
    std::vector<double> perEpoch;
    for (const auto& r : store_->runs())
        if (r.status == store::RunStatus::Finished && r.config.backbone == backbone &&
            r.config.epochs > 0)
            perEpoch.push_back(r.durationSeconds / static_cast<double>(r.config.epochs));
    if (perEpoch.empty()) return 0;
    std::sort(perEpoch.begin(), perEpoch.end());
    return perEpoch[perEpoch.size() / 2];
}

qint64 MainWindow::startSweep(const experiments::SweepPlan& plan) {
    if (training_ || !store_ || !store_->writable()) return 0;
    qint64 id = 0;
    try {
        id = experiments::createSweep(*store_, plan);
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Cannot create the sweep"), QString::fromUtf8(e.what()));
        return 0;
    }
    resumeSweep(id);
    return id;
}

void MainWindow::resumeSweep(qint64 sweepId) {
    if (training_ || !worker_) return;
    training_ = true;
    trainingJob_ = tr("sweep %1").arg(sweepId);
    form_->setRunning(true);
    reloadRuns();
    runView_->reset(tr("Sweep %1").arg(sweepId));
    tabs_->setCurrentWidget(runView_);
    worker_->arm();
    QMetaObject::invokeMethod(worker_, "sweep", Qt::QueuedConnection, Q_ARG(qint64, sweepId), Q_ARG(QString, experimentPath()));
}

void MainWindow::resumeRun(qint64 runId) {
    if (training_ || !store_ || !worker_) return;
    using store::RunStatus;
    const auto status = store_->run(runId).status;
    if (status != RunStatus::Interrupted && status != RunStatus::Cancelled &&
        status != RunStatus::Failed) {
        statusBar()->showMessage(
            tr("Run %1 is %2: only interrupted, cancelled or failed runs resume")
                .arg(runId)
                .arg(QString::fromLatin1(store::toString(status))),
            10000);
        return;
    }
    training_ = true;
    trainingJob_ = tr("resuming run %1").arg(runId);
    form_->setRunning(true);
    const bool fromCheckpoint = QFileInfo::exists(QString::fromStdString(store_->checkpointPath(runId)));
    runView_->reset(fromCheckpoint ? tr("Run %1, resumed from its last epoch").arg(runId)
                                   : tr("Run %1, started over (it has no epoch checkpoint)").arg(runId));
    tabs_->setCurrentWidget(runView_);
    worker_->arm();
    QMetaObject::invokeMethod(worker_, "resume", Qt::QueuedConnection, Q_ARG(qint64, runId),
                              Q_ARG(QString, experimentPath()));
}

void MainWindow::showPretrainDialog() {
    auto* dialog = findChild<PretrainDialog*>();
    if (!dialog) {
        dialog = new PretrainDialog(this);
        connect(dialog, &PretrainDialog::built, this, [this](const QString& folder) {
            RunForm::rememberBackbone(folder);
            if (form_->backbone->text().trimmed().isEmpty()) form_->backbone->setText(folder);
            updateBackboneBanner();
            statusBar()->showMessage(tr("Backbone ready: %1").arg(folder), 10000);
        });
    }
    dialog->setTask(form_->task->text());
    dialog->show();
    dialog->raise();
}

void MainWindow::updateBackboneBanner() {
    backboneBanner_->setVisible(RunForm::knownBackbones().isEmpty() && form_->backbone->text().trimmed().isEmpty());
}

void MainWindow::newSweepDialog() {
    const auto cfg = form_->config();
    if (!cfg) {
        QMessageBox::information(this, tr("New sweep"), tr("Fill in the run form first: it is the base of the sweep.\n%1").arg(form_->error()));
        return;
    }
    const auto layers = model::BertConfig::fromFile(QDir(QString::fromStdString(cfg->backbone)).filePath("config.json").toStdString()).numLayers;
    SweepDialog dialog(*cfg, static_cast<int>(layers), secondsPerEpoch(cfg->backbone), this);
    if (dialog.exec() == QDialog::Accepted && dialog.plan()) startSweep(*dialog.plan());
}

void MainWindow::resumeSweepDialog() {
    QStringList items;
    std::vector<int64_t> ids;
    for (const auto& s : store_->sweeps())
        if (s.finished < s.runs) {
            items << tr("%1: %2 (%3 of %4 runs done, %5)").arg(s.id).arg(QString::fromStdString(s.name)).arg(s.finished).arg(s.runs).arg(QString::fromLatin1(store::toString(s.status)));
            ids.push_back(s.id);
        }
    if (items.isEmpty()) {
        QMessageBox::information(this, tr("Resume sweep"), tr("Every sweep in this file is complete."));
        return;
    }
    bool ok = false;
    const QString choice = QInputDialog::getItem(this, tr("Resume sweep"), tr("Sweep"), items, 0, false, &ok);
    if (ok) resumeSweep(ids[static_cast<size_t>(items.indexOf(choice))]);
}

bool MainWindow::deleteRuns(const std::vector<int64_t>& ids, bool ask) {
    if (ids.empty() || !store_ || !store_->writable()) return false;
    if (isBusy()) { // a job may be writing to one of them
        statusBar()->showMessage(
            tr("Busy with %1: delete runs when it is over.").arg(runningJobs().join(", ")), 10000);
        return false;
    }
    if (ask && QMessageBox::question(this, tr("Delete runs"),
                                     tr("Delete %n run(s) with their curves, metrics and trained parameters? This cannot be undone.", "", static_cast<int>(ids.size())))
                   != QMessageBox::Yes)
        return false;
    for (auto id : ids) store_->deleteRun(id);
    reloadRuns();
    return true;
}

void MainWindow::compareSelected() {
    const auto ids = selectedRuns();
    if (ids.size() < 2) {
        statusBar()->showMessage(tr("Select two or more runs to compare."), 5000);
        return;
    }
    CompareDialog dialog(*store_, ids, this);
    dialog.exec();
}

void MainWindow::editNotes() {
    const auto ids = selectedRuns();
    if (ids.size() != 1 || !store_->writable()) return;
    const auto r = store_->run(ids.front());
    QDialog d(this);
    d.setWindowTitle(tr("Notes and tags of run %1").arg(r.id));
    auto* notes = new QLineEdit(QString::fromStdString(r.notes));
    auto* tags = new QLineEdit(QString::fromStdString(r.tags));
    auto* form = new QFormLayout(&d);
    form->addRow(tr("Notes"), notes);
    form->addRow(tr("Tags"), tags);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, &d, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &d, &QDialog::reject);
    if (d.exec() == QDialog::Accepted) {
        store_->setNotes(r.id, notes->text().toStdString(), tags->text().toStdString());
        reloadRuns();
    }
}

void MainWindow::closeEvent(QCloseEvent* e) {
    const QStringList jobs = runningJobs();
    if (!jobs.isEmpty()) {
        QMessageBox ask(QMessageBox::Question, tr("Stop and close?"),
                        tr("Still running: %1.\n\nClosing stops it after the current batch: a "
                           "training run ends as cancelled (Resume continues it from its last "
                           "epoch), an ablation stores nothing, a pre-training continues from its "
                           "checkpoint when started again.")
                            .arg(jobs.join(", ")),
                        QMessageBox::Yes | QMessageBox::Cancel, this);
        ask.setObjectName("stopJobsQuestion");
        ask.button(QMessageBox::Yes)->setText(tr("Stop and close"));
        ask.button(QMessageBox::Cancel)->setText(tr("Keep running"));
        ask.setDefaultButton(QMessageBox::Cancel);
        if (ask.exec() != QMessageBox::Yes) {
            e->ignore();
            return;
        }
    }
    QSettings settings;
    settings.setValue("window/geometry", saveGeometry());
    settings.setValue("window/splitter", splitter_->saveState());
    form_->saveSettings(settings);
    if (isBusy()) { // shown while the GUI thread waits
        statusBar()->showMessage(
            tr("Stopping %1 after the current batch…").arg(runningJobs().join(", ")));
        statusBar()->repaint();
    }
    QApplication::setOverrideCursor(Qt::WaitCursor);
    stopJobs();
    QApplication::restoreOverrideCursor();
    e->accept();
}

QString MainWindow::engineSummary() {
    const EngineInfo e = engineInfo();
    return tr("Engine: LibTorch %1 on %2, %3 threads")
        .arg(QString::fromStdString(e.torchVersion), QString::fromStdString(e.device))
        .arg(e.threads);
}

void MainWindow::showUserGuide() {
    auto* guide = new UserGuideDialog(userGuidePath(), this);
    guide->setObjectName("userGuide");
    guide->show();
}

QString MainWindow::aboutText() {
    return tr("<b>AdapterLab %1</b><br>Bottleneck adapters (Houlsby et al., 2019) for BERT-family "
              "backbones.<br>%2<br>License: MIT")
        .arg(QStringLiteral(ADAPTERLAB_VERSION), engineSummary());
}

void MainWindow::showAbout() { QMessageBox::about(this, tr("About AdapterLab"), aboutText()); }

} // namespace adapterlab::ui
