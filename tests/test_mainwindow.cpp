// The workbench offscreen: what it says, form validation and the parameter preview, a tiny run
// launched from the form ending in the runs table with its curves, settings that survive a
// restart of the window, plots, sweeps and dialogs. Cancel, resume, the ablation's worker and
// closing mid-job: test_background_jobs.cpp.
#include "gui_fixture.h"
#include "test_util.h"

#include "ablation_view.h"
#include "column_mapping_dialog.h"
#include "compare_dialog.h"
#include "sweep_dialog.h"
#include "main_window.h"
#include "result_plot.h"
#include "run_form.h"
#include "run_view.h"
#include "runs_model.h"
#include "store/store.h"
#include "train/param_count.h"
#include "user_guide.h"

#include "qcp.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFrame>
#include <QLocale>

#include "data/task_loader.h"
#include <QPlainTextEdit>
#include <QTableWidget>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTableView>
#include <QTextBrowser>
#include <QToolButton>

#include <cmath>

using adapterlab::ui::MainWindow;
using testutil::kLongWaitMs;
namespace train = adapterlab::train;
using testutil::saveShot;

namespace {

// A demo experiment file shaped like the paper's MNLI trade-off (BERT-base parameter counts),
// with seeds, an init-robustness sweep and an ablation matrix.
// `curve`: also adapters (m = 8, 64, 256) and full fine-tuning on samples of 2,000 training
// examples.
void writeDemo(const std::string& path, bool curve = false) {
    using nlohmann::json;
    adapterlab::store::Store s(path);
    const auto add = [&](const std::string& method, int64_t size, double sigma, int64_t seed,
                         int64_t trainable, double score, int64_t trainSize = 0) {
        const json cfg = {{"task", "glue:MNLI:/data/MNLI"},
                          {"backbone", "/models/bert-base"},
                          {"method", method},
                          {"adapter_size", method == "adapter" ? size : 64},
                          {"top_k", method == "top_k" ? size : 1},
                          {"init_std", sigma},
                          {"learning_rate", 3e-4},
                          {"epochs", 3},
                          {"seed", seed},
                          {"train_size", trainSize}};
        const int64_t id = s.createRun(adapterlab::train::RunConfig::fromJson(cfg));
        adapterlab::store::RunStart st;
        st.mainMetric = "accuracy";
        st.paramsTrainable = trainable;
        st.paramsTotal = 109482240 + trainable;
        st.params = {{"trainable_percent", 100.0 * trainable / 109482240}};
        s.startRun(id, st);
        adapterlab::store::RunEnd end;
        end.status = adapterlab::store::RunStatus::Finished;
        end.bestScore = score;
        end.bestMetrics = {{"accuracy", score}};
        end.bestEpoch = 3;
        s.finishRun(id, end);
        return id;
    };
    int64_t ablated = 0;
    for (int64_t seed : {1, 2, 3}) {
        const double jitter = 0.004 * static_cast<double>(seed - 2);
        for (auto [m, acc] : {std::pair<int64_t, double>{8, 0.815}, {64, 0.837}, {256, 0.841}}) {
            const int64_t id = add("adapter", m, 1e-2, seed, 24 * (2 * m * 768 + 768 + m) + 38400 + 2307, acc + jitter);
            if (m == 64 && seed == 1) ablated = id;
        }
        for (int64_t k = 1; k <= 12; k += 3)
            add("top_k", k, 1e-2, seed, k * 7087872 + 592128, 0.70 + 0.012 * static_cast<double>(k) + jitter);
        add("full", 0, 1e-2, seed, 109484547, 0.844 + jitter);
        add("layernorm", 0, 1e-2, seed, 40707, 0.62 + jitter);
        add("head_only", 0, 1e-2, seed, 2307, 0.52 + jitter);
        for (int e = -7; e <= 0; ++e) // sigma = 1e-2 is the adapter m=64 run above
            if (e != -2) add("adapter", 64, std::pow(10.0, e), seed, 2419971, (e <= -2 ? 0.836 : 0.836 - 0.05 * (e + 2)) + jitter);
        if (curve) {
            for (auto [m, acc] : {std::pair<int64_t, double>{8, 0.60}, {64, 0.63}, {256, 0.62}})
                add("adapter", m, 1e-2, seed, 24 * (2 * m * 768 + 768 + m) + 38400 + 2307,
                    acc + jitter, 2000);
            add("full", 0, 1e-2, seed, 109484547, 0.61 + jitter, 2000);
        }
    }
    std::vector<adapterlab::store::AblationRow> rows{{-1, -1, {{"accuracy", 0.837}}, 0.837}};
    for (int64_t i = 0; i < 12; ++i)
        for (int64_t j = i; j < 12; ++j) {
            // Removing lower layers' adapters costs little, upper ones more; all of them: majority class.
            const double drop = (i == 0 && j == 11) ? 0.837 - 0.37 : 0.004 * static_cast<double>((j - i + 1) * (1 + i / 2));
            rows.push_back({i, j, {{"accuracy", 0.837 - drop}}, 0.837 - drop});
        }
    s.saveAblation(ablated, rows);
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void saysWhatItIs();
    void formValidationAndPreview();
    void launchTinyRunEndsInTable();
    void builtinTaskPicker();
    void settingsPersist();
    void plotsRenderStoredData();
    void learningCurveRunsPlotApart();
    void sweepFromTheWindow();
    void compareNotesAndDelete();
    void columnMappingDialog();
    void helpShowsGuideAndAbout();

private:
    void fillForm(MainWindow& w, int epochs) { testutil::fillForm(w, fixture_, epochs); }
    testutil::Fixture fixture_;
    QString db_;
};

void TestMainWindow::initTestCase() {
    testutil::isolateSettings("AdapterLabTest");
    db_ = QString::fromStdString(fixture_.path("gui.alab"));
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
    QCOMPARE(menus, (QStringList{"&File", "&Experiments", "&Help"}));
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
    f->setMethod(train::Method::Full);
    QVERIFY(!f->preview->text().contains(QLocale().toString(qlonglong(expected))));
    QVERIFY(!f->adapterSize->isEnabled());
    f->setMethod(train::Method::Adapter);
    // The methods and their knobs come from the registry; spin boxes hold only what the engine
    // accepts.
    QCOMPARE(f->method->count(), int(train::methods().size()));
    QCOMPARE(f->method->currentText(),
             QString::fromStdString(train::methodInfo(train::Method::Adapter).name));
    QCOMPARE(qlonglong(f->adapterSize->minimum()),
             qlonglong(train::methodInfo(train::Method::Adapter).knob->min));
    QCOMPARE(qlonglong(f->adapterSize->maximum()),
             qlonglong(train::methodInfo(train::Method::Adapter).knob->max));
    QCOMPARE(f->epochs->minimum(), 1);
    QCOMPARE(f->maxLength->minimum(), 3);
    // Only the chosen method's settings are shown; the preview is the registry's exact count.
    f->setMethod(train::Method::Lora);
    const auto shown = [&](QWidget* w) { return w->isVisibleTo(f); };
    QVERIFY(shown(f->loraRank) && shown(f->loraTargets) && !shown(f->adapterSize));
    f->loraRank->setValue(4);
    const int64_t lora = 2 * 4 * (32 + 32) * 2 + 2 * 32 + 2; // L · r · (in + out) for q, v + head
    QVERIFY2(f->preview->text().contains(QLocale().toString(qlonglong(lora))),
             qPrintable(f->preview->text()));
    f->loraTargets->setText("query,keys");
    QVERIFY(!f->launchButton()->isEnabled());
    QVERIFY2(f->error().contains("unknown LoRA target 'keys'"), qPrintable(f->error()));
    QVERIFY(!f->loraTargets->styleSheet().isEmpty());
    f->loraTargets->setText("query,value");
    QVERIFY(f->launchButton()->isEnabled());
    f->setMethod(train::Method::Prefix);
    QVERIFY(shown(f->prefixLength) && shown(f->prefixHidden) && !shown(f->loraRank));
    f->setMethod(train::Method::Parallel);
    QVERIFY(shown(f->adapterScaling) && shown(f->adapterPlacement) && !shown(f->adapterNorm));
    f->setMethod(train::Method::Adapter);
    QVERIFY(!shown(f->adapterScaling) && shown(f->adapterNorm));

    struct Bad {
        std::function<void()> set, undo;
        QWidget* field;
        const char* reason;
    };
    const Bad bad[] = {
        {[&] {
             f->setMethod(train::Method::TopK);
             f->topK->setValue(3);
         },
         [&] {
             f->topK->setValue(1);
             f->setMethod(train::Method::Adapter);
         },
         f->topK, "top-k = 3 must be between 1 and the number of layers (2)"},
        {[&] { f->learningRate->setText("fast"); }, [&] { f->learningRate->setText("3e-3"); },
         f->learningRate, "learning rate"},
        {[&] { f->initStd->setText("-1"); }, [&] { f->initStd->setText("1e-2"); }, f->initStd,
         "init std"},
        {[&] { f->maxLength->setValue(65); }, [&] { f->maxLength->setValue(32); }, f->maxLength,
         "exceeds the backbone's 64 positions"},
        {[&] { f->backbone->setText("/nonexistent"); },
         [&] { f->backbone->setText(QString::fromStdString(fixture_.backbone)); }, f->backbone,
         "backbone"},
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
    QTest::mouseClick(w.form()->launchButton(), Qt::LeftButton);
    QVERIFY(w.isTraining());
    QVERIFY(!w.form()->launchButton()->isEnabled());
    QVERIFY(finished.wait(kLongWaitMs));
    QCOMPARE(finished.at(0).at(1).toString(), QString("finished"));
    QCOMPARE(w.runsModel()->rowCount(), before + 1);
    const int row = w.runsModel()->rowOfRun(finished.at(0).at(0).toLongLong());
    QVERIFY(row >= 0);
    QCOMPARE(w.runsModel()->run(row).status, adapterlab::store::RunStatus::Finished);
    QCOMPARE(w.runsModel()->data(w.runsModel()->index(row, adapterlab::ui::RunsModel::Status)).toString(), QString("finished"));
    QCOMPARE(w.runsModel()
                 ->data(w.runsModel()->index(row, adapterlab::ui::RunsModel::TrainSize))
                 .toString(),
             QString("all"));
    {
        // A learning-curve run shows its sample size, and sorts below the whole split.
        adapterlab::ui::RunsModel m;
        auto sampled = w.runsModel()->run(row), whole = sampled;
        sampled.config.trainSize = 500;
        m.reload({sampled, whole});
        QCOMPARE(m.data(m.index(0, adapterlab::ui::RunsModel::TrainSize)).toString(),
                 QLocale().toString(500));
        QVERIFY(
            m.data(m.index(0, adapterlab::ui::RunsModel::TrainSize), Qt::UserRole).toLongLong() <
            m.data(m.index(1, adapterlab::ui::RunsModel::TrainSize), Qt::UserRole).toLongLong());
    }
    QVERIFY(w.runView()->pointCount() >= 3 * 16); // every step reached the live view
    QVERIFY(w.form()->launchButton()->isEnabled());
    QVERIFY(adapterlab::ui::RunForm::knownBackbones().contains(QString::fromStdString(fixture_.backbone)));
    // The runs table filters on any column, or on one.
    auto* filter = w.findChild<QLineEdit*>();
    auto* column = w.findChild<QComboBox*>("filterColumn");
    QVERIFY(column);
    const int all = w.runsTable()->model()->rowCount();
    column->setCurrentIndex(1 + adapterlab::ui::RunsModel::Status);
    for (auto* e : w.findChildren<QLineEdit*>())
        if (e->placeholderText().startsWith("Filter")) filter = e;
    filter->setText("no-such-status");
    QCOMPARE(w.runsTable()->model()->rowCount(), 0);
    filter->setText("finished");
    QCOMPARE(w.runsTable()->model()->rowCount(), all);
    filter->clear();
    saveShot(w, "run_view");
}

void TestMainWindow::builtinTaskPicker() {
    MainWindow w(db_);
    auto* button = w.form()->findChild<QToolButton*>("builtinTasks");
    QVERIFY(button && button->menu());
    Q_EMIT button->menu()->aboutToShow();
    const auto actions = button->menu()->actions();
    QCOMPARE(actions.size(), 3);
    QVERIFY(actions[0]->text().startsWith("wordnet-pos — WordNet definition"));
    if (!QFile::exists("/usr/share/wordnet/data.noun")) {
        QVERIFY(actions[0]->text().contains("needs the package wordnet-base"));
        QSKIP("wordnet-base is not installed");
    }
    QVERIFY2(actions[0]->text().contains("4 classes"), qPrintable(actions[0]->text()));
    actions[2]->trigger();
    QCOMPARE(w.form()->task->text(), QString("builtin:fortune-topic"));
}

void TestMainWindow::settingsPersist() {
    {
        MainWindow w(db_);
        w.show();
        fillForm(w, 7);
        w.form()->seed->setValue(42);
        QCOMPARE(w.form()->trainSize->text(), QString("all")); // 0: every training example
        QCOMPARE(w.form()->config()->trainSize, int64_t(0));
        w.form()->trainSize->setValue(120);
        QCOMPARE(w.form()->config()->trainSize, int64_t(120));
        w.resize(1250, 760);
        w.close(); // saves geometry, splitter and form
    }
    MainWindow again; // no file given: reopens the last one
    QCOMPARE(again.experimentPath(), db_);
    QCOMPARE(again.form()->epochs->value(), 7);
    QCOMPARE(again.form()->seed->value(), 42);
    QCOMPARE(again.form()->task->text(), QString::fromStdString(fixture_.taskSpec));
    QCOMPARE(again.size(), QSize(1250, 760));
    QCOMPARE(again.form()->trainSize->value(), 120);
    again.form()->trainSize->setValue(0); // later tests train on the whole fixture
    again.close();
}

void TestMainWindow::plotsRenderStoredData() {
    const QString demo = QString::fromStdString(fixture_.path("demo.alab"));
    writeDemo(demo.toStdString());
    MainWindow w(demo);
    w.resize(1300, 800);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    // Trade-off: one series per method; adapters at 3 sizes, top-k at 4, one point each otherwise.
    auto* t = w.tradeoffPlot();
    QCOMPARE(t->taskSelector()->currentText(), QString("MNLI"));
    QCOMPARE(t->plot()->graphCount(), 5);
    QCOMPARE(int(t->rows().size()), 3 + 4 + 3);
    QVERIFY(t->plot()->xAxis->scaleType() == QCPAxis::stLogarithmic);
    for (const auto& r : t->rows()) QCOMPARE(r.seeds, 3);
    int adapterPoints = 0;
    for (int g = 0; g < t->plot()->graphCount(); ++g)
        if (t->plot()->graph(g)->name().startsWith("Adapters")) adapterPoints = t->plot()->graph(g)->dataCount();
    QCOMPARE(adapterPoints, 3);
    // Robustness: m=64 over 8 values of sigma, plus m=8 and m=256 at the default sigma.
    QCOMPARE(int(w.robustnessPlot()->rows().size()), 10);
    QCOMPARE(w.robustnessPlot()->plot()->graphCount(), 3);
    QCOMPARE(int(w.sizePlot()->rows().size()), 3);
    const QString dir = QString::fromStdString(fixture_.path(""));
    QVERIFY(t->exportPng(dir + "/tradeoff.png"));
    QVERIFY(t->exportPdf(dir + "/tradeoff.pdf"));
    QVERIFY(t->exportCsv(dir + "/tradeoff.csv"));
    for (const char* f : {"tradeoff.png", "tradeoff.pdf", "tradeoff.csv"}) QVERIFY(QFileInfo(dir + "/" + f).size() > 100);
    QFile csv(dir + "/tradeoff.csv");
    QVERIFY(csv.open(QIODevice::ReadOnly));
    QCOMPARE(csv.readAll().count('\n'), 1 + 10);
    w.tabs()->setCurrentWidget(t);
    saveShot(w, "tradeoff");
    w.tabs()->setCurrentWidget(w.robustnessPlot());
    saveShot(w, "robustness");

    // Ablation heatmap of the run that has one: drop = intact - score, empty below the diagonal.
    int64_t ablated = 0;
    {
        adapterlab::store::Store s(demo.toStdString(), true);
        for (const auto& r : s.runs())
            if (!s.ablation(r.id).empty()) ablated = r.id;
    }
    QVERIFY(ablated > 0);
    w.selectRun(ablated);
    auto* a = w.ablationView();
    QVERIFY(qAbs(a->cellValue(0, 0) - 0.004) < 1e-9);
    QVERIFY(qAbs(a->cellValue(0, 11) - (0.837 - 0.37)) < 1e-9);
    QVERIFY(std::isnan(a->cellValue(5, 2)));
    a->modeSelector()->setCurrentIndex(1);
    QVERIFY(qAbs(a->cellValue(0, 0) - 0.833) < 1e-9);
    a->modeSelector()->setCurrentIndex(0);
    QVERIFY(a->exportPng(dir + "/ablation.png") && a->exportCsv(dir + "/ablation.csv"));
    QVERIFY(QFileInfo(dir + "/ablation.png").size() > 100);
    w.tabs()->setCurrentWidget(a);
    saveShot(w, "ablation");
}

void TestMainWindow::learningCurveRunsPlotApart() {
    const QString demo = QString::fromStdString(fixture_.path("curve.alab"));
    writeDemo(demo.toStdString(), true);
    MainWindow w(demo);
    w.resize(1300, 800);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    // The whole-split selection is what it was (5 methods, 10 points); the 2,000-example runs add
    // two series of their own instead of competing in the selection.
    auto* t = w.tradeoffPlot();
    QCOMPARE(t->plot()->graphCount(), 5 + 2);
    QCOMPARE(int(t->rows().size()), 10 + 4);
    QStringList names;
    for (int g = 0; g < t->plot()->graphCount(); ++g)
        names << t->plot()->graph(g)->name();
    const QString sample = QLocale().toString(2000);
    QVERIFY2(names.contains("Adapters (over m), " + sample + " examples"),
             qPrintable(names.join(" | ")));
    QVERIFY2(names.contains("Full fine-tuning, " + sample + " examples"),
             qPrintable(names.join(" | ")));
    for (int g = 0; g < t->plot()->graphCount(); ++g)
        if (t->plot()->graph(g)->name() == "Adapters (over m), " + sample + " examples") {
            QCOMPARE(t->plot()->graph(g)->dataCount(), 3);
            QVERIFY(qAbs(t->plot()->graph(g)->data()->at(1)->value - 0.63) <
                    1e-9); // m = 64, mean of 3 seeds
        }
    // Each method keeps its colour; the sample's series is dashed.
    const auto graphNamed = [&](const QString& n) {
        for (int g = 0; g < t->plot()->graphCount(); ++g)
            if (t->plot()->graph(g)->name() == n) return t->plot()->graph(g);
        return static_cast<QCPGraph*>(nullptr);
    };
    auto *whole = graphNamed("Full fine-tuning"),
         *part = graphNamed("Full fine-tuning, " + sample + " examples");
    QVERIFY(whole && part);
    QCOMPARE(part->pen().color(), whole->pen().color());
    QCOMPARE(part->pen().style(), Qt::DashLine);
    QCOMPARE(whole->pen().style(), Qt::SolidLine);
    QCOMPARE(w.sizePlot()->plot()->graphCount(), 2);
    w.tabs()->setCurrentWidget(t);
    saveShot(w, "tradeoff_learning_curve");
}

void TestMainWindow::sweepFromTheWindow() {
    MainWindow w(db_);
    fillForm(w, 1);
    QVERIFY(w.form()->config().has_value());
    // The dialog: a preset's runs counted before launch; a broken plan cannot be launched.
    adapterlab::ui::SweepDialog dialog(*w.form()->config(), 2, 2.0, &w);
    dialog.presetSelector()->setCurrentText("adapter-size");
    QVERIFY2(dialog.summary()->text().contains("8 runs"), qPrintable(dialog.summary()->text()));
    QVERIFY2(dialog.summary()->text().contains("under a minute"), qPrintable(dialog.summary()->text())); // 8 epochs × 2 s
    QVERIFY(dialog.launchButton()->isEnabled());
    // A setting the preset does not vary keeps the form's value.
    QCOMPARE(dialog.plan()->base.value("learning_rate", 0.0), 3e-3);
    saveShot(dialog, "sweep_dialog");
    // The paper's grid varies epochs too: the form's 1 epoch gives way to 3 and 20.
    dialog.presetSelector()->setCurrentText("tradeoff");
    QVERIFY2(dialog.summary()->text().contains("48 runs"),
             qPrintable(dialog.summary()->text())); // (3 m + 2 k + 3) x 3 lr x 2
    QVERIFY2(dialog.summary()->text().contains("552 epochs"),
             qPrintable(dialog.summary()->text())); // 24 x (3 + 20)
    saveShot(dialog, "sweep_dialog_tradeoff");
    dialog.presetSelector()->setCurrentText("adapter-size");
    dialog.planEditor()->setPlainText("{\"grid\": {\"adapter_size\": [8, 0]}}");
    QVERIFY(!dialog.launchButton()->isEnabled());
    QVERIFY(!dialog.plan());

    const int before = w.runsModel()->rowCount();
    auto base = w.form()->config()->toJson();
    const auto plan = adapterlab::experiments::SweepPlan::fromJson(
        {{"name", "gui"}, {"base", base}, {"grid", {{"adapter_size", {4, 16}}}}});
    QSignalSpy done(&w, &MainWindow::sweepFinished);
    QVERIFY(w.startSweep(plan) > 0);
    QVERIFY(w.isTraining());
    QVERIFY(done.wait(kLongWaitMs));
    QCOMPARE(done.at(0).at(1).toString(), QString("finished"));
    QCOMPARE(w.runsModel()->rowCount(), before + 2);
    QVERIFY(!w.isTraining());
}

void TestMainWindow::compareNotesAndDelete() {
    MainWindow w(db_);
    QVERIFY(w.runsModel()->rowCount() >= 2);
    const int64_t a = w.runsModel()->run(0).id, b = w.runsModel()->run(1).id;
    {
        adapterlab::store::Store s(db_.toStdString());
        adapterlab::ui::CompareDialog d(s, {a, b});
        QCOMPARE(d.table()->columnCount(), 2);
        QCOMPARE(d.plot()->graphCount(), 2);
        QVERIFY(!d.differences().isEmpty());
        QVERIFY(!d.differences().contains("task")); // same task: not highlighted
        saveShot(d, "compare_dialog");
        s.setNotes(a, "looks good", "baseline");
    }
    QMetaObject::invokeMethod(&w, [&w] { w.openExperiment(w.experimentPath()); }); // reload
    QTest::qWait(10);
    const int row = w.runsModel()->rowOfRun(a);
    QVERIFY(w.runsModel()->data(w.runsModel()->index(row, adapterlab::ui::RunsModel::Tags)).toString().contains("baseline"));
    const int before = w.runsModel()->rowCount();
    QVERIFY(w.deleteRuns({a}, false));
    QCOMPARE(w.runsModel()->rowCount(), before - 1);
    QCOMPARE(w.runsModel()->rowOfRun(a), -1);
}

void TestMainWindow::columnMappingDialog() {
    QTemporaryDir dir;
    QFile f(dir.filePath("reviews.csv"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("id,review,stars\n");
    for (int i = 0; i < 40; ++i) f.write(QByteArray::number(i) + ",\"text, number " + QByteArray::number(i) + "\"," + (i % 2 ? "pos" : "neg") + "\n");
    f.close();
    adapterlab::ui::ColumnMappingDialog d(f.fileName());
    QCOMPARE(d.preview()->columnCount(), 3);
    QCOMPARE(d.preview()->rowCount(), 20);
    QCOMPARE(d.preview()->item(0, 1)->text(), QString("text, number 0"));
    d.text->setCurrentText("review");
    d.label->setCurrentText("review");
    QVERIFY(d.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->isEnabled() == false);
    d.label->setCurrentText("stars");
    QVERIFY(d.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->isEnabled());
    QCOMPARE(d.spec(), "file:" + f.fileName() + ",text=review,label=stars");
    saveShot(d, "column_mapping");
    const auto task = adapterlab::data::loadTask(d.spec().toStdString());
    QCOMPARE(task.labels, (std::vector<std::string>{"neg", "pos"}));
    QCOMPARE(task.train.examples.size() + task.dev.examples.size(), size_t(40));
}

void TestMainWindow::helpShowsGuideAndAbout() {
    MainWindow w(db_);
    w.show();
    QAction* guideAction = nullptr;
    for (auto* menu : w.menuBar()->findChildren<QMenu*>())
        for (auto* a : menu->actions())
            if (a->text() == "&User guide") guideAction = a;
    QVERIFY(guideAction);
    guideAction->trigger();
    auto* guide = w.findChild<adapterlab::ui::UserGuideDialog*>("userGuide");
    QVERIFY(guide);
    QVERIFY(QTest::qWaitForWindowExposed(guide));
    QVERIFY(guide->browser()->toPlainText().contains("Quick start"));
    // The README's pictures resolve relative to the guide's folder.
    const QVariant picture = guide->browser()->loadResource(QTextDocument::ImageResource,
                                                             QUrl("docs/images/run_view.png"));
    QVERIFY(!picture.isNull());
    saveShot(*guide, "user_guide");
    guide->close();

    const QString about = MainWindow::aboutText();
    QVERIFY(about.contains(ADAPTERLAB_VERSION));
    QVERIFY(about.contains("LibTorch 1.") || about.contains("LibTorch 2."));
    QVERIFY(about.contains(" on CPU") || about.contains(" on CUDA"));
    QVERIFY(about.contains("License: MIT"));
}

QTEST_MAIN(TestMainWindow)
#include "test_mainwindow.moc"
