#pragma once
// Timing helpers and model sizes shared by the benchmarks.
#include "model/config.h"
#include "util/error.h"

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

namespace adapterlab::bench {

template <typename F>
std::vector<double> timeRepeats(int repeats, F&& f) {
    std::vector<double> seconds;
    for (int i = 0; i < repeats; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        f();
        seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    return seconds;
}

/// The benchmarks' model sizes: "small" (the offline presets' shape: d 256, 4 layers, 4 heads,
/// ffn 1024) and "base" (BERT-base); BERT's 30,522-token vocabulary unless given.
inline model::BertConfig benchModel(const std::string& size, int64_t vocabSize = 30522) {
    model::BertConfig c = model::BertConfig::base();
    if (size == "small") {
        c.hiddenSize = 256;
        c.numLayers = 4;
        c.numHeads = 4;
        c.intermediateSize = 1024;
    } else if (size != "base") {
        throw Error("unknown benchmark size '" + size + "' (small, base)");
    }
    c.vocabSize = vocabSize;
    return c;
}

inline double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

int runTokenizerBench(const std::string& vocabPath, const std::string& tsvPath, int repeats);
/// Step times of every method on `device` in each of `precisions` ("fp32,bf16").
int runTrainBench(int steps, int repeats, const std::string& sizes, const std::string& device,
                  const std::string& precisions);
/// Adapter and LoRA step times of every encoder family at one shape, against BERT's.
int runFamiliesBench(int steps, int repeats);
/// Best GFLOP/s of an n x n matrix multiply (fp32, or bf16) on `device` at the current thread
/// count.
double measureMatmulPeak(int64_t n, int repeats, const std::string& device = "cpu",
                         bool bf16 = false);
int runSst2EpochBench(const std::string& dataDir, size_t limit, int repeats);
int runOverheadBench(const std::string& dataDir, size_t limit, int repeats);
int runAblationBench(int repeats, int64_t hidden, int examples);
/// `anchor`: a second reference command (script included) timed in the same loop, e.g. PyTorch
/// 2.6 with SDPA in the trixie root: "packaging/check-libtorch2.sh --python bench/reference/…
/// --sdpa".
int runReferenceBench(const std::string& python, const std::string& script, int steps, int repeats,
                      const std::string& size, const std::string& anchor);

} // namespace adapterlab::bench
