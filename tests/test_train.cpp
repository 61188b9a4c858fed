// The trainer on a small learnable task: schedule, frozen parameters, determinism,
// cancellation, and a whole run recorded in the store and reloaded after "restart".
#include "test_util.h"
#include "train_fixture.h"

#include "data/task_loader.h"
#include "experiments/run_job.h"
#include "model/hf_import.h"
#include "store/store.h"
#include "text/tokenizer.h"
#include "train/trainer.h"
#include "util/error.h"

#include <QTemporaryDir>

#include <chrono>
#include <numeric>
#include <random>
#include <thread>

#include <ATen/Parallel.h>

using namespace adapterlab;

namespace {
using testutil::errorOf;
using testutil::Fixture;
using testutil::Setup;

struct Recorder : train::TrainObserver {
    std::vector<double> losses, lrs;
    std::vector<train::EvalInfo> evals;
    std::atomic<bool>* cancelAfter3 = nullptr;
    std::atomic<bool>* cancelAfterEpoch2 = nullptr;
    void onStep(const train::StepInfo& s) override {
        losses.push_back(s.loss);
        lrs.push_back(s.learningRate);
        if (cancelAfter3 && s.step == 3) cancelAfter3->store(true);
    }
    void onEval(const train::EvalInfo& e) override {
        evals.push_back(e);
        if (cancelAfterEpoch2 && e.epoch == 2) cancelAfterEpoch2->store(true);
    }
};

// Every parameter of a model, by name, copied to the CPU.
std::map<std::string, torch::Tensor> snapshot(model::BertModel& m) {
    std::map<std::string, torch::Tensor> out;
    for (const auto& p : m->named_parameters()) out[p.key()] = p.value().detach().clone();
    return out;
}

// Builds a trainer the way runTraining does (without the store).

} // namespace

class TestTrain : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { at::set_num_threads(1); }
    void scheduleShape();
    void bucketedBatches();
    void frozenParametersDoNotMove();
    void deterministicLossCurve();
    void learnsTheTask();
    void cancellationStopsBetweenBatches();
    void reportingTimeIsMeasured();
    void runIsStoredAndReloads();
    void impossibleSettingsAreRefused();
    void resumesBitIdenticalFromEpochCheckpoint();
    void badCheckpointsAreRefused();
    void storedRunResumes();
};

void TestTrain::scheduleShape() {
    const int64_t total = 100;
    QCOMPARE(train::scheduledLearningRate(1.0, 0, total, 0.1), 0.0);
    QCOMPARE(train::scheduledLearningRate(1.0, 5, total, 0.1), 0.5);
    QCOMPARE(train::scheduledLearningRate(1.0, 10, total, 0.1), 1.0);
    QCOMPARE(train::scheduledLearningRate(1.0, 55, total, 0.1), 0.5);
    QVERIFY(train::scheduledLearningRate(1.0, 99, total, 0.1) < 0.02);
    for (int64_t s = 1; s < total; ++s) {
        const double prev = train::scheduledLearningRate(1.0, s - 1, total, 0.1);
        const double cur = train::scheduledLearningRate(1.0, s, total, 0.1);
        QVERIFY(s <= 10 ? cur >= prev : cur <= prev);
    }
    QCOMPARE(train::scheduledLearningRate(2.0, 0, total, 0.0), 2.0);
}

void TestTrain::bucketedBatches() {
    // 1000 examples of random lengths 3..130: every index once, batches of similar length,
    // padding only to each batch's longest.
    data::EncodedSplit split;
    std::mt19937 rng(4);
    for (int i = 0; i < 1000; ++i) {
        text::Encoding e;
        const size_t n = 3 + rng() % 128;
        e.inputIds.assign(n, 7);
        e.tokenTypeIds.assign(n, 0);
        e.attentionMask.assign(n, 1);
        split.encodings.push_back(e);
        split.labels.push_back(i % 2);
    }
    const auto batches = data::makeBatches(split, 32, true, 9);
    std::vector<int> seen(1000, 0);
    size_t padded = 0, real = 0;
    for (const auto& b : batches) {
        size_t lo = 1000, hi = 0;
        for (size_t i : b) {
            ++seen[i];
            lo = std::min(lo, split.encodings[i].inputIds.size());
            hi = std::max(hi, split.encodings[i].inputIds.size());
            real += split.encodings[i].inputIds.size();
        }
        padded += hi * b.size();
        QVERIFY2(hi - lo <= 12, qPrintable(QString("batch spans %1..%2").arg(lo).arg(hi)));
        const auto t = data::collate(split, b, 0);
        QCOMPARE(t.ids.size(1), int64_t(hi));
        QCOMPARE(t.mask.sum().item<int64_t>(), int64_t(std::accumulate(b.begin(), b.end(), size_t(0),
            [&](size_t acc, size_t i) { return acc + split.encodings[i].inputIds.size(); })));
    }
    QVERIFY(std::all_of(seen.begin(), seen.end(), [](int c) { return c == 1; }));
    qInfo("bucketing: %.1f%% of the padded tokens are real (fixed padding to 130: %.1f%%)",
          100.0 * real / padded, 100.0 * real / (1000 * 130));
    QVERIFY(double(real) / padded > 0.9);
    // Another seed gives another order; the same seed the same one.
    QVERIFY(data::makeBatches(split, 32, true, 9) == batches);
    QVERIFY(data::makeBatches(split, 32, true, 10) != batches);
}

void TestTrain::frozenParametersDoNotMove() {
    Fixture f;
    for (const auto& info : train::methods()) { // every method of the registry
        const auto method = info.method;
        auto cfg = f.config(method, 1);
        Setup s(f, cfg);
        std::map<std::string, torch::Tensor> before;
        for (const auto& p : s.model->named_parameters()) before[p.key()] = p.value().detach().clone();
        s.trainer->train();
        const auto& trainable = s.trainer->trainableNames();
        for (const auto& p : s.model->named_parameters()) {
            const bool isTrainable = std::find(trainable.begin(), trainable.end(), p.key()) != trainable.end();
            const bool same = torch::equal(p.value(), before[p.key()]);
            QVERIFY2(isTrainable ? !same || p.key().find("bias") != std::string::npos : same, p.key().c_str());
            QCOMPARE(p.value().requires_grad(), isTrainable);
            if (!isTrainable) QVERIFY(!p.value().grad().defined()); // no gradient was ever made
        }
        QVERIFY(!torch::equal(s.model->classifier->weight, before["classifier.weight"]));
        if (method == train::Method::BitFit) {
            // The biases (every one of them) and the head, nothing else.
            size_t biases = 0;
            for (const auto& p : s.model->named_parameters())
                biases += p.key().size() > 5 && p.key().substr(p.key().size() - 5) == ".bias";
            QCOMPARE(trainable.size(), biases + 1); // + classifier.weight
            for (const auto& n : trainable)
                QVERIFY2(n.substr(n.size() - 5) == ".bias" || n == "classifier.weight", n.c_str());
        }
    }
}

void TestTrain::deterministicLossCurve() {
    Fixture f;
    const auto cfg = f.config(train::Method::Adapter, 1);
    Recorder a, b;
    Setup(f, cfg).trainer->train(&a);
    Setup(f, cfg).trainer->train(&b);
    QVERIFY(a.losses.size() > 10);
    QCOMPARE(a.losses, b.losses); // bit for bit
    auto other = cfg;
    other.seed = 2;
    Recorder c;
    Setup(f, other).trainer->train(&c);
    QVERIFY(c.losses != a.losses);
}

void TestTrain::learnsTheTask() {
    // Full fine-tuning learns the word-level task from a random backbone. Adapters (fresh head,
    // near-identity init) then learn it on the backbone that full fine-tuning produced: on a
    // backbone whose features carry the signal they need only a few epochs. (On the random
    // backbone they barely move from chance: frozen random layers hide the signal.)
    Fixture f;
    Recorder full;
    Setup s(f, f.config(train::Method::Full, 6));
    const auto fr = s.trainer->train(&full);
    QCOMPARE(int(full.evals.size()), 6);
    qInfo("full: best dev accuracy %.3f at epoch %d; loss %.3f -> %.3f", fr.bestScore, fr.bestEpoch,
          full.losses.front(), full.losses.back());
    QVERIFY2(fr.bestScore > 0.9, qPrintable(QString::number(fr.bestScore)));
    QVERIFY(!fr.taskParameters.empty());

    model::saveHfModel(s.model, f.path("tuned"));
    QVERIFY(QFile::copy(QString::fromStdString(f.path("bb/vocab.txt")), QString::fromStdString(f.path("tuned/vocab.txt"))));
    auto cfg = f.config(train::Method::Adapter, 3);
    cfg.backbone = f.path("tuned");
    Recorder ad;
    const auto ar = Setup(f, cfg).trainer->train(&ad);
    qInfo("adapters on the tuned backbone: best dev accuracy %.3f; loss %.3f -> %.3f", ar.bestScore,
          ad.losses.front(), ad.losses.back());
    QVERIFY2(ar.bestScore > 0.9, qPrintable(QString::number(ar.bestScore)));
    QVERIFY(ad.losses.back() < ad.losses.front() - 0.3);
}

void TestTrain::cancellationStopsBetweenBatches() {
    Fixture f;
    std::atomic<bool> cancel{false};
    Recorder r;
    r.cancelAfter3 = &cancel;
    const auto result = Setup(f, f.config(train::Method::Adapter, 3)).trainer->train(&r, &cancel);
    QVERIFY(result.cancelled);
    QCOMPARE(result.steps, int64_t(3));
    QVERIFY(r.evals.empty());
}

void TestTrain::reportingTimeIsMeasured() {
    // The trainer's clock around reports (the store-overhead benchmark reads it): an observer that
    // takes 5 ms per step must show up as at least steps x 5 ms, and never more than the run.
    Fixture f;
    struct Slow : train::TrainObserver {
        int steps = 0;
        void onStep(const train::StepInfo&) override {
            ++steps;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    } slow;
    auto setup = Setup(f, f.config(train::Method::Adapter, 1));
    setup.trainer->setCheckpointPath(f.path("ck.pt"));
    const auto r = setup.trainer->train(&slow);
    QCOMPARE(int64_t(slow.steps), r.steps);
    QVERIFY2(r.observerSeconds >= 0.005 * double(r.steps),
             qPrintable(QString::number(r.observerSeconds)));
    QVERIFY(r.observerSeconds < r.trainSeconds);
    QVERIFY(r.checkpointSeconds > 0);
    QVERIFY(r.observerSeconds + r.checkpointSeconds < r.trainSeconds);
    // Without an observer nothing is reported, so nothing is counted.
    QCOMPARE(Setup(f, f.config(train::Method::Adapter, 1)).trainer->train().observerSeconds, 0.0);
}

void TestTrain::runIsStoredAndReloads() {
    Fixture f;
    const std::string db = f.path("e.alab");
    const auto cfg = f.config(train::Method::Adapter, 2);
    int64_t id = 0;
    {
        store::Store s(db);
        id = experiments::runTraining(s, cfg);
    }
    store::Store s(db); // as after a restart
    const auto r = s.run(id);
    QCOMPARE(r.status, store::RunStatus::Finished);
    QCOMPARE(r.device, std::string("cpu"));
    QCOMPARE(int(s.evals(id).size()), 2);
    QCOMPARE(int64_t(s.steps(id).size()), r.steps);
    QCOMPARE(r.steps, int64_t(2 * ((256 + 15) / 16)));
    QVERIFY(r.paramsTrainable < r.paramsTotal);
    QCOMPARE(r.params["groups"]["adapters"].get<int64_t>(), 2 * 2 * (2 * 8 * 32 + 32 + 8));
    QVERIFY(!r.backboneId.empty());
    // Reloaded per-task parameters reproduce the stored best dev metrics exactly.
    const auto m = experiments::evaluateRun(s, id, cfg.task, "dev");
    QCOMPARE(m.at("accuracy"), r.bestMetrics["accuracy"].get<double>());
    // A method added to the registry (BitFit) stores, reloads and evaluates the same way; its
    // count is the registry's formula (d = 32, L = 2, f = 64) plus the head.
    const int64_t bitfit = experiments::runTraining(s, f.config(train::Method::BitFit, 1));
    const auto b = s.run(bitfit);
    QCOMPARE(b.status, store::RunStatus::Finished);
    QCOMPARE(b.paramsTrainable, int64_t(2 * (7 * 32 + 64) + 2 * 32 + (2 * 32 + 2)));
    QCOMPARE(experiments::evaluateRun(s, bitfit, cfg.task, "dev").at("accuracy"),
             b.bestMetrics["accuracy"].get<double>());
}

void TestTrain::impossibleSettingsAreRefused() {
    Fixture f;
    store::Store s(f.path("e.alab"));
    const auto refused = [&](auto mutate, const char* needle) {
        auto cfg = f.config(train::Method::Adapter, 1);
        mutate(cfg);
        try {
            experiments::runTraining(s, cfg);
            QFAIL("accepted an impossible setting");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find(needle) != std::string::npos, e.what());
        }
    };
    refused([](auto& c) { c.adapter.size = 0; }, "adapter size");
    refused([](auto& c) { c.adapter.initStd = std::nan(""); }, "init std");
    refused([](auto& c) { c.adapter.initStd = -1e-3; }, "init std must be a finite number >= 0");
    refused([](auto& c) { c.learningRate = 0; }, "learning rate");
    refused([](auto& c) { c.batchSize = 0; }, "batch size");
    refused([](auto& c) { c.epochs = 0; }, "epochs");
    const size_t before = s.runs().size();
    QCOMPARE(before, size_t(0)); // nothing written for settings that can never run
    refused([](auto& c) { c.maxLength = 65; }, "exceeds the backbone's 64 positions");
    refused([](auto& c) { c.method = {train::Method::TopK, 3}; }, "top-k = 3");
    refused([](auto& c) { c.device = "cuda:7"; }, "cuda:7");
    for (const auto& r : s.runs())
        QCOMPARE(r.status, store::RunStatus::Failed); // recorded with reason
    // Field by field: every problem names its setting's key, so a form marks the field itself.
    auto cfg = f.config(train::Method::Adapter, 1);
    cfg.adapter.size = 0;
    cfg.learningRate = std::nan("");
    cfg.epochs = 0;
    cfg.batchSize = 70000;
    cfg.trainSize = -1;
    cfg.task.clear();
    std::vector<std::string> fields;
    for (const auto& p : cfg.check())
        fields.push_back(p.field);
    QCOMPARE(fields, (std::vector<std::string>{"task", "adapter_size", "learning_rate", "epochs",
                                               "batch_size", "train_size"}));
    QVERIFY(errorOf([&] { cfg.validate(); }).find("task is empty") != std::string::npos);
    auto deep = f.config(train::Method::TopK, 1);
    deep.method.topK = 5;
    deep.maxLength = 100;
    fields.clear();
    for (const auto& p : deep.checkFor(model::BertConfig::fromFile(f.backbone + "/config.json")))
        fields.push_back(p.field);
    QCOMPARE(fields, (std::vector<std::string>{"max_length", "top_k"}));
    QVERIFY(f.config(train::Method::Full, 1).check().empty());
    cfg = f.config(train::Method::Full, 1);
    cfg.adapter.size = 0; // not this method's setting: no problem
    QVERIFY(cfg.check().empty());
    // run.json values of the wrong type or beyond the field's range are named, never cast
    // (6.5e43 as an adapter size was a fuzzer finding: undefined behaviour in the cast).
    const auto jsonError = [](const nlohmann::json& j) {
        return errorOf([&] { train::RunConfig::fromJson(j, "run.json"); });
    };
    const std::vector<std::pair<nlohmann::json, std::string>> bad = {
        {{{"epochs", 4294967299LL}}, "run.json: setting 'epochs' must be an integer in [-2147483648, 2147483647]"},
        {{{"adapter_size", 6.5e43}}, "setting 'adapter_size' must be an integer"},
        {{{"seed", -1}}, "setting 'seed' must be an integer in [0, "},
        {{{"learning_rate", "fast"}}, "setting 'learning_rate' must be a number"},
        {{{"method", 3}}, "setting 'method' must be a string"},
        {{{"skip_malformed", 1}}, "must be true or false"},
        {{{"pooling", "max"}}, "run.json: unknown pooling 'max' (cls | mean)"},
        {{{"colour", "red"}}, "unknown setting 'colour'"}};
    for (const auto& [j, needle] : bad) {
        const std::string err = jsonError(j);
        QVERIFY2(err.find(needle) != std::string::npos, (j.dump() + " -> " + err).c_str());
    }
    QVERIFY(jsonError({{"epochs", 5}, {"seed", 18446744073709551615ULL}}).empty());
    auto withMean = f.config(train::Method::Adapter, 1);
    withMean.pooling = model::Pooling::Mean;
    QVERIFY(train::RunConfig::fromJson(withMean.toJson()).pooling == model::Pooling::Mean);
    QVERIFY(train::RunConfig::fromJson(nlohmann::json::object()).pooling == model::Pooling::Cls);
}

void TestTrain::resumesBitIdenticalFromEpochCheckpoint() {
    // Every method: its modules, its optimizer state and its dropout draws all resume.
    Fixture f;
    for (const auto& info : train::methods()) {
        const auto method = info.method;
        const auto cfg = f.config(method, 4);
        // Unbroken run.
        Recorder a;
        Setup whole(f, cfg);
        const auto ra = whole.trainer->train(&a);
        QCOMPARE(int(a.evals.size()), 4);
        // The same run stopped after epoch 2, then resumed by a fresh trainer ("after a restart").
        const std::string ckpt = f.path(QString("ckpt-%1.pt").arg(int(method)));
        std::atomic<bool> stop{false};
        Recorder b1;
        b1.cancelAfterEpoch2 = &stop;
        Setup first(f, cfg);
        first.trainer->setCheckpointPath(ckpt);
        QVERIFY(first.trainer->train(&b1, &stop).cancelled);
        QCOMPARE(int(b1.evals.size()), 2);
        Recorder b2;
        Setup second(f, cfg);
        second.trainer->setCheckpointPath(ckpt);
        const auto at = second.trainer->resumeFrom(ckpt);
        QCOMPARE(at.epoch, 2);
        QCOMPARE(at.step, int64_t(b1.losses.size()));
        const auto rb = second.trainer->train(&b2);
        QCOMPARE(int(b2.evals.size()), 2); // epochs 3 and 4
        QCOMPARE(b2.evals.front().epoch, 3);
        // Bit for bit: the losses of epochs 3-4, the final weights, the best epoch's parameters.
        QCOMPARE(std::vector<double>(a.losses.begin() + static_cast<long>(b1.losses.size()), a.losses.end()),
                 b2.losses);
        QCOMPARE(rb.bestEpoch, ra.bestEpoch);
        QCOMPARE(rb.bestScore, ra.bestScore);
        QCOMPARE(rb.steps, ra.steps);
        QVERIFY(rb.taskParameters == ra.taskParameters);
        const auto wa = snapshot(whole.model), wb = snapshot(second.model);
        for (const auto& [name, t] : wa) QVERIFY2(torch::equal(t, wb.at(name)), name.c_str());
    }
}

void TestTrain::badCheckpointsAreRefused() {
    Fixture f;
    const auto cfg = f.config(train::Method::Adapter, 2);
    const std::string ckpt = f.path("good.pt");
    {
        Setup s(f, cfg);
        s.trainer->setCheckpointPath(ckpt);
        s.trainer->train();
    }
    const auto resumeError = [&](const train::RunConfig& c, const std::string& path) {
        Setup s(f, c);
        return errorOf([&] { s.trainer->resumeFrom(path); });
    };
    QVERIFY(resumeError(cfg, ckpt).empty());
    QVERIFY(resumeError(cfg, f.path("none.pt")).find("does not exist") != std::string::npos);
    // Truncated, and not a checkpoint at all: a message naming the file.
    QFile good(QString::fromStdString(ckpt));
    QVERIFY(good.open(QIODevice::ReadOnly));
    const QByteArray bytes = good.readAll();
    f.writeFile("cut.pt", bytes.left(bytes.size() / 2));
    f.writeFile("text.pt", "just some text\n");
    for (const char* bad : {"cut.pt", "text.pt"}) {
        const std::string err = resumeError(cfg, f.path(bad));
        QVERIFY2(err.find(f.path(bad)) != std::string::npos && err.find("unreadable") != std::string::npos,
                 err.c_str());
    }
    // Another run's settings or method.
    auto otherLr = cfg;
    otherLr.learningRate = 1e-3;
    QVERIFY(resumeError(otherLr, ckpt).find("other run settings") != std::string::npos);
    auto otherDevice = cfg;
    otherDevice.threads = 2; // threads and device may change
    QVERIFY(resumeError(otherDevice, ckpt).empty());
}

void TestTrain::storedRunResumes() {
    // Through the store: a cancelled run keeps its checkpoint and resumes to the same end as an
    // unbroken run; the rows of the epoch it repeats are not doubled.
    Fixture f;
    store::Store s(f.path("resume.alab"));
    const auto cfg = f.config(train::Method::Adapter, 3);
    const int64_t unbroken = experiments::runTraining(s, cfg);
    std::atomic<bool> stop{false};
    struct StopInEpoch2 : train::TrainObserver {
        std::atomic<bool>* stop;
        void onStep(const train::StepInfo& st) override {
            if (st.epoch == 2 && st.step % 3 == 0) stop->store(true); // mid-epoch
        }
    } observer;
    observer.stop = &stop;
    const int64_t id = experiments::runTraining(s, cfg, &observer, &stop);
    QCOMPARE(s.run(id).status, store::RunStatus::Cancelled);
    QVERIFY(QFile::exists(QString::fromStdString(s.checkpointPath(id))));
    QCOMPARE(experiments::resumeRun(s, id), 1);
    const auto r = s.run(id), u = s.run(unbroken);
    QCOMPARE(r.status, store::RunStatus::Finished);
    QCOMPARE(r.bestScore, u.bestScore);
    QCOMPARE(r.bestEpoch, u.bestEpoch);
    QVERIFY(s.taskParameters(id) == s.taskParameters(unbroken));
    const auto rs = s.steps(id), us = s.steps(unbroken);
    QCOMPARE(rs.size(), us.size());
    for (size_t i = 0; i < rs.size(); ++i) QCOMPARE(rs[i].loss, us[i].loss);
    QCOMPARE(s.evals(id).size(), size_t(3));
    QVERIFY(!QFile::exists(QString::fromStdString(s.checkpointPath(id)))); // finished: removed
    QVERIFY(errorOf([&] { experiments::resumeRun(s, id); }).find("has finished") != std::string::npos);
}

QTEST_APPLESS_MAIN(TestTrain)
#include "test_train.moc"
