// Layer-ablation heatmap cost: the shared-work computation against one full forward per span,
// timed side by side on the same model and data (L = 12).
#include "bench_common.h"

#include "experiments/ablation.h"
#include "train/trainer.h"

#include <ATen/Parallel.h>

#include <cstdio>
#include <thread>

namespace adapterlab::bench {

int runAblationBench(int repeats, int64_t hidden, int examples) {
    at::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    model::BertConfig c;
    c.hiddenSize = hidden;
    c.numLayers = 12;
    c.numHeads = hidden / 64;
    c.intermediateSize = 4 * hidden;
    torch::manual_seed(1);
    model::BertModel m(c, model::AdapterConfig{64, 0.1}, true);
    data::EncodedSplit dev;
    for (int i = 0; i < examples; ++i) {
        text::Encoding e;
        const size_t len = 16 + static_cast<size_t>(i * 37 % 112);
        for (size_t t = 0; t < len; ++t) e.inputIds.push_back(static_cast<int64_t>((i * 131 + t * 17) % 30000 + 100));
        e.tokenTypeIds.assign(len, 0);
        e.attentionMask.assign(len, 1);
        dev.encodings.push_back(e);
        dev.labels.push_back(i % 2);
        dev.targets.push_back(0);
    }
    data::TaskData task;
    task.labels = {"0", "1"};
    task.mainMetric = "accuracy";
    const auto fn = [&](const std::vector<double>& v) { return train::scorePredictions(task, v, dev); };
    experiments::AblationResult fast, naive;
    const auto tf = timeRepeats(repeats, [&] { fast = experiments::ablateLayers(m, dev, 0, false, fn, "accuracy"); });
    const auto tn = timeRepeats(repeats, [&] { naive = experiments::ablateLayersNaive(m, dev, 0, false, fn, "accuracy"); });
    bool same = fast.intact.metrics == naive.intact.metrics;
    for (size_t i = 0; i < fast.cells.size(); ++i) same = same && fast.cells[i].metrics == naive.cells[i].metrics;
    std::printf("ablation heatmap, L = 12, d = %lld, %d dev examples, median of %d:\n", static_cast<long long>(hidden),
                examples, repeats);
    std::printf("  shared work %.2f s, naive %.2f s: %.1f%% of the naive time (layer evaluations %.1f%%); "
                "matrices %s\n",
                median(tf), median(tn), 100 * median(tf) / median(tn),
                100.0 * static_cast<double>(fast.layerEvaluations) / static_cast<double>(naive.layerEvaluations),
                same ? "identical" : "DIFFER");
    return same ? 0 : 1;
}

} // namespace adapterlab::bench
