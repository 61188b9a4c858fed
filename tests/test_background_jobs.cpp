// Background jobs on their owners' threads: the GUI stays responsive while training, Cancel
// stops a run and Resume continues it, the ablation view computes on its own worker while the
// window says what is busy, and closing the window mid-job asks, cancels and waits, leaving the
// store whole.
#include "gui_fixture.h"
#include "test_util.h"

#include "ablation_view.h"
#include "experiments/run_job.h"
#include "run_view.h"
#include "runs_model.h"
#include "store/store.h"
#include "worker_thread.h"
#include "training_worker.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLabel>
#include <QSignalSpy>
#include <QStatusBar>
#include <QThread>

#include <cmath>

using adapterlab::ui::MainWindow;
using testutil::kLongWaitMs;

namespace {

// A finished adapter run of the fixture (one epoch), trained without the window.
qint64 trainAdapterRun(const testutil::Fixture& f, const QString& db) {
    adapterlab::store::Store s(db.toStdString());
    return adapterlab::experiments::runTraining(s, f.config(adapterlab::train::Method::Adapter, 1));
}

} // namespace

class TestBackgroundJobs : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void guiStaysResponsiveWhileTraining();
    void cancelStopsTheRun();
    void resumeCancelledRun();
    void computeAblationFromTheView();
    void closeDuringAblation();
    void closeDuringTraining();
    void cancelWhileQueuedIsKept();

private:
    void fillForm(MainWindow& w, int epochs) { testutil::fillForm(w, fixture_, epochs); }
    testutil::Fixture fixture_;
    QString db_;
};

void TestBackgroundJobs::initTestCase() {
    testutil::isolateSettings("AdapterLabJobsTest");
    db_ = QString::fromStdString(fixture_.path("jobs.alab"));
}

void TestBackgroundJobs::guiStaysResponsiveWhileTraining() {
    MainWindow w(db_);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    fillForm(w, 3);
    QSignalSpy finished(&w, &MainWindow::trainingFinished);
    // Watch the event loop while training runs on the worker thread.
    QElapsedTimer gap;
    qint64 worst = 0;
    QTimer probe;
    connect(&probe, &QTimer::timeout, [&] {
        if (gap.isValid())
            worst = std::max(worst, gap.restart());
        else
            gap.start();
    });
    probe.start(10);
    QTest::mouseClick(w.form()->launchButton(), Qt::LeftButton);
    QVERIFY(w.isTraining());
    QCOMPARE(w.runningJobs(), QStringList{"a training run"});
    QVERIFY(finished.wait(kLongWaitMs));
    probe.stop();
    qInfo("longest gap between GUI timer ticks while training: %lld ms", worst);
    QCOMPARE(finished.at(0).at(1).toString(), QString("finished"));
    QVERIFY(!w.isBusy());
    // Training on the GUI thread would stall it for a whole epoch (seconds); on its worker the
    // GUI thread only draws progress, a few ms per tick. The bound is generous for a loaded
    // 2-core machine, where a build or another test may take the cores for a few hundred ms,
    // and still far below an epoch: it fails on blocking, not on a slow machine.
    QVERIFY2(worst < 1500, qPrintable(QString("the GUI thread stalled for %1 ms").arg(worst)));
}

void TestBackgroundJobs::cancelStopsTheRun() {
    MainWindow w(db_);
    fillForm(w, 200);
    QSignalSpy finished(&w, &MainWindow::trainingFinished);
    QTest::mouseClick(w.form()->launchButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(w.runView()->pointCount() >= 3, 60000);
    QVERIFY(w.runView()->cancelButton()->isEnabled());
    QTest::mouseClick(w.runView()->cancelButton(), Qt::LeftButton);
    QVERIFY(finished.wait(kLongWaitMs));
    QCOMPARE(finished.at(0).at(1).toString(), QString("cancelled"));
    QVERIFY(w.runView()->pointCount() < 200 * 16);
}

void TestBackgroundJobs::resumeCancelledRun() {
    MainWindow w(db_);
    w.show();
    fillForm(w, 40);
    QSignalSpy finished(&w, &MainWindow::trainingFinished);
    QTest::mouseClick(w.form()->launchButton(), Qt::LeftButton);
    // Cancelled once an epoch checkpoint exists.
    const QDir checkpoints(db_ + ".checkpoints");
    QTRY_VERIFY_WITH_TIMEOUT(!checkpoints.entryList({"run-*.pt"}).isEmpty(), 60000);
    QTest::mouseClick(w.runView()->cancelButton(), Qt::LeftButton);
    QVERIFY(finished.wait(kLongWaitMs));
    const qint64 id = finished.at(0).at(0).toLongLong();
    QCOMPARE(finished.at(0).at(1).toString(), QString("cancelled"));
    w.selectRun(id);
    auto* resume = w.findChild<QPushButton*>("resumeButton");
    QVERIFY(resume);
    QTest::mouseClick(resume, Qt::LeftButton);
    QVERIFY(finished.wait(kLongWaitMs));
    QCOMPARE(finished.at(1).at(0).toLongLong(), id);
    QCOMPARE(finished.at(1).at(1).toString(), QString("finished"));
    adapterlab::store::Store s(db_.toStdString(), true);
    QCOMPARE(s.evals(id).size(), size_t(40));
    QCOMPARE(s.run(id).status, adapterlab::store::RunStatus::Finished);
    // A finished run does not resume: the window says so and starts nothing.
    w.selectRun(id);
    QTest::mouseClick(resume, Qt::LeftButton);
    QVERIFY(w.statusBar()->currentMessage().contains(
        "only interrupted, cancelled or failed runs resume"));
    QVERIFY(!finished.wait(500));
}

void TestBackgroundJobs::computeAblationFromTheView() {
    const qint64 run = trainAdapterRun(fixture_, db_);
    MainWindow w(db_);
    w.selectRun(run);
    auto* a = w.ablationView();
    QVERIFY(a->computeButton()->isEnabled());
    QVERIFY(std::isnan(a->cellValue(0, 0)));
    QSignalSpy computed(a, &adapterlab::ui::AblationView::computed);
    QTest::mouseClick(a->computeButton(), Qt::LeftButton);
    // While it runs the window says so, and no run is deleted under it.
    QCOMPARE(a->computingRun(), run);
    QCOMPARE(w.runningJobs(), QStringList{QString("the ablation of run %1").arg(run)});
    QVERIFY(a->computeButton()->text().startsWith("Cancel"));
    QVERIFY(!w.deleteRuns({run}, false));
    QVERIFY2(w.statusBar()->currentMessage().startsWith("Busy with the ablation of run"),
             qPrintable(w.statusBar()->currentMessage()));
    QVERIFY(computed.wait(kLongWaitMs));
    QCOMPARE(computed.at(0).at(0).toLongLong(), run);
    QVERIFY(!w.isBusy());
    QTRY_VERIFY(!std::isnan(a->cellValue(0, 0)));
    QVERIFY(!std::isnan(a->cellValue(1, 1)));
    adapterlab::store::Store s(db_.toStdString(), true);
    QCOMPARE(s.ablation(run).size(), size_t(1 + 3));
}

void TestBackgroundJobs::closeDuringAblation() {
    // An ablation long enough to be caught mid-way: the fixture's dev split 1,500 times over
    // (96,000 examples: 3,000 batches of 32 through every span).
    QFile dev(QString::fromStdString(fixture_.path("dev.tsv")));
    QVERIFY(dev.open(QIODevice::ReadOnly));
    const QByteArray header = dev.readLine(), rows = dev.readAll();
    QFile big(QString::fromStdString(fixture_.path("big_dev.tsv")));
    QVERIFY(big.open(QIODevice::WriteOnly));
    big.write(header);
    for (int i = 0; i < 1500; ++i) big.write(rows);
    big.close();
    auto cfg = fixture_.config(adapterlab::train::Method::Adapter, 1);
    cfg.task = "file:" + fixture_.path("train.tsv") + ",dev=" + fixture_.path("big_dev.tsv");
    qint64 run = 0;
    {
        adapterlab::store::Store s(db_.toStdString());
        run = adapterlab::experiments::runTraining(s, cfg);
    }
    MainWindow w(db_);
    w.show();
    w.selectRun(run);
    auto* a = w.ablationView();
    auto* title = a->findChild<QLabel*>("ablationTitle");
    QVERIFY(title);
    QTest::mouseClick(a->computeButton(), Qt::LeftButton);
    QCOMPARE(a->computingRun(), run);
    // Mid-way: the worker has reported batches, and far from all of them.
    QTRY_VERIFY_WITH_TIMEOUT(title->text().contains(" batch "), 60000);
    QVERIFY2(title->text().contains(" of 3000"), qPrintable(title->text()));
    {
        const auto answer = testutil::answerMessageBox(QMessageBox::Yes); // Stop and close
        QVERIFY(w.close()); // asks, cancels, waits for the worker's thread
    }
    QCOMPARE(a->computingRun(), qint64(0));
    QVERIFY(!w.isBusy());
    QVERIFY(!a->computeButton()->isEnabled()); // the worker is gone
    // Cancelled: nothing stored, not part of a matrix, and nothing written after the close.
    const auto stored = [&] {
        return adapterlab::store::Store(db_.toStdString(), true).ablation(run).size();
    };
    QCOMPARE(stored(), size_t(0));
    QTest::qWait(300);
    QCOMPARE(stored(), size_t(0));
}

void TestBackgroundJobs::closeDuringTraining() {
    MainWindow w(db_);
    w.show();
    fillForm(w, 200);
    QSignalSpy finished(&w, &MainWindow::trainingFinished);
    QTest::mouseClick(w.form()->launchButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(w.runView()->pointCount() >= 3, 60000);
    {
        // "Keep running": the close is refused and the run goes on.
        const auto answer = testutil::answerMessageBox(QMessageBox::Cancel);
        QVERIFY(!w.close());
    }
    QVERIFY(w.isTraining() && w.isVisible());
    {
        const auto answer = testutil::answerMessageBox(QMessageBox::Yes);
        QVERIFY(w.close());
    }
    QVERIFY(!w.isBusy());
    // The run ended before close() returned; its end reaches the window by a queued signal.
    QTRY_COMPARE(finished.size(), 1);
    QCOMPARE(finished.at(0).at(1).toString(), QString("cancelled"));
    const qint64 id = finished.at(0).at(0).toLongLong();
    adapterlab::store::Store s(db_.toStdString(), true);
    const auto r = s.run(id);
    QCOMPARE(r.status, adapterlab::store::RunStatus::Cancelled);
    QVERIFY(!r.finishedAt.empty());
    QVERIFY(r.steps >= 3 && r.steps < 200 * 16);
    QCOMPARE(s.steps(id).size(), size_t(r.steps)); // every step it took, recorded
    for (const auto& other : s.runs())
        QVERIFY(other.status != adapterlab::store::RunStatus::Running);
}

void TestBackgroundJobs::cancelWhileQueuedIsKept() {
    // Cancel pressed after Launch but before the job has started on its thread (here: the worker
    // is still busy with something else) is not forgotten when the job starts.
    qRegisterMetaType<adapterlab::train::RunConfig>();
    adapterlab::ui::WorkerThread thread;
    auto* worker = thread.start(new adapterlab::ui::TrainingWorker);
    QString status;
    qint64 id = -1;
    connect(worker, &adapterlab::ui::TrainingWorker::done, this,
            [&](qint64 run, const QString& s, const QString&) {
                id = run;
                status = s;
            });
    QMetaObject::invokeMethod(worker, [] { QThread::msleep(300); }, Qt::QueuedConnection);
    worker->arm();
    QMetaObject::invokeMethod(worker, "train", Qt::QueuedConnection,
                              Q_ARG(adapterlab::train::RunConfig,
                                    fixture_.config(adapterlab::train::Method::Adapter, 3)),
                              Q_ARG(QString, db_));
    worker->cancel(); // the job is queued behind the sleep
    QTRY_VERIFY_WITH_TIMEOUT(!status.isEmpty(), kLongWaitMs);
    QCOMPARE(status, QString("cancelled"));
    adapterlab::store::Store s(db_.toStdString(), true);
    QCOMPARE(s.steps(id).size(), size_t(0)); // stopped before its first batch
}

QTEST_MAIN(TestBackgroundJobs)
#include "test_background_jobs.moc"
