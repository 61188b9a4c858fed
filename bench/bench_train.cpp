// Training-step throughput of the real trainer loop on synthetic batches (batch 32, sequence 128,
// vocab 30522): every parameter-efficient method at its default knob (adapters m = 64, LoRA r = 8,
// prefix l = 10, …) against full fine-tuning, at the small and base sizes; FLOPs per step (full and
// adapters) against the machine's measured matrix-multiply peak, evaluation throughput, peak RSS.
#include "bench_common.h"

#include "model/bert.h"
#include "train/device.h"
#include "train/gpu.h"
#include "train/mixed_precision.h"
#include "train/param_count.h"
#include "train/trainer.h"

#include <ATen/Parallel.h>

#include <torch/torch.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

namespace adapterlab::bench {
namespace {

// A task of `n` identical-length examples; the dev split is one example (evaluation is not timed).
struct Synthetic {
    data::TaskData task;
    data::EncodedSplit train, dev;
    Synthetic(size_t n, size_t length) {
        task.name = "synthetic";
        task.labels = {"0", "1"};
        task.mainMetric = "accuracy";
        for (size_t i = 0; i < n; ++i) {
            text::Encoding e;
            for (size_t t = 0; t < length; ++t) e.inputIds.push_back(static_cast<int64_t>((i * 131 + t * 17) % 30000 + 100));
            e.tokenTypeIds.assign(length, 0);
            e.attentionMask.assign(length, 1);
            train.encodings.push_back(e);
            train.labels.push_back(static_cast<int64_t>(i % 2));
            train.targets.push_back(0);
        }
        dev.encodings.push_back(train.encodings[0]);
        dev.labels.push_back(0);
        dev.targets.push_back(0);
    }
};

// Multiply-add = 2 FLOPs. Per token and layer, forward: Q, K, V and output projections 8d²,
// attention scores and context 4Td, feed-forward 4·d·ffn, two adapters 8dm. The last layer
// computes only the [CLS] row (BertModel::logits): K and V for all T tokens (4d² each), the rest
// once per example. Backward costs twice the forward for trained weights (input and weight
// gradients), once for frozen linear layers (input gradients only), twice for the weight-free
// attention products.
struct StepFlops {
    double linear = 0, attention = 0, adapter = 0;
};
StepFlops forwardParts(const model::BertConfig& s, int64_t B, int64_t T, bool adapters, int64_t m) {
    const double d = double(s.hiddenSize), ffn = double(s.intermediateSize), t = double(T),
                 b = double(B);
    StepFlops f;
    const double fullTokens = b * t * double(s.numLayers - 1);
    f.linear =
        fullTokens * (8 * d * d + 4 * d * ffn) + b * (t * 4 * d * d + 4 * d * d + 4 * d * ffn);
    f.attention = (fullTokens + b) * 4 * t * d;
    f.adapter = adapters ? (fullTokens + b) * 8 * d * double(m) : 0.0;
    return f;
}

double trainStepFlops(const model::BertConfig& s, int64_t B, int64_t T, bool adapters, int64_t m) {
    const StepFlops f = forwardParts(s, B, T, adapters, m);
    return adapters ? 2 * f.linear + 3 * f.attention + 3 * f.adapter : 3 * (f.linear + f.attention);
}

// Peak resident memory (VmHWM, kB); writing 5 to clear_refs resets it (Linux >= 4.0).
long peakRssKb() {
    std::ifstream in("/proc/self/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
    return -1;
}
void resetPeakRss() { std::ofstream("/proc/self/clear_refs") << "5"; }

// A run of `method` on the synthetic task: one epoch, adapters of size 64.
train::RunConfig syntheticRun(train::Method method, const std::string& device = "cpu",
                              train::Precision precision = train::Precision::Fp32) {
    train::RunConfig rc;
    rc.task = rc.backbone = "synthetic";
    rc.method.method = method;
    rc.adapter.size = 64;
    rc.epochs = 1;
    rc.device = device;
    rc.precision = precision;
    return rc;
}

// Waits for the device's queued work (CUDA kernels run asynchronously).
void synchronize(const c10::Device& d) {
    if (d.is_cuda()) torch::zeros({1}, torch::TensorOptions().device(d)).cpu();
}

} // namespace

double measureMatmulPeak(int64_t n, int repeats, const std::string& deviceSpec, bool bf16) {
    torch::NoGradGuard guard;
    const c10::Device device = train::resolveDevice(deviceSpec);
    const auto opts =
        torch::TensorOptions().device(device).dtype(bf16 ? torch::kBFloat16 : torch::kFloat);
    const auto a = torch::randn({n, n}, opts), b = torch::randn({n, n}, opts);
    auto c = torch::mm(a, b); // warm-up
    synchronize(device);
    std::vector<double> t = timeRepeats(repeats, [&] {
        torch::mm_out(c, a, b);
        synchronize(device);
    });
    return 2.0 * double(n) * double(n) * double(n) / *std::min_element(t.begin(), t.end()) / 1e9;
}

int runTrainBench(int steps, int repeats, const std::string& sizes, const std::string& deviceSpec,
                  const std::string& precisions) {
    const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(threads);
    const c10::Device device = train::resolveDevice(deviceSpec);
    std::vector<train::Precision> wanted;
    for (size_t at = 0; at <= precisions.size();) {
        const size_t comma = std::min(precisions.find(',', at), precisions.size());
        wanted.push_back(train::parsePrecision(precisions.substr(at, comma - at)));
        at = comma + 1;
    }
    std::vector<train::PrecisionPlan> plans; // resolved (and refused) before measuring anything
    for (auto p : wanted)
        plans.push_back(train::planPrecision(p, device));
    std::printf(
        "train step on %s (%s): batch 32, sequence 128, vocab 30522, %d threads, %d steps x "
        "%d repeats (median)\n",
        device.str().c_str(), train::gpuSummary().c_str(), threads, steps, repeats);
    // The share of peak is against fp32 mm on the CPU, bf16 mm on a GPU (its tensor cores' rate).
    const bool cuda = device.is_cuda();
    const int64_t peakN = cuda ? 8192 : 2048;
    const double peak = measureMatmulPeak(peakN, 5, deviceSpec, cuda);
    std::printf("matrix-multiply peak (%lld x %lld %s mm, best of 5): %.1f GFLOP/s\n",
                static_cast<long long>(peakN), static_cast<long long>(peakN),
                cuda ? "bf16" : "fp32", peak);
    std::printf("%-6s %-8s %-5s %12s %12s %10s %10s %8s %9s %12s %9s\n", "size", "method", "prec",
                "trainable", "examples/s", "step ms", "GFLOP/st", "GFLOP/s", "of peak", "eval ex/s",
                cuda ? "peak GPU" : "peak RSS");
    for (const char* name : {"small", "base"}) {
        if (sizes.find(name) == std::string::npos) continue;
        const model::BertConfig c = benchModel(name);
        for (const auto& plan : plans) {
            double fullMs = 0;
            for (auto method :
                 {train::Method::Full, train::Method::Adapter, train::Method::Pfeiffer,
                  train::Method::Parallel, train::Method::Lora, train::Method::Prefix,
                  train::Method::Ia3, train::Method::BitFit}) {
                const train::RunConfig rc = syntheticRun(method, deviceSpec, plan.precision);
                Synthetic data(static_cast<size_t>(32 * steps), 128);
                // The trainer's own clock covers the step loop only (not model construction).
                torch::manual_seed(1);
                model::BertModel m(c, train::methodModules(rc), true);
                resetPeakRss();
                std::vector<double> perStep;
                int64_t peakGpu = 0;
                for (int i = 0; i < repeats + (cuda ? 1 : 0); ++i) {
                    train::Trainer t(rc, m, data.task, data.train, data.dev, 0);
                    const auto r = t.train(); // ends with a dev evaluation, which synchronises
                    peakGpu = std::max(peakGpu, r.peakMemoryBytes);
                    if (cuda && i == 0) continue; // kernel selection and allocator warm-up
                    perStep.push_back(r.trainSeconds / steps);
                }
                const double memoryMb =
                    cuda ? double(peakGpu) / (1 << 20) : double(peakRssKb()) / 1024.0;
                const double ms = median(perStep) * 1e3;
                const auto counts = train::countParameters(c, rc);
                const bool adapters = method == train::Method::Adapter;
                const bool modelled = adapters || method == train::Method::Full; // the FLOP model's
                const double flops = trainStepFlops(c, 32, 128, adapters, 64);
                // Evaluation: forward only, no autograd, one batch of 32 x 128.
                double evalPerSecond = 0;
                {
                    torch::NoGradGuard guard;
                    m->eval(); // on the device already: the trainer moved it
                    const data::Batch b = data::collate(data.train, std::vector<size_t>(32, 0), 0);
                    const auto ids = b.ids.to(device), types = b.typeIds.to(device),
                               mask = b.mask.to(device);
                    const auto forward = [&] {
                        train::AutocastScope autocast(plan);
                        m->logits(ids, types, mask);
                        synchronize(device);
                    };
                    forward();
                    const auto t = timeRepeats(repeats, forward);
                    evalPerSecond = 32.0 / median(t);
                }
                const std::string precName = train::toString(plan.precision);
                if (modelled)
                    std::printf(
                        "%-6s %-8s %-5s %12lld %12.1f %10.1f %10.1f %8.1f %8.1f%% %12.1f %6.0f MB",
                        name, train::toString(method), precName.c_str(),
                        static_cast<long long>(counts.trainable), 32.0 / (ms / 1e3), ms,
                        flops / 1e9, flops / 1e9 / (ms / 1e3),
                        100.0 * flops / 1e9 / (ms / 1e3) / peak, evalPerSecond, memoryMb);
                else
                    std::printf("%-6s %-8s %-5s %12lld %12.1f %10.1f %10s %8s %9s %12.1f %6.0f MB",
                                name, train::toString(method), precName.c_str(),
                                static_cast<long long>(counts.trainable), 32.0 / (ms / 1e3), ms,
                                "-", "-", "-", evalPerSecond, memoryMb);
                if (method == train::Method::Full)
                    fullMs = ms;
                else
                    std::printf("   %s/full step time %.2f", train::toString(method), ms / fullMs);
                std::printf("\n");
            }
        }
    }
    return 0;
}

// The same runs on every family at one shape (the small size): only embeddings, positions and
// head differ, so step times should agree. Repeats interleave the families (side by side, one
// process) so drift hits them alike.
int runFamiliesBench(int steps, int repeats) {
    const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(threads);
    std::printf(
        "train step by family: small size (d 256, L 4), batch 32, sequence 128, %d threads, "
        "%d steps x %d repeats interleaved (median)\n",
        threads, steps, repeats);
    struct Family {
        const char* name;
        model::Family family;
    };
    const Family families[] = {{"bert", model::Family::Bert},
                               {"roberta", model::Family::Roberta},
                               {"electra", model::Family::Electra},
                               {"distilbert", model::Family::DistilBert}};
    for (auto method : {train::Method::Adapter, train::Method::Lora}) {
        const train::RunConfig rc = syntheticRun(method);
        Synthetic data(static_cast<size_t>(32 * steps), 128);
        std::vector<model::BertModel> models;
        std::vector<std::vector<double>> perStep(std::size(families));
        for (const auto& f : families) {
            model::BertConfig c = benchModel("small");
            c.family = f.family;
            if (f.family == model::Family::Roberta) { // RoBERTa's table starts after pad + 1
                c.typeVocabSize = 1;
                c.padTokenId = 1;
                c.maxPositions = 514;
            }
            if (f.family == model::Family::DistilBert) c.typeVocabSize = 0;
            torch::manual_seed(1);
            models.emplace_back(c, train::methodModules(rc), true);
        }
        for (int r = 0; r < repeats; ++r)
            for (size_t i = 0; i < models.size(); ++i) {
                train::Trainer t(rc, models[i], data.task, data.train, data.dev, 0);
                perStep[i].push_back(t.train().trainSeconds / steps);
            }
        const double bertMs = median(perStep[0]) * 1e3;
        for (size_t i = 0; i < models.size(); ++i) {
            const double ms = median(perStep[i]) * 1e3;
            std::printf("%-8s %-11s %10.1f ms/step   /bert %.3f\n", train::toString(method),
                        families[i].name, ms, ms / bertMs);
        }
    }
    return 0;
}

} // namespace adapterlab::bench
