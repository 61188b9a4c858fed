// Precision settings on the CPU: parsing and validation, what each resolves to, bf16 autocast
// against fp32 on a tiny model, float32 master weights and checkpoints, loss scaling, the
// out-of-memory report, and the store's record of both. (The CUDA side: tests/device_check.cpp.)
#include "test_util.h"
#include "train_fixture.h"

#include "experiments/run_job.h"
#include "store/store.h"
#include "train/device.h"
#include "train/gpu.h"
#include "train/mixed_precision.h"
#include "util/error.h"

#include <torch/cuda.h>
#include <torch/nn/modules/linear.h>
#include <torch/serialize/input-archive.h>

#include <ATen/Parallel.h>

#include <cmath>

using namespace adapterlab;
using testutil::errorOf;
using testutil::Fixture;
using testutil::Setup;

namespace {

struct Losses : train::TrainObserver {
    std::vector<double> losses;
    std::atomic<bool>* cancelAfterEpoch1 = nullptr;
    void onStep(const train::StepInfo& s) override { losses.push_back(s.loss); }
    void onEval(const train::EvalInfo& e) override {
        if (cancelAfterEpoch1 && e.epoch == 1) cancelAfterEpoch1->store(true);
    }
};

bool contains(const std::string& s, const char* part) {
    return s.find(part) != std::string::npos;
}

} // namespace

class TestPrecision : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { at::set_num_threads(1); }
    void namesAndSettings();
    void plansOnTheCpu();
    void autocastScopeCastsAndRestores();
    void bf16TrainingTracksFp32();
    void bf16KeepsFloat32StateAndResumes();
    void lossScalerSkipsOverflowsAndGrows();
    void outOfMemoryIsReported();
    void storeRecordsPrecision();
    void gpuQueriesMatchTheBuild();
};

void TestPrecision::namesAndSettings() {
    for (const auto p : train::allPrecisions())
        QVERIFY(train::parsePrecision(train::toString(p)) == p);
    QCOMPARE(int(train::allPrecisions().size()), 5);
    const auto bad = errorOf([] { train::parsePrecision("fp8"); });
    QVERIFY2(contains(bad, "precision 'fp8' is not auto, fp32, tf32, bf16 or fp16"), bad.c_str());

    // Stored with the run; absent (an older run) reads as auto; a wrong value is named.
    Fixture f;
    auto c = f.config(train::Method::Adapter);
    c.precision = train::Precision::Bf16;
    const auto j = c.toJson();
    QCOMPARE(QString::fromStdString(j.at("precision").get<std::string>()), QString("bf16"));
    QVERIFY(train::RunConfig::fromJson(j).precision == train::Precision::Bf16);
    auto old = j;
    old.erase("precision");
    QVERIFY(train::RunConfig::fromJson(old).precision == train::Precision::Auto);
    auto wrong = j;
    wrong["precision"] = "half";
    const auto e = errorOf([&] { train::RunConfig::fromJson(wrong, "run.json"); });
    QVERIFY2(contains(e, "run.json: precision 'half'"), e.c_str());

    // fp16 and tf32 on an explicit CPU are refused by the form's check, field named.
    for (const auto p : {train::Precision::Fp16, train::Precision::Tf32}) {
        c.precision = p;
        const auto problems = c.check();
        QCOMPARE(int(problems.size()), 1);
        QCOMPARE(QString::fromStdString(problems[0].field), QString("precision"));
        QVERIFY2(contains(problems[0].message, "needs a CUDA device"), problems[0].message.c_str());
    }
    c.device = "auto"; // may be a GPU: resolved when the run starts
    QVERIFY(c.check().empty());
}

void TestPrecision::plansOnTheCpu() {
    const c10::Device cpu(c10::kCPU);
    const auto fp32 = train::planPrecision(train::Precision::Auto, cpu);
    QVERIFY(fp32.precision == train::Precision::Fp32); // auto on the CPU: fp32
    QVERIFY(!fp32.autocast && !fp32.tf32 && !fp32.lossScaling);
    const auto tf32 = errorOf([&] { train::planPrecision(train::Precision::Tf32, cpu); });
    QVERIFY2(contains(tf32, "tf32 is a CUDA setting"), tf32.c_str());
    const auto fp16 = errorOf([&] { train::planPrecision(train::Precision::Fp16, cpu); });
    QVERIFY2(contains(fp16, "fp16 needs a CUDA device"), fp16.c_str());
    if (train::cpuHasNativeBf16()) {
        const auto bf16 = train::planPrecision(train::Precision::Bf16, cpu);
        QVERIFY(bf16.autocast && !bf16.lossScaling);
        QVERIFY(bf16.autocastType == c10::kBFloat16);
    } else {
        const auto e = errorOf([&] { train::planPrecision(train::Precision::Bf16, cpu); });
        QVERIFY2(contains(e, "this CPU lacks"), e.c_str());
    }
    // A CUDA device that does not exist is refused before any precision is looked at.
    if (torch::cuda::device_count() == 0) {
        const auto e = errorOf([] { train::resolveDevice("cuda:0"); });
        QVERIFY2(contains(e, "no CUDA device is available"), e.c_str());
    }
}

void TestPrecision::autocastScopeCastsAndRestores() {
    if (!train::cpuHasNativeBf16())
        QSKIP("this CPU has no native bf16 (AVX512-BF16, AMX, Arm BF16)");
    const auto plan = train::planPrecision(train::Precision::Bf16, c10::Device(c10::kCPU));
    torch::nn::Linear lin(8, 4);
    const auto x = torch::randn({2, 8});
    QVERIFY(lin->forward(x).scalar_type() == torch::kFloat);
    {
        train::AutocastScope outer(plan);
        QVERIFY(lin->forward(x).scalar_type() == torch::kBFloat16); // [2, 4] in bf16
        {
            train::AutocastScope inner(plan);
            QVERIFY(lin->forward(x).scalar_type() == torch::kBFloat16);
        }
        QVERIFY(lin->forward(x).scalar_type() == torch::kBFloat16); // the inner scope kept it on
        QVERIFY(lin->weight.scalar_type() == torch::kFloat);        // weights are cast per op
    }
    QVERIFY(lin->forward(x).scalar_type() == torch::kFloat);
    // fp32 scopes do nothing.
    {
        train::AutocastScope none(
            train::planPrecision(train::Precision::Fp32, c10::Device(c10::kCPU)));
        QVERIFY(lin->forward(x).scalar_type() == torch::kFloat);
    }
}

void TestPrecision::bf16TrainingTracksFp32() {
    // The same run in fp32 and bf16 autocast: every step's loss within 0.01 of fp32's, the first
    // step's within 0.2% (bf16 keeps 8 bits of mantissa, ~0.4% per rounding, but the loss itself
    // is computed in fp32; measured: 1e-5 at the first step, at most 0.0016 over two epochs of
    // full fine-tuning), and the same dev accuracy within 0.1.
    if (!train::cpuHasNativeBf16())
        QSKIP("this CPU has no native bf16 (AVX512-BF16, AMX, Arm BF16)");
    Fixture f;
    for (const auto method : {train::Method::Adapter, train::Method::Lora, train::Method::Full}) {
        auto cfg = f.config(method, 2);
        Losses a, b;
        const auto ra = Setup(f, cfg).trainer->train(&a);
        cfg.precision = train::Precision::Bf16;
        Setup s(f, cfg);
        QVERIFY(s.trainer->precision().precision == train::Precision::Bf16);
        const auto rb = s.trainer->train(&b);
        QCOMPARE(a.losses.size(), b.losses.size());
        QVERIFY(a.losses != b.losses); // bf16 really computed in bf16
        QVERIFY2(std::abs(a.losses[0] - b.losses[0]) < 0.002 * a.losses[0],
                 qPrintable(QString("%1 vs %2").arg(a.losses[0]).arg(b.losses[0])));
        double worst = 0;
        for (size_t i = 0; i < a.losses.size(); ++i)
            worst = std::max(worst, std::abs(a.losses[i] - b.losses[i]));
        qInfo("%s: first loss %.5f vs %.5f, worst step difference %.4f, dev %.3f vs %.3f",
              train::toString(method), a.losses[0], b.losses[0], worst, ra.bestScore, rb.bestScore);
        QVERIFY2(worst < 0.01, qPrintable(QString("%1: worst step loss difference %2")
                                              .arg(train::toString(method))
                                              .arg(worst)));
        QVERIFY2(std::abs(ra.bestScore - rb.bestScore) <= 0.1,
                 qPrintable(QString("%1 vs %2").arg(ra.bestScore).arg(rb.bestScore)));
    }
}

void TestPrecision::bf16KeepsFloat32StateAndResumes() {
    if (!train::cpuHasNativeBf16())
        QSKIP("this CPU has no native bf16 (AVX512-BF16, AMX, Arm BF16)");
    Fixture f;
    auto cfg = f.config(train::Method::Adapter, 2);
    cfg.precision = train::Precision::Bf16;
    Losses whole;
    Setup unbroken(f, cfg);
    unbroken.trainer->train(&whole);
    // Master weights and their gradients stay float32.
    for (const auto& p : unbroken.model->named_parameters()) {
        QVERIFY2(p.value().scalar_type() == torch::kFloat, p.key().c_str());
        if (p.value().grad().defined())
            QVERIFY2(p.value().grad().scalar_type() == torch::kFloat, p.key().c_str());
    }
    // Stopped after epoch 1, resumed by a fresh trainer: the checkpoint holds float32 tensors and
    // the resumed run ends bit-identical to the unbroken one (CPU bf16 is deterministic).
    const std::string ckpt = f.path("bf16.pt");
    std::atomic<bool> stop{false};
    Losses first;
    first.cancelAfterEpoch1 = &stop;
    Setup a(f, cfg);
    a.trainer->setCheckpointPath(ckpt);
    QVERIFY(a.trainer->train(&first, &stop).cancelled);
    torch::serialize::InputArchive ar;
    ar.load_from(ckpt);
    torch::Tensor p0;
    ar.read("p0", p0, true);
    QVERIFY(p0.scalar_type() == torch::kFloat);
    c10::IValue meta;
    QVERIFY(ar.try_read("meta", meta));
    QVERIFY2(contains(meta.toStringRef(), "\"precision\":\"bf16\""), meta.toStringRef().c_str());
    Losses second;
    Setup b(f, cfg);
    QCOMPARE(b.trainer->resumeFrom(ckpt).epoch, 1);
    b.trainer->train(&second);
    std::vector<double> joined = first.losses;
    joined.insert(joined.end(), second.losses.begin(), second.losses.end());
    QCOMPARE(joined, whole.losses);
    // The same checkpoint does not resume an fp32 run: the precision is part of its settings.
    auto fp32 = cfg;
    fp32.precision = train::Precision::Fp32;
    Setup c(f, fp32);
    const auto e = errorOf([&] { c.trainer->resumeFrom(ckpt); });
    QVERIFY2(contains(e, "belongs to other run settings"), e.c_str());
}

void TestPrecision::lossScalerSkipsOverflowsAndGrows() {
    auto w = torch::ones({3}, torch::requires_grad());
    const auto setGrad = [&](torch::Tensor g) { w.mutable_grad() = g; };
    train::LossScaler s(true, 1024.0, 3);
    QCOMPARE(s.scale(torch::tensor(2.0f)).item<float>(), 2048.0f);
    setGrad(torch::full({3}, 512.0f));
    QVERIFY(s.unscale({w}));
    QVERIFY(torch::allclose(w.grad(), torch::full({3}, 0.5f))); // divided by the scale
    s.update(true);
    // An overflow: step skipped, scale halved, the run of good steps restarts.
    setGrad(torch::tensor({1.0f, std::numeric_limits<float>::infinity(), 1.0f}));
    QVERIFY(!s.unscale({w}));
    s.update(false);
    QCOMPARE(s.currentScale(), 512.0);
    QCOMPARE(s.skippedSteps(), int64_t(1));
    setGrad(torch::tensor({std::nanf(""), 0.0f, 0.0f}));
    QVERIFY(!s.unscale({w}));
    s.update(false);
    QCOMPARE(s.currentScale(), 256.0);
    // Three good steps in a row double it.
    for (int i = 0; i < 3; ++i) {
        setGrad(torch::ones({3}));
        QVERIFY(s.unscale({w}));
        s.update(true);
    }
    QCOMPARE(s.currentScale(), 512.0);
    QCOMPARE(s.goodSteps(), int64_t(0));
    // Disabled (every precision but fp16): the loss and gradients pass untouched.
    train::LossScaler off(false);
    setGrad(torch::tensor({std::numeric_limits<float>::infinity(), 1.0f, 1.0f}));
    QVERIFY(off.unscale({w}));
    QCOMPARE(off.scale(torch::tensor(2.0f)).item<float>(), 2.0f);
}

void TestPrecision::outOfMemoryIsReported() {
    const c10::Device cpu(c10::kCPU);
    // 16 TiB: more than any machine this runs on; LibTorch's CPU allocator refuses it.
    const auto e = errorOf([&] {
        train::reportOutOfMemory([] { torch::empty({int64_t(1) << 42}, torch::kFloat); }, cpu, 32,
                                 128);
    });
    QVERIFY2(
        contains(
            e,
            "out of memory on the CPU at batch size 32 (maximum length 128): try --batch-size 16"),
        e.c_str());
    // Any other LibTorch error passes as it was.
    bool passed = false;
    try {
        train::reportOutOfMemory(
            [] {
                torch::mm(torch::ones({2, 3}), torch::ones({2, 3}));
            },
            cpu, 32, 128);
    } catch (const Error&) {
    } catch (const c10::Error&) {
        passed = true;
    }
    QVERIFY(passed);
}

void TestPrecision::storeRecordsPrecision() {
    Fixture f;
    QTemporaryDir dir;
    store::Store st(dir.filePath("exp.db").toStdString());
    auto cfg = f.config(train::Method::Adapter, 1);
    const bool bf16 = train::cpuHasNativeBf16();
    cfg.precision = bf16 ? train::Precision::Bf16 : train::Precision::Auto;
    const int64_t id = experiments::runTraining(st, cfg);
    const auto r = st.run(id);
    QVERIFY(r.status == store::RunStatus::Finished);
    QCOMPARE(QString::fromStdString(r.precision), QString(bf16 ? "bf16" : "fp32")); // resolved
    QCOMPARE(r.peakMemoryBytes, int64_t(0)); // no GPU memory on the CPU
    QCOMPARE(QString::fromStdString(r.device), QString("cpu"));
    // A run whose precision the device cannot compute fails with the reason, nothing half-written.
    cfg.precision = train::Precision::Fp16;
    cfg.device = "auto";
    if (torch::cuda::device_count() == 0) {
        const auto e = errorOf([&] { experiments::runTraining(st, cfg); });
        QVERIFY2(contains(e, "fp16 needs a CUDA device"), e.c_str());
        const auto runs = st.runs();
        QCOMPARE(int(runs.size()), 2);
        const auto failed = st.run(runs[0].id == id ? runs[1].id : runs[0].id);
        QVERIFY(failed.status == store::RunStatus::Failed);
        QVERIFY2(contains(failed.error, "fp16 needs a CUDA device"), failed.error.c_str());
        QVERIFY(!errorOf([&] { st.taskParameters(failed.id); }).empty());
        QVERIFY(st.steps(failed.id).empty());
    }
}

void TestPrecision::gpuQueriesMatchTheBuild() {
    const auto all = train::gpus();
    QCOMPARE(int(all.size()), train::cudaBuild() ? int(torch::cuda::device_count()) : 0);
    if (!train::cudaBuild())
        QCOMPARE(QString::fromStdString(train::gpuSummary()),
                 QString("CPU only (LibTorch without CUDA)"));
    for (const auto& g : all) {
        QVERIFY(!g.name.empty() && g.totalBytes > 0 && g.major > 0);
        QVERIFY(contains(train::gpuSummary(), g.name.c_str()));
    }
    if (all.empty()) QCOMPARE(train::peakMemory(0), int64_t(0));
}

QTEST_APPLESS_MAIN(TestPrecision)
#include "test_precision.moc"
