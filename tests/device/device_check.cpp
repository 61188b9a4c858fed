// The engine on an accelerator against the CPU, without Qt (a GPU machine has none):
//   adapterlab-device-check --device cuda [--json FILE]
// For every method of the registry, on a small random BERT with dropout off:
//   - logits on the device in fp32 against the CPU's within 1e-4 (max |Δ|; no TF32);
//   - the losses of 6 training steps against the CPU's within 1e-4 (fp32), and with bf16
//     autocast within 5e-3 of fp32 when the device computes bf16 (the CPU dry run: <= 1.5e-4);
//   - a run stopped after epoch 1 and resumed from its checkpoint on the device against the
//     unbroken run: losses within 1e-6, and whether they are bit-identical (reported, not
//     required).
// --device cpu is the dry run: every path is taken, CPU against CPU. Exit 0 when every check
// passes, 1 when one fails (each failure is printed), 2 for bad arguments.
#include "data/batching.h"
#include "model/bert.h"
#include "train/device.h"
#include "train/gpu.h"
#include "train/method.h"
#include "train/mixed_precision.h"
#include "train/trainer.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <torch/torch.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

using namespace adapterlab;
using nlohmann::json;

namespace {

model::BertConfig tinyBert() {
    model::BertConfig c;
    c.vocabSize = 64;
    c.hiddenSize = 32;
    c.numLayers = 2;
    c.numHeads = 2;
    c.intermediateSize = 64;
    c.maxPositions = 64;
    c.hiddenDropout = c.attentionDropout = 0; // CPU and CUDA draw different dropout masks
    c.labels = {"0", "1"};
    return c;
}

train::RunConfig runOf(const train::MethodInfo& info, const std::string& device) {
    train::RunConfig rc;
    rc.task = rc.backbone = "synthetic";
    rc.method.method = info.method;
    rc.adapter.size = 8;
    rc.lora.rank = 4;
    rc.prefix.length = 4;
    rc.prefix.hidden = 16;
    rc.epochs = 2;
    rc.batchSize = 16;
    rc.learningRate = 1e-3;
    rc.maxLength = 32;
    rc.device = device;
    rc.precision = train::Precision::Fp32;
    return rc;
}

// 48 examples of varying length (padding and masks matter) whose label is their first token's
// parity.
struct Synthetic {
    data::TaskData task;
    data::EncodedSplit train, dev;
    Synthetic() {
        task.name = "synthetic";
        task.labels = {"0", "1"};
        task.mainMetric = "accuracy";
        for (int i = 0; i < 48; ++i) {
            text::Encoding e;
            const int n = 6 + i % 11;
            for (int t = 0; t < n; ++t)
                e.inputIds.push_back(t == 0 ? 2 : 5 + (i * 7 + t * 13) % 59);
            e.tokenTypeIds.assign(static_cast<size_t>(n), 0);
            e.attentionMask.assign(static_cast<size_t>(n), 1);
            (i % 4 == 0 ? dev : train).encodings.push_back(e);
            (i % 4 == 0 ? dev : train).labels.push_back(e.inputIds[1] % 2);
            (i % 4 == 0 ? dev : train).targets.push_back(0);
        }
    }
};

// The same seeded model each call; method parameters moved off their identity initialisation
// (LoRA's B = 0, (IA)³'s ones) so that every module changes the logits.
model::BertModel seededModel(const train::RunConfig& rc) {
    torch::manual_seed(7);
    model::BertModel m(tinyBert(), train::methodModules(rc), true);
    torch::NoGradGuard guard;
    for (auto& p : m->parameters())
        p.add_(torch::randn_like(p) * 0.05);
    return m;
}

struct Losses : train::TrainObserver {
    std::vector<double> losses;
    std::atomic<bool>* stopAfterEpoch1 = nullptr;
    void onStep(const train::StepInfo& s) override { losses.push_back(s.loss); }
    void onEval(const train::EvalInfo& e) override {
        if (stopAfterEpoch1 && e.epoch == 1) stopAfterEpoch1->store(true);
    }
};

double maxDiff(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) return INFINITY;
    double d = 0;
    for (size_t i = 0; i < a.size(); ++i)
        d = std::max(d, std::abs(a[i] - b[i]));
    return d;
}

std::vector<double> trainLosses(const train::RunConfig& rc, const Synthetic& s, int steps) {
    auto cfg = rc;
    cfg.epochs = 1;
    train::Trainer t(cfg, seededModel(cfg), s.task, s.train, s.dev, 0);
    Losses l;
    t.train(&l);
    l.losses.resize(std::min<size_t>(l.losses.size(), static_cast<size_t>(steps)));
    return l.losses;
}

} // namespace

int main(int argc, char** argv) {
    std::string device = "cuda", jsonPath;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--device" && i + 1 < argc)
            device = argv[++i];
        else if (a == "--json" && i + 1 < argc)
            jsonPath = argv[++i];
        else {
            std::cerr
                << "usage: adapterlab-device-check [--device cuda|cuda:N|cpu] [--json FILE]\n";
            return 2;
        }
    }
    int failures = 0;
    json report = {{"device", device}, {"gpus", train::gpuSummary()}, {"torch", TORCH_VERSION}};
    try {
        at::set_num_threads(1);
        const c10::Device dev = train::resolveDevice(device);
        bool bf16 = true;
        try {
            train::planPrecision(train::Precision::Bf16, dev);
        } catch (const Error& e) {
            bf16 = false;
            report["bf16"] = e.what();
        }
        const Synthetic data;
        const data::Batch b = data::collate(data.dev, {0, 1, 2, 3, 4, 5, 6, 7}, 0);
        std::printf("%-10s %12s %12s %12s %14s %s\n", "method", "logits |Δ|", "fp32 loss Δ",
                    "bf16 loss Δ", "resume loss Δ", "resume bit-identical");
        for (const auto& info : train::methods()) {
            json row = {{"method", info.id}};
            const auto fail = [&](const std::string& what) {
                std::printf("FAIL %s: %s\n", info.id.c_str(), what.c_str());
                row["failures"].push_back(what);
                ++failures;
            };
            const auto rcCpu = runOf(info, "cpu"), rcDev = runOf(info, device);
            // Logits: [8, 2] on each device from the same weights.
            double logitsDiff = 0;
            {
                torch::NoGradGuard guard;
                auto onCpu = seededModel(rcCpu), onDev = seededModel(rcCpu);
                onDev->to(dev);
                onCpu->eval();
                onDev->eval();
                const auto ref = onCpu->logits(b.ids, b.typeIds, b.mask);
                const auto got =
                    onDev->logits(b.ids.to(dev), b.typeIds.to(dev), b.mask.to(dev)).cpu();
                logitsDiff = (ref - got).abs().max().item<double>();
            }
            row["logits_max_abs_diff"] = logitsDiff;
            if (!(logitsDiff <= 1e-4)) fail("logits differ by " + std::to_string(logitsDiff));
            const auto lossCpu = trainLosses(rcCpu, data, 6);
            const double fp32Diff = maxDiff(lossCpu, trainLosses(rcDev, data, 6));
            row["fp32_loss_max_abs_diff"] = fp32Diff;
            if (!(fp32Diff <= 1e-4)) fail("fp32 losses differ by " + std::to_string(fp32Diff));
            double bf16Diff = NAN;
            if (bf16) {
                auto rc = rcDev;
                rc.precision = train::Precision::Bf16;
                bf16Diff = maxDiff(lossCpu, trainLosses(rc, data, 6));
                row["bf16_loss_max_abs_diff"] = bf16Diff;
                if (!(bf16Diff <= 5e-3))
                    fail("bf16 losses differ from fp32 by " + std::to_string(bf16Diff));
            }
            // Resume on the device: stop after epoch 1, continue from the checkpoint.
            const auto ckpt = (std::filesystem::temp_directory_path() /
                               ("adapterlab-device-check-" + info.id + ".pt"))
                                  .string();
            Losses whole, first, second;
            train::Trainer(rcDev, seededModel(rcDev), data.task, data.train, data.dev, 0)
                .train(&whole);
            std::atomic<bool> stop{false};
            first.stopAfterEpoch1 = &stop;
            {
                train::Trainer t(rcDev, seededModel(rcDev), data.task, data.train, data.dev, 0);
                t.setCheckpointPath(ckpt);
                t.train(&first, &stop);
            }
            {
                train::Trainer t(rcDev, seededModel(rcDev), data.task, data.train, data.dev, 0);
                t.resumeFrom(ckpt);
                t.train(&second);
            }
            std::filesystem::remove(ckpt);
            first.losses.insert(first.losses.end(), second.losses.begin(), second.losses.end());
            const double resumeDiff = maxDiff(whole.losses, first.losses);
            row["resume_loss_max_abs_diff"] = resumeDiff;
            row["resume_bit_identical"] = whole.losses == first.losses;
            if (!(resumeDiff <= 1e-6))
                fail("resumed losses differ by " + std::to_string(resumeDiff));
            std::printf("%-10s %12.2e %12.2e %12.2e %14.2e %s\n", info.id.c_str(), logitsDiff,
                        fp32Diff, bf16Diff, resumeDiff,
                        whole.losses == first.losses ? "yes" : "no");
            report["methods"].push_back(row);
        }
    } catch (const std::exception& e) {
        std::printf("FAIL: %s\n", e.what());
        report["error"] = e.what();
        ++failures;
    }
    report["failures"] = failures;
    if (!jsonPath.empty()) std::ofstream(jsonPath) << report.dump(2) << '\n';
    std::printf("%s: %d failure(s) on %s (%s)\n", failures ? "FAILED" : "passed", failures,
                device.c_str(), train::gpuSummary().c_str());
    return failures ? 1 : 0;
}
