// Experiment families: sweep expansion and resume, model selection and aggregation, and the
// layer ablation against the naive per-span evaluation.
#include "test_util.h"
#include "train_fixture.h"

#include "experiments/ablation.h"
#include "experiments/results.h"
#include "experiments/run_job.h"
#include "experiments/sweep.h"
#include "train/trainer.h"
#include "util/error.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <map>
#include <set>

using namespace adapterlab;
using nlohmann::json;

namespace {

// Random data for an adapter model: ids in the vocab, varied lengths, labels 0/1.
data::EncodedSplit randomSplit(int64_t vocab, size_t n) {
    data::EncodedSplit s;
    for (size_t i = 0; i < n; ++i) {
        text::Encoding e;
        const size_t len = 4 + (i * 7) % 13;
        for (size_t t = 0; t < len; ++t) e.inputIds.push_back(static_cast<int64_t>(1 + (i * 31 + t * 11) % (vocab - 1)));
        e.tokenTypeIds.assign(len, 0);
        e.attentionMask.assign(len, 1);
        s.encodings.push_back(e);
        s.labels.push_back(static_cast<int64_t>(i % 2));
        s.targets.push_back(0);
    }
    return s;
}

model::BertConfig smallConfig(int64_t layers) {
    model::BertConfig c;
    c.vocabSize = 40;
    c.hiddenSize = 16;
    c.numLayers = layers;
    c.numHeads = 2;
    c.intermediateSize = 32;
    c.maxPositions = 32;
    c.initializerRange = 0.5; // large weights: predictions vary between examples and spans
    return c;
}

// A small model with the modules of `method` (settings as run.json), every module weight random.
model::BertModel methodModel(int64_t layers, train::Method method, const char* settings) {
    auto j = json::parse(settings);
    j["method"] = train::toString(method);
    torch::manual_seed(3);
    model::BertModel m(smallConfig(layers), train::methodModules(train::RunConfig::fromJson(j)), true);
    torch::NoGradGuard g;
    for (auto& p : m->named_parameters())
        if (model::groupOf(p.key()) == model::ParamGroup::Adapters) p.value().normal_(0.0, 1.0);
    return m;
}

model::BertModel adapterModel(int64_t layers, double sigma) {
    torch::manual_seed(3);
    return model::BertModel(smallConfig(layers), model::AdapterConfig{8, sigma}, true);
}

store::RunRecord record(int64_t id, const std::string& method, int64_t m, double lr, int64_t seed, double score) {
    store::RunRecord r;
    r.id = id;
    r.status = store::RunStatus::Finished;
    r.configJson = {{"task", "glue:RTE:/d"},
                    {"method", method},
                    {"adapter_size", m},
                    {"learning_rate", lr},
                    {"seed", seed}};
    r.config = train::RunConfig::fromJson(r.configJson);
    r.bestScore = score;
    r.mainMetric = "accuracy";
    r.paramsTrainable = 1000 * m;
    return r;
}

} // namespace

class TestExperiments : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { at::set_num_threads(1); }
    void gridExpansion();
    void presets();
    void selectionAndAggregation();
    void ablationEqualsNaive_data();
    void ablationEqualsNaive();
    void ablationAllOffIsThePlainModel_data();
    void ablationAllOffIsThePlainModel();
    void ablationCostRatio();
    void sweepRunsAndResumes();
    void ablateStoredRun();
    void cancelledAblationStoresNothing();
    void trainSizeIsALearningCurveAxis();
    void parallelWorkersRunEverythingOnce();
};

void TestExperiments::gridExpansion() {
    const json plan = {{"name", "g"},
                       {"base", {{"task", "t"}, {"backbone", "b"}, {"method", "adapter"}}},
                       {"grids", {{{"adapter_size", {8, 64}}, {"learning_rate", {1e-3, 1e-4}}},
                                  {{"adapter_size", 8}, {"learning_rate", 1e-3}}, // duplicate of one above
                                  {{"method", "full"}, {"learning_rate", {1e-4}}}}}};
    const auto runs = experiments::SweepPlan::fromJson(plan).expand();
    QCOMPARE(runs.size(), size_t(5));
    QCOMPARE(runs[0].adapter.size, int64_t(8));
    QCOMPARE(runs[1].adapter.size, int64_t(64)); // first axis varies fastest
    QCOMPARE(runs[4].method.method, train::Method::Full);
    QVERIFY_THROWS_EXCEPTION(Error, experiments::SweepPlan::fromJson({{"grid", {{"seed", json::array()}}}}));
    QVERIFY_THROWS_EXCEPTION(Error, experiments::SweepPlan::fromJson(
                                        {{"base", {{"task", "t"}, {"backbone", "b"}}}, {"grid", {{"adapter_size", {8, 0}}}}})
                                        .expand());
    QVERIFY_THROWS_EXCEPTION(Error, experiments::SweepPlan::fromJson(
                                        {{"base", {{"task", "t"}, {"backbone", "b"}}}, {"grid", {{"colour", {1}}}}})
                                        .expand());
}

void TestExperiments::presets() {
    const json base = {{"task", "t"}, {"backbone", "b"}};
    // (3 m x 3 lr + 12 k x 3 lr + 3 (LayerNorm) + 3 (head) + 3 (full)) x 2 epoch counts
    const auto tradeoff = experiments::presetPlan("tradeoff", base, 12).expand();
    QCOMPARE(tradeoff.size(), size_t((9 + 36 + 9) * 2));
    std::set<std::pair<std::string, int>> methodEpochs;
    for (const auto& r : tradeoff)
        methodEpochs.insert({train::toString(r.method.method), r.epochs});
    QCOMPARE(methodEpochs.size(), size_t(5 * 2)); // every method at 3 and at 20 epochs
    QVERIFY(methodEpochs.count({"adapter", 20}) && methodEpochs.count({"full", 3}));
    QCOMPARE(experiments::presetPlan("adapter-size", base, 12).expand().size(), size_t(8));
    const auto robust = experiments::presetPlan("init-robustness", base, 12).expand();
    QCOMPARE(robust.size(), size_t(8 * 3));
    QCOMPARE(robust.front().adapter.initStd, 1e-7);
    json fixedLr = base;
    fixedLr["learning_rate"] = 1e-3; // an override replaces the preset's axis
    QCOMPARE(experiments::presetPlan("tradeoff", fixedLr, 2).expand().size(),
             size_t((3 + 2 + 1 + 1 + 1) * 2));
    fixedLr["epochs"] = 5;
    const auto fixedEpochs = experiments::presetPlan("tradeoff", fixedLr, 2).expand();
    QCOMPARE(fixedEpochs.size(), size_t(3 + 2 + 1 + 1 + 1));
    QCOMPARE(fixedEpochs.back().epochs, 5);
    // Every axis a preset names is one its plan varies or a base can fix.
    for (const auto& name : experiments::presetNames()) {
        const auto axes = experiments::presetAxes(name);
        QVERIFY(std::find(axes.begin(), axes.end(), "method") != axes.end());
        json all = base;
        for (const auto& a : axes)
            all[a] = a == "method"                             ? json("adapter")
                     : a == "learning_rate" || a == "init_std" ? json(1e-3)
                                                               : json(1);
        // With every axis fixed, one run per method grid is left.
        QCOMPARE(experiments::presetPlan(name, all, 2).expand().size(),
                 size_t(name == "tradeoff"       ? 5
                        : name == "peft-compare" ? 8
                                                 : 1));
    }
    // peft-compare: each method over its registry knob values x 3 lr x 2 epoch counts x 3 seeds.
    const auto peft = experiments::presetPlan("peft-compare", base, 12).expand();
    QCOMPARE(peft.size(), size_t((3 + 3 + 3 + 4 + 3 + 1 + 1 + 1) * 3 * 2 * 3));
    std::map<std::string, std::set<int64_t>> knobs;
    for (const auto& r : peft)
        knobs[train::toString(r.method.method)].insert(train::knobValue(r));
    QCOMPARE(knobs.size(), size_t(8));
    QVERIFY((knobs["lora"] == std::set<int64_t>{1, 4, 8, 64}));
    QVERIFY((knobs["prefix"] == std::set<int64_t>{1, 10, 30}));
    QVERIFY((knobs["pfeiffer"] == std::set<int64_t>{8, 64, 256}));
    QVERIFY_THROWS_EXCEPTION(Error, experiments::presetAxes("nope"));
    QVERIFY_THROWS_EXCEPTION(Error, experiments::presetPlan("nope", base, 2));
}

void TestExperiments::selectionAndAggregation() {
    // Adapters m=8: lr 1e-3 has seeds {0.70, 0.80} (mean 0.75), lr 1e-4 {0.62, 0.90} (mean 0.76):
    // 1e-4 is selected on the mean over seeds.
    std::vector<store::RunRecord> runs{record(1, "adapter", 8, 1e-3, 1, 0.70), record(2, "adapter", 8, 1e-3, 2, 0.80),
                                       record(3, "adapter", 8, 1e-4, 1, 0.62), record(4, "adapter", 8, 1e-4, 2, 0.90),
                                       record(5, "adapter", 64, 1e-3, 1, 0.85), record(6, "full", 0, 1e-4, 1, 0.88)};
    auto failed = record(7, "adapter", 64, 1e-4, 1, 0.99);
    failed.status = store::RunStatus::Failed;
    runs.push_back(failed);
    // Settings this build could not read (a newer release's method): never counted.
    auto unreadable = record(9, "adapter", 8, 1e-4, 3, 0.99);
    unreadable.configError = "run 9: unknown method 'lora'";
    runs.push_back(unreadable);
    const auto rows = experiments::resultTable(runs, experiments::Table::Tradeoff);
    QCOMPARE(rows.size(), size_t(3));
    const auto& m8 = rows[0];
    QCOMPARE(m8.knob, int64_t(8));
    QCOMPARE(m8.learningRate, 1e-4);
    QCOMPARE(m8.seeds, 2);
    QVERIFY(qAbs(m8.mean - 0.76) < 1e-12);
    QVERIFY(qAbs(m8.std - std::sqrt(2 * 0.14 * 0.14)) < 1e-12); // sample std of {0.62, 0.90}
    QCOMPARE(m8.best, 0.90);
    QCOMPARE(m8.runIds, (std::vector<int64_t>{3, 4}));
    QCOMPARE(rows[1].knob, int64_t(64));
    QCOMPARE(rows[1].mean, 0.85); // the failed run is not counted
    QCOMPARE(rows[2].method, train::Method::Full);
    QCOMPARE(experiments::resultTable(runs, experiments::Table::Size).size(), size_t(2));
    QCOMPARE(experiments::resultTable(runs, experiments::Table::Tradeoff, "MNLI").size(), size_t(0));
    QCOMPARE(experiments::taskDisplayName("file:/a/imdb/train.csv,dev=/x.csv"), std::string("imdb"));
    QCOMPARE(experiments::taskDisplayName("lines:/d/TREC.train.all,encoding=latin1"), std::string("TREC.train"));
    QVERIFY(experiments::toCsv(rows).find("RTE,adapter,8,") != std::string::npos);
    // A learning-curve run (200 examples) scoring higher is a row of its own, never selected
    // against the runs on the whole training split.
    auto sampled = record(8, "adapter", 8, 3e-3, 1, 0.95);
    sampled.configJson["train_size"] = 200;
    sampled.config.trainSize = 200;
    runs.push_back(sampled);
    const auto withCurve = experiments::resultTable(runs, experiments::Table::Tradeoff);
    QCOMPARE(withCurve.size(), size_t(4));
    QCOMPARE(withCurve[0].trainSize, int64_t(0));
    QCOMPARE(withCurve[0].learningRate, 1e-4); // the whole split's selection is unchanged
    QCOMPARE(withCurve[1].trainSize, int64_t(200));
    QCOMPARE(withCurve[1].mean, 0.95);
    QCOMPARE(experiments::toJson(withCurve[1])["train_size"].get<int64_t>(), int64_t(200));
    QVERIFY(experiments::toCsv(withCurve).find(",8,200,") !=
            std::string::npos); // run_ids,train_size
    // An architecture variant (adapters after attention only) scoring higher is a row of its
    // own too, named in the exports; a run stored before the placement setting existed (no
    // key) is the default architecture and groups with the others.
    auto attentionOnly = record(10, "adapter", 8, 1e-3, 1, 0.97);
    attentionOnly.configJson["adapter_placement"] = "attention";
    attentionOnly.config = train::RunConfig::fromJson(attentionOnly.configJson);
    runs.push_back(attentionOnly);
    auto explicitDefault = record(11, "adapter", 8, 1e-4, 3, 0.76);
    explicitDefault.configJson["adapter_activation"] = "gelu";
    explicitDefault.config = train::RunConfig::fromJson(explicitDefault.configJson);
    runs.push_back(explicitDefault);
    const auto withVariant = experiments::resultTable(runs, experiments::Table::Tradeoff);
    QCOMPARE(withVariant.size(), size_t(5));
    QCOMPARE(withVariant[0].variant, std::string());
    QCOMPARE(withVariant[0].runIds, (std::vector<int64_t>{3, 4, 11})); // seeds 1, 2 and 3
    QCOMPARE(withVariant[1].variant, std::string("attention"));
    QCOMPARE(withVariant[1].mean, 0.97);
    QCOMPARE(experiments::toJson(withVariant[1])["variant"].get<std::string>(),
             std::string("attention"));
    QCOMPARE(experiments::toJson(withVariant[1])["knob"].get<std::string>(), std::string("m"));
    QVERIFY(experiments::toCsv(withVariant).find(",m,attention\n") != std::string::npos);
}

void TestExperiments::ablationEqualsNaive_data() {
    // Every method whose modules sit in the layers: the fast ablation equals the naive one.
    QTest::addColumn<int>("method");
    QTest::addColumn<QString>("settings");
    QTest::newRow("adapter") << int(train::Method::Adapter) << "{}";
    QTest::newRow("pfeiffer") << int(train::Method::Pfeiffer) << R"({"adapter_size": 4})";
    QTest::newRow("parallel") << int(train::Method::Parallel) << R"({"adapter_placement": "both"})";
    QTest::newRow("lora") << int(train::Method::Lora)
                          << R"({"lora_rank": 2, "lora_targets": "query,value,output"})";
    QTest::newRow("prefix") << int(train::Method::Prefix)
                            << R"({"prefix_length": 3, "prefix_hidden": 0})";
    QTest::newRow("ia3") << int(train::Method::Ia3) << "{}";
}

void TestExperiments::ablationEqualsNaive() {
    QFETCH(int, method);
    QFETCH(QString, settings);
    auto m = methodModel(4, static_cast<train::Method>(method), qPrintable(settings));
    const auto dev = randomSplit(40, 70);
    data::TaskData task;
    task.labels = {"0", "1"};
    task.mainMetric = "accuracy";
    const auto fn = [&](const std::vector<double>& v) { return train::scorePredictions(task, v, dev); };
    const auto fast = experiments::ablateLayers(m, dev, 0, false, fn, "accuracy");
    const auto naive = experiments::ablateLayersNaive(m, dev, 0, false, fn, "accuracy");
    QCOMPARE(fast.cells.size(), size_t(10));
    QCOMPARE(fast.intact.metrics, naive.intact.metrics);
    std::set<double> distinct;
    for (size_t i = 0; i < fast.cells.size(); ++i) {
        QCOMPARE(fast.cells[i].first, naive.cells[i].first);
        QCOMPARE(fast.cells[i].last, naive.cells[i].last);
        QCOMPARE(fast.cells[i].metrics, naive.cells[i].metrics); // number for number
        distinct.insert(fast.cells[i].score);
    }
    QVERIFY(distinct.size() > 1);
    QVERIFY(fast.layerEvaluations < naive.layerEvaluations);
    QVERIFY(m->layer(0)->modulesEnabled() && m->layer(3)->modulesEnabled()); // restored
}

void TestExperiments::ablationAllOffIsThePlainModel_data() {
    ablationEqualsNaive_data();
}

void TestExperiments::ablationAllOffIsThePlainModel() {
    // With every layer's modules removed the model is the backbone: adapters, LoRA updates,
    // (IA)³ scalings and the prefix (also in the attention mask) all gone.
    QFETCH(int, method);
    QFETCH(QString, settings);
    auto m = methodModel(3, static_cast<train::Method>(method), qPrintable(settings));
    const auto dev = randomSplit(40, 40);
    // The plain model: same backbone weights, no modules.
    model::BertModel plain(m->config(), std::nullopt, true);
    {
        torch::NoGradGuard g;
        auto src = m->named_parameters();
        for (auto& p : plain->named_parameters()) p.value().copy_(src[p.key()]);
    }
    plain->eval();
    std::vector<double> plainPred(dev.size());
    for (const auto& idx : data::makeBatches(dev, 32, false, 0)) {
        const auto b = data::collate(dev, idx, 0);
        torch::NoGradGuard g;
        const auto am = plain->forward(b.ids, b.typeIds, b.mask).logits.argmax(1);
        for (size_t k = 0; k < idx.size(); ++k) plainPred[idx[k]] = static_cast<double>(am[static_cast<int64_t>(k)].item<int64_t>());
    }
    // Capture every cell's predictions through the metric function.
    std::vector<std::vector<double>> all;
    const auto keep = [&](const std::vector<double>& v) {
        all.push_back(v);
        return train::Metrics{{"accuracy", 0.0}};
    };
    const auto r = experiments::ablateLayers(m, dev, 0, false, keep, "accuracy");
    // Metrics are computed intact first, then spans in order: [0,0], [0,1], [0,2] is index 3.
    QCOMPARE(all.size(), size_t(1 + 6));
    QCOMPARE(r.cells[2].first, 0);
    QCOMPARE(r.cells[2].last, 2);
    QCOMPARE(all[3], plainPred);
    QVERIFY(all[0] != plainPred); // the intact model is not the backbone
}

void TestExperiments::ablationCostRatio() {
    auto m = adapterModel(12, 0.01);
    const auto dev = randomSplit(40, 32);
    data::TaskData task;
    task.labels = {"0", "1"};
    task.mainMetric = "accuracy";
    const auto fn = [&](const std::vector<double>& v) { return train::scorePredictions(task, v, dev); };
    const auto r = experiments::ablateLayers(m, dev, 0, false, fn, "accuracy");
    QCOMPARE(r.cells.size(), size_t(78));
    const double ratio = double(r.layerEvaluations) / double(r.naiveLayerEvaluations);
    qInfo("L = 12: %lld layer evaluations against %lld naive (%.1f%%)", static_cast<long long>(r.layerEvaluations),
          static_cast<long long>(r.naiveLayerEvaluations), 100 * ratio);
    QCOMPARE(r.layerEvaluations, int64_t(12 + 12 * 13 * 14 / 6)); // intact + L(L+1)(L+2)/6
    QVERIFY(ratio <= 0.40);
}

void TestExperiments::sweepRunsAndResumes() {
    testutil::Fixture f;
    store::Store s(f.path("e.alab"));
    auto base = f.config(train::Method::Adapter, 1).toJson();
    const auto plan = experiments::SweepPlan::fromJson(
        {{"name", "mini"}, {"base", base}, {"grid", {{"adapter_size", {4, 8, 16}}}}});
    const int64_t sweep = experiments::createSweep(s, plan);
    const auto ids = s.sweepRuns(sweep);
    QCOMPARE(ids.size(), size_t(3));
    for (auto id : ids)
        QCOMPARE(s.run(id).status, store::RunStatus::Queued);
    // Stop after the first run.
    std::atomic<bool> stop{false};
    experiments::runSweep(s, sweep, nullptr, &stop, [&](const experiments::SweepProgress& p) {
        if (p.done == 1) stop = true;
    });
    QCOMPARE(s.run(ids[0]).status, store::RunStatus::Finished);
    QCOMPARE(s.run(ids[1]).status, store::RunStatus::Queued);
    const std::string firstFinished = s.run(ids[0]).finishedAt;
    // Pretend the second run was killed mid-way.
    s.database().exec("UPDATE runs SET status = 'interrupted' WHERE id = " + std::to_string(ids[1]));
    s.appendSteps(ids[1], {{1, 1, 9.0, 0, 0}});
    experiments::runSweep(s, sweep);
    for (auto id : ids)
        QCOMPARE(s.run(id).status, store::RunStatus::Finished);
    QCOMPARE(s.run(ids[0]).finishedAt, firstFinished); // not repeated
    QVERIFY(s.steps(ids[1]).front().loss != 9.0);       // restarted cleanly
    QCOMPARE(s.run(ids[2]).config.adapter.size, int64_t(16));
    const auto rows = experiments::resultTable(s.runs(), experiments::Table::Size);
    QCOMPARE(rows.size(), size_t(3));
}

void TestExperiments::ablateStoredRun() {
    // Every method with per-layer modules, end to end: trained, stored (a prefix folded),
    // reloaded for evaluation and ablation with the dev metric it had in training.
    testutil::Fixture f;
    store::Store s(f.path("e.alab"));
    for (const auto& info : train::methods()) {
        if (!info.layerModules) continue;
        auto cfg = f.config(info.method, 2);
        cfg.adapter.initStd = 0.3;
        const int64_t id = experiments::runTraining(s, cfg);
        const double best = s.run(id).bestMetrics["accuracy"].get<double>();
        QCOMPARE(experiments::evaluateRun(s, id, cfg.task, "dev").at("accuracy"), best);
        int64_t work = 0, naive = 0;
        const auto rows = experiments::ablateRun(s, id, {}, &work, &naive);
        QCOMPARE(rows.size(), size_t(1 + 3));
        QCOMPARE(rows.front().first, int64_t(-1));
        QCOMPARE(rows.front().score, best); // intact = stored best
        QCOMPARE(s.ablation(id).size(), size_t(4));
        QVERIFY(
            experiments::ablationCsv(s.ablation(id)).find("first_layer,last_layer,score,drop") ==
            0);
    }
    const auto full = experiments::runTraining(s, f.config(train::Method::Full, 1));
    QVERIFY_THROWS_EXCEPTION(Error, experiments::ablateRun(s, full));
}

void TestExperiments::cancelledAblationStoresNothing() {
    // Cancelled between batches: no metrics from part of the dev split, adapters back on.
    auto m = adapterModel(3, 0.5);
    const auto dev = randomSplit(40, 70); // 3 batches of 32
    data::TaskData task;
    task.labels = {"0", "1"};
    task.mainMetric = "accuracy";
    const auto fn = [&](const std::vector<double>& v) {
        return train::scorePredictions(task, v, dev);
    };
    std::atomic<bool> cancel{false};
    int batches = 0;
    const auto progress = [&](int done, int) {
        batches = done;
        if (done == 1) cancel = true;
    };
    const auto r = experiments::ablateLayers(m, dev, 0, false, fn, "accuracy", progress, &cancel);
    QVERIFY(r.cancelled);
    QCOMPARE(batches, 1);
    QVERIFY(r.cells.empty() && r.intact.metrics.empty());
    QVERIFY(m->layer(0)->modulesEnabled() && m->layer(2)->modulesEnabled());
    // A stored run keeps the matrix it had: saveAblation is not reached.
    testutil::Fixture f;
    store::Store s(f.path("e.alab"));
    const int64_t id = experiments::runTraining(s, f.config(train::Method::Adapter, 1));
    const auto stored = experiments::ablateRun(s, id);
    const std::atomic<bool> stop{true};
    QVERIFY(experiments::ablateRun(s, id, {}, nullptr, nullptr, &stop).empty());
    const auto kept = s.ablation(id);
    QCOMPARE(kept.size(), stored.size());
    QCOMPARE(kept.front().score, stored.front().score);
}

void TestExperiments::trainSizeIsALearningCurveAxis() {
    // The fixture's 256 training examples; batch 16, 1 epoch: the steps count the examples used.
    testutil::Fixture f;
    store::Store s(f.path("c.alab"));
    auto base = f.config(train::Method::Full, 1);
    const auto plan = experiments::SweepPlan::fromJson(
        {{"name", "curve"}, {"base", base.toJson()}, {"grid", {{"train_size", {40, 100, 0}}}}});
    const auto sweep = experiments::createSweep(s, plan);
    experiments::runSweep(s, sweep);
    std::map<int64_t, int64_t> stepsBySize;
    for (const auto& r : s.runs()) {
        QCOMPARE(r.status, store::RunStatus::Finished);
        stepsBySize[r.config.trainSize] = r.steps;
    }
    QCOMPARE(stepsBySize.size(), size_t(3));
    QCOMPARE(stepsBySize[40], int64_t(3));  // ceil(40 / 16)
    QCOMPARE(stepsBySize[100], int64_t(7)); // ceil(100 / 16)
    QCOMPARE(stepsBySize[0], int64_t(16));  // all 256
    // More than the task has: the run fails with the reason, nothing else is touched.
    base.trainSize = 1000;
    const std::string e = testutil::errorOf([&] { experiments::runTraining(s, base); });
    QVERIFY2(e.find("cannot keep 1000 training examples of 256") != std::string::npos, e.c_str());
    QCOMPARE(s.runs().back().status, store::RunStatus::Failed);
    QCOMPARE(s.runs().size(), size_t(4));
    base.trainSize = -1;
    QVERIFY(testutil::errorOf([&] { base.validate(); }).find("training-set size must be >= 0") !=
            std::string::npos);
    // Settings files name it; old ones without it mean all examples.
    QCOMPARE(train::RunConfig::fromJson({{"train_size", 500}}).trainSize, int64_t(500));
    QCOMPARE(train::RunConfig::fromJson(json::object()).trainSize, int64_t(0));
    QVERIFY(testutil::errorOf([] {
                train::RunConfig::fromJson({{"train_size", "many"}});
            }).find("'train_size' must be an integer") != std::string::npos);
}

void TestExperiments::parallelWorkersRunEverythingOnce() {
    // Two workers (on the CPU here; one per GPU on a multi-GPU machine), each with its own
    // store connection: every run once, none lost, all finished.
    testutil::Fixture f;
    store::Store s(f.path("p.alab"));
    const auto plan = experiments::SweepPlan::fromJson(
        {{"name", "par"}, {"base", f.config(train::Method::Adapter, 1).toJson()}, {"grid", {{"seed", {1, 2, 3, 4, 5}}}}});
    const int64_t sweep = experiments::createSweep(s, plan);
    std::vector<int64_t> reported;
    experiments::runSweep(s, sweep, nullptr, nullptr, [&](const experiments::SweepProgress& p) { reported.push_back(p.runId); }, 2);
    QCOMPARE(reported.size(), size_t(5));
    std::sort(reported.begin(), reported.end());
    QCOMPARE(reported, s.sweepRuns(sweep));
    for (auto id : s.sweepRuns(sweep)) {
        const auto run = s.run(id);
        QVERIFY2(run.status == store::RunStatus::Finished,
                 (std::string(store::toString(run.status)) + ": " + run.error).c_str());
        QCOMPARE(int(s.evals(id).size()), 1);
    }
}

QTEST_APPLESS_MAIN(TestExperiments)
#include "test_experiments.moc"
