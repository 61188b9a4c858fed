// The workbench offscreen: what it says, form validation and the parameter preview, a tiny run
// launched from the form ending in the runs table with its curves, Cancel, and settings that
// survive a restart of the window.
#include "test_util.h"
#include "train_fixture.h"

#include "main_window.h"
#include "run_form.h"
#include "run_view.h"
#include "runs_model.h"
#include "train/param_count.h"

#include <QComboBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTableView>
#include <QTimer>

using adapterlab::ui::MainWindow;

namespace {

void saveShot(QWidget& w, const QString& name) {
    const QString out = qEnvironmentVariable("ADAPTERLAB_SCREENSHOT_DIR");
    if (out.isEmpty()) return;
    QTest::qWait(50); // let queued plot redraws run
    QVERIFY(w.grab().save(out + "/" + name + ".png"));
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void saysWhatItIs();
    void formValidationAndPreview();
    void launchTinyRunEndsInTable();
    void cancelStopsTheRun();
    void settingsPersist();

private:
    void fillForm(MainWindow& w, int epochs);
    testutil::Fixture fixture_;
    QString db_;
};

void TestMainWindow::initTestCase() {
    QStandardPaths::setTestModeEnabled(true); // settings and data in throw-away test locations
    QCoreApplication::setOrganizationName("AdapterLabTest");
    QCoreApplication::setApplicationName("AdapterLabTest");
    QSettings().clear();
    db_ = QString::fromStdString(fixture_.path("gui.alab"));
}

void TestMainWindow::fillForm(MainWindow& w, int epochs) {
    auto* f = w.form();
    f->task->setText(QString::fromStdString(fixture_.taskSpec));
    f->backbone->setText(QString::fromStdString(fixture_.backbone));
    f->method->setCurrentText("adapter");
    f->adapterSize->setValue(8);
    f->learningRate->setText("3e-3");
    f->epochs->setValue(epochs);
    f->batchSize->setValue(16);
    f->maxLength->setValue(32);
    f->device->setCurrentText("cpu");
}

void TestMainWindow::saysWhatItIs() {
    MainWindow w(db_);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(w.windowTitle().contains("AdapterLab"));
    QVERIFY(w.windowTitle().contains("gui.alab"));
    QCOMPARE(w.experimentPath(), db_);
    QStringList menus;
    for (auto* a : w.menuBar()->actions()) menus << a->text();
    QCOMPARE(menus, (QStringList{"&File", "&Help"}));
    bool engine = false;
    for (auto* l : w.statusBar()->findChildren<QLabel*>()) engine |= l->text().contains("LibTorch");
    QVERIFY(engine);
    saveShot(w, "main_window_empty");
}

void TestMainWindow::formValidationAndPreview() {
    MainWindow w(db_);
    auto* f = w.form();
    fillForm(w, 1);
    QVERIFY2(f->launchButton()->isEnabled(), qPrintable(f->error()));
    // Preview: adapters (m=8) + LayerNorms + head of the fixture backbone (d=32, L=2, 2 labels).
    const int64_t expected = 2 * 2 * (2 * 8 * 32 + 32 + 8) + 5 * 2 * 32 + 2 * 32 + 2;
    QVERIFY2(f->preview->text().contains(QLocale().toString(qlonglong(expected))), qPrintable(f->preview->text()));
    f->method->setCurrentText("full");
    QVERIFY(!f->preview->text().contains(QLocale().toString(qlonglong(expected))));
    QVERIFY(!f->adapterSize->isEnabled());
    f->method->setCurrentText("adapter");

    struct Bad {
        std::function<void()> set, undo;
        QWidget* field;
        const char* reason;
    };
    const Bad bad[] = {
        {[&] { f->adapterSize->setValue(0); }, [&] { f->adapterSize->setValue(8); }, f->adapterSize, "adapter size"},
        {[&] { f->learningRate->setText("fast"); }, [&] { f->learningRate->setText("3e-3"); }, f->learningRate, "learning rate"},
        {[&] { f->initStd->setText("-1"); }, [&] { f->initStd->setText("1e-2"); }, f->initStd, "init std"},
        {[&] { f->epochs->setValue(0); }, [&] { f->epochs->setValue(1); }, f->epochs, "epochs"},
        {[&] { f->maxLength->setValue(65); }, [&] { f->maxLength->setValue(32); }, f->maxLength, "exceeds the backbone's 64 positions"},
        {[&] { f->backbone->setText("/nonexistent"); }, [&] { f->backbone->setText(QString::fromStdString(fixture_.backbone)); }, f->backbone, "backbone"},
    };
    for (const auto& b : bad) {
        b.set();
        QVERIFY(!f->launchButton()->isEnabled());
        QVERIFY2(f->error().contains(b.reason), qPrintable(f->error()));
        QVERIFY2(!b.field->styleSheet().isEmpty(), b.reason); // marked at its field
        QCOMPARE(b.field->toolTip(), f->error());
        b.undo();
        QVERIFY2(f->launchButton()->isEnabled(), qPrintable(f->error()));
    }
    saveShot(w, "run_form");
}

void TestMainWindow::launchTinyRunEndsInTable() {
    MainWindow w(db_);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    const int before = w.runsModel()->rowCount();
    fillForm(w, 3);
    QSignalSpy finished(&w, &MainWindow::trainingFinished);
    // Watch the event loop while training runs on the worker thread.
    QElapsedTimer gap;
    qint64 worst = 0;
    QTimer probe;
    connect(&probe, &QTimer::timeout, [&] {
        if (gap.isValid()) worst = std::max(worst, gap.restart());
        else gap.start();
    });
    probe.start(10);
    QTest::mouseClick(w.form()->launchButton(), Qt::LeftButton);
    QVERIFY(w.isTraining());
    QVERIFY(!w.form()->launchButton()->isEnabled());
    QVERIFY(finished.wait(120000));
    probe.stop();
    qInfo("longest gap between GUI timer ticks while training: %lld ms", worst);
    QCOMPARE(finished.at(0).at(1).toString(), QString("finished"));
    QCOMPARE(w.runsModel()->rowCount(), before + 1);
    const int row = w.runsModel()->rowOfRun(finished.at(0).at(0).toLongLong());
    QVERIFY(row >= 0);
    QCOMPARE(w.runsModel()->run(row).status, std::string("finished"));
    QCOMPARE(w.runsModel()->data(w.runsModel()->index(row, adapterlab::ui::RunsModel::Status)).toString(), QString("finished"));
    QVERIFY(w.runView()->pointCount() >= 3 * 16); // every step reached the live view
    QVERIFY(w.form()->launchButton()->isEnabled());
    saveShot(w, "run_view");
}

void TestMainWindow::cancelStopsTheRun() {
    MainWindow w(db_);
    fillForm(w, 200);
    QSignalSpy finished(&w, &MainWindow::trainingFinished);
    QTest::mouseClick(w.form()->launchButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(w.runView()->pointCount() >= 3, 60000);
    QVERIFY(w.runView()->cancelButton()->isEnabled());
    QTest::mouseClick(w.runView()->cancelButton(), Qt::LeftButton);
    QVERIFY(finished.wait(60000));
    QCOMPARE(finished.at(0).at(1).toString(), QString("cancelled"));
    QVERIFY(w.runView()->pointCount() < 200 * 16);
}

void TestMainWindow::settingsPersist() {
    {
        MainWindow w(db_);
        w.show();
        fillForm(w, 7);
        w.form()->seed->setValue(42);
        w.resize(1000, 700);
        w.close(); // saves geometry, splitter and form
    }
    MainWindow again; // no file given: reopens the last one
    QCOMPARE(again.experimentPath(), db_);
    QCOMPARE(again.form()->epochs->value(), 7);
    QCOMPARE(again.form()->seed->value(), 42);
    QCOMPARE(again.form()->task->text(), QString::fromStdString(fixture_.taskSpec));
    QCOMPARE(again.size(), QSize(1000, 700));
}

QTEST_MAIN(TestMainWindow)
#include "test_mainwindow.moc"
