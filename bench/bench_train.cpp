// Training-step throughput of the real trainer loop on synthetic batches (batch 32, sequence 128,
// vocab 30522): adapters (m = 64) against full fine-tuning, at the small and base sizes.
#include "bench_common.h"

#include "model/bert.h"
#include "train/param_count.h"
#include "train/trainer.h"

#include <ATen/Parallel.h>

#include <cstdio>
#include <thread>

namespace adapterlab::bench {
namespace {

struct Size {
    const char* name;
    int64_t d, layers, heads, ffn;
};

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

} // namespace

int runTrainBench(int steps, int repeats, const std::string& sizes) {
    const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(threads);
    std::printf("train step: batch 32, sequence 128, vocab 30522, %d threads, %d steps x %d repeats (median)\n",
                threads, steps, repeats);
    std::printf("%-6s %-8s %12s %12s %10s\n", "size", "method", "trainable", "examples/s", "step ms");
    const Size all[] = {{"small", 256, 4, 4, 1024}, {"base", 768, 12, 12, 3072}};
    for (const Size& sz : all) {
        if (sizes.find(sz.name) == std::string::npos) continue;
        double fullMs = 0;
        for (auto method : {train::Method::Full, train::Method::Adapter}) {
            model::BertConfig c;
            c.hiddenSize = sz.d;
            c.numLayers = sz.layers;
            c.numHeads = sz.heads;
            c.intermediateSize = sz.ffn;
            train::RunConfig rc;
            rc.task = rc.backbone = "synthetic";
            rc.method.method = method;
            rc.adapter.size = 64;
            rc.epochs = 1;
            rc.device = "cpu";
            Synthetic data(static_cast<size_t>(32 * steps), 128);
            std::optional<model::AdapterConfig> ad;
            if (method == train::Method::Adapter) ad = rc.adapter;
            // The trainer's own clock covers the step loop only (not model construction).
            torch::manual_seed(1);
            model::BertModel m(c, ad, true);
            std::vector<double> perStep;
            for (int i = 0; i < repeats; ++i) {
                train::Trainer t(rc, m, data.task, data.train, data.dev, 0);
                perStep.push_back(t.train().trainSeconds / steps);
            }
            const double ms = median(perStep) * 1e3;
            const auto counts = train::countParameters(c, rc.method, rc.adapter);
            std::printf("%-6s %-8s %12lld %12.1f %10.1f", sz.name, train::toString(method),
                        static_cast<long long>(counts.trainable), 32.0 / (ms / 1e3), ms);
            if (method == train::Method::Full) fullMs = ms;
            else std::printf("   adapter/full step time %.2f", ms / fullMs);
            std::printf("\n");
        }
    }
    return 0;
}

} // namespace adapterlab::bench
