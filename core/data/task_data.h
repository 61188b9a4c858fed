#pragma once
// A task's examples and what it is evaluated with (no torch, no tokenization yet).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace adapterlab::data {

struct Example {
    std::string text;
    std::optional<std::string> pair;
    int label = -1;     ///< class index (classification), -1 when unlabelled
    float target = 0.f; ///< regression target
};

struct Split {
    std::vector<Example> examples;
    bool labeled = true;
    std::string source; ///< file it came from (or how it was made)
};

struct TaskData {
    std::string name;                ///< e.g. "RTE", "custrev"
    std::vector<std::string> labels; ///< class names in id order (from the train split)
    bool regression = false;
    bool pairs = false;              ///< examples are text pairs
    Split train, dev;
    std::optional<Split> test;
    /// Further labelled evaluation splits by name (MNLI: "dev_mismatched").
    std::vector<std::pair<std::string, Split>> extraSplits;
    std::string mainMetric;          ///< metric that selects the best epoch
    std::string devNote;             ///< how dev was obtained when the task had none
    size_t skippedRows = 0;          ///< malformed rows skipped on request

    int64_t numLabels() const { return regression ? 1 : static_cast<int64_t>(labels.size()); }
};

struct LoadOptions {
    bool skipMalformed = false; ///< count and skip bad rows instead of failing
    double devFraction = 0.1;   ///< held-out share when a task has no dev split
    uint64_t splitSeed = 1;     ///< seed of that stratified split
};

} // namespace adapterlab::data
