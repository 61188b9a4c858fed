#pragma once
// Timing helpers shared by the benchmarks: wall-clock repeats and their median.
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

inline double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

int runTokenizerBench(const std::string& vocabPath, const std::string& tsvPath, int repeats);
int runTrainBench(int steps, int repeats, const std::string& sizes);
/// Best GFLOP/s of an n x n fp32 matrix multiply at the current thread count.
double measureMatmulPeak(int64_t n, int repeats);
int runSst2EpochBench(const std::string& dataDir, size_t limit, int repeats);
int runOverheadBench(const std::string& dataDir, size_t limit, int repeats);
int runAblationBench(int repeats, int64_t hidden, int examples);
int runReferenceBench(const std::string& python, const std::string& script, int steps, int repeats,
                      const std::string& size);

} // namespace adapterlab::bench
