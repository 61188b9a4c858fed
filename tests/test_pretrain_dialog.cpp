// The offline-backbone dialog: from the first start's banner to a pre-trained (and a continued)
// backbone in the form, and the options it refuses before anything is written.
#include "test_util.h"
#include "gui_fixture.h"

#include "main_window.h"
#include "pretrain_dialog.h"
#include "run_form.h"

#include <QCheckBox>
#include <QFile>
#include <QFrame>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>

using adapterlab::ui::MainWindow;
using testutil::saveShot;

class TestPretrainDialog : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void offlineBackboneFromTheBanner();
    void refusedOptionsAreMarkedAtTheirField();

private:
    testutil::Fixture fixture_;
    QString db_;
};

void TestPretrainDialog::initTestCase() {
    testutil::isolateSettings("AdapterLabPretrainTest");
    db_ = QString::fromStdString(fixture_.path("gui.alab"));
}

void TestPretrainDialog::offlineBackboneFromTheBanner() {
    // First start, no backbone known: the banner offers to build one; a (two-step) pre-training
    // from the dialog ends in the backbone list and the form, and the banner goes.
    if (!QFile::exists("/usr/share/wordnet/data.noun"))
        QSKIP("wordnet-base is not installed: the offline corpus would be empty");
    MainWindow w(db_);
    w.show();
    auto* banner = w.findChild<QFrame*>("backboneBanner");
    QVERIFY(banner && banner->isVisible());
    QTest::mouseClick(w.findChild<QPushButton*>("buildBackbone"), Qt::LeftButton);
    auto* dialog = w.findChild<adapterlab::ui::PretrainDialog*>();
    QVERIFY(dialog && dialog->isVisible());
    QVERIFY(dialog->cost->text().contains("30 minutes on 2 CPU cores"));
    QVERIFY(!dialog->taskText->isEnabled()); // no task in the form yet
    // With a task in the form, its training text can join the corpus, in a folder of its own.
    dialog->close();
    w.form()->task->setText(QString::fromStdString(fixture_.taskSpec));
    QTest::mouseClick(w.findChild<QPushButton*>("buildBackbone"), Qt::LeftButton);
    QVERIFY(dialog->taskText->isEnabled() && !dialog->taskText->isChecked());
    QVERIFY2(dialog->taskText->text().contains("training text of train"),
             qPrintable(dialog->taskText->text()));
    dialog->taskText->setChecked(true);
    QVERIFY2(dialog->folder().endsWith("backbones/mini-train"), qPrintable(dialog->folder()));
    QTemporaryDir out;
    dialog->output->setText(out.filePath("mini"));
    dialog->setMaxSteps(2);
    QSignalSpy built(dialog, &adapterlab::ui::PretrainDialog::built);
    QTest::mouseClick(dialog->start, Qt::LeftButton);
    QVERIFY(!dialog->start->isEnabled());
    QVERIFY(built.wait(180000));
    QCOMPARE(built.at(0).at(0).toString(), out.filePath("mini"));
    QVERIFY(dialog->status->text().startsWith("Done: 2 steps"));
    QCOMPARE(dialog->progress->value(), 2);
    saveShot(*dialog, "pretrain_dialog");
    QVERIFY(adapterlab::ui::RunForm::knownBackbones().contains(out.filePath("mini")));
    QCOMPARE(w.form()->backbone->text(), out.filePath("mini"));
    QVERIFY(!banner->isVisible());
    QVERIFY(QFile::exists(out.filePath("mini/model.safetensors")));
    QFile corpus(out.filePath("mini/corpus.json"));
    QVERIFY(corpus.open(QIODevice::ReadOnly));
    QVERIFY(corpus.readAll().contains("\"task train (training text, labels not read)\""));
    // Continued pre-training from the backbone just built keeps its vocabulary.
    dialog->startFrom->setText(out.filePath("mini") + "/"); // a trailing slash: the same folder
    QVERIFY2(dialog->folder().endsWith("backbones/mini-continued-train"),
             qPrintable(dialog->folder()));
    QVERIFY2(dialog->cost->text().startsWith("Continues mini for"),
             qPrintable(dialog->cost->text()));
    dialog->output->setText(out.filePath("continued"));
    built.clear();
    QTest::mouseClick(dialog->start, Qt::LeftButton);
    QVERIFY(!dialog->startFrom->isEnabled() && !dialog->debianText->isEnabled());
    QVERIFY(built.wait(180000));
    QVERIFY2(dialog->status->text().startsWith("Done: 2 steps"),
             qPrintable(dialog->status->text()));
    saveShot(*dialog, "pretrain_dialog_continued");
    QFile v1(out.filePath("mini/vocab.txt")), v2(out.filePath("continued/vocab.txt"));
    QVERIFY(v1.open(QIODevice::ReadOnly) && v2.open(QIODevice::ReadOnly));
    QCOMPARE(v2.readAll(), v1.readAll());
    QFile report(out.filePath("continued/pretrain.json"));
    QVERIFY(report.open(QIODevice::ReadOnly));
    QVERIFY(report.readAll().contains(("from " + out.filePath("mini")).toUtf8()));
    // Without the Debian text and with no other text there is nothing to learn from: said, and
    // no backbone is written.
    dialog->startFrom->clear();
    dialog->debianText->setChecked(false);
    dialog->taskText->setChecked(false);
    dialog->output->setText(out.filePath("empty"));
    QTest::mouseClick(dialog->start, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(dialog->start->isEnabled(), 60000);
    QVERIFY2(dialog->status->text().contains("empty"), qPrintable(dialog->status->text()));
    QVERIFY(!QFile::exists(out.filePath("empty/model.safetensors")));
    QCOMPARE(built.size(), 1);
    QSettings().remove("backbones/recent");
}

void TestPretrainDialog::refusedOptionsAreMarkedAtTheirField() {
    // A start folder that is not a backbone, and no output folder: each refused at its own
    // field by the engine's option checks, nothing started and nothing written.
    adapterlab::ui::PretrainDialog dialog;
    QTemporaryDir out;
    dialog.startFrom->setText(out.filePath("no-such-backbone"));
    dialog.output->setText(out.filePath("continued"));
    QSignalSpy built(&dialog, &adapterlab::ui::PretrainDialog::built);
    QTest::mouseClick(dialog.start, Qt::LeftButton);
    QVERIFY(!dialog.isRunning());
    QVERIFY(dialog.start->isEnabled());
    QVERIFY2(dialog.status->text().contains("cannot continue from " + out.filePath("no-such-backbone")),
             qPrintable(dialog.status->text()));
    QVERIFY(!dialog.startFrom->styleSheet().isEmpty());
    QCOMPARE(dialog.startFrom->toolTip(), dialog.status->text());
    QVERIFY(dialog.output->styleSheet().isEmpty());
    QVERIFY(!QFile::exists(out.filePath("continued")));
    dialog.startFrom->clear();
    dialog.output->clear();
    QTest::mouseClick(dialog.start, Qt::LeftButton);
    QVERIFY(!dialog.isRunning());
    QVERIFY2(dialog.status->text().contains("an output folder is needed"),
             qPrintable(dialog.status->text()));
    QVERIFY(!dialog.output->styleSheet().isEmpty());
    QVERIFY(dialog.startFrom->styleSheet().isEmpty()); // its mark went with its problem
    QCOMPARE(built.size(), 0);
}

QTEST_MAIN(TestPretrainDialog)
#include "test_pretrain_dialog.moc"
