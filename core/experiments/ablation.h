#pragma once
// Layer ablation (Houlsby et al., Figure 6): the dev metric with the adapters of every contiguous
// span of layers [first, last] switched off, without retraining.
#include "data/batching.h"
#include "model/bert.h"
#include "train/metrics.h"

#include <atomic>
#include <functional>
#include <vector>

namespace adapterlab::experiments {

struct AblationCell {
    int first = -1, last = -1; ///< -1, -1: the intact model
    train::Metrics metrics;
    double score = 0;          ///< the main metric
};

struct AblationResult {
    int numLayers = 0;
    AblationCell intact;
    std::vector<AblationCell> cells; ///< L(L+1)/2 spans, ordered by first then last
    int64_t layerEvaluations = 0;    ///< encoder-layer forward passes (per batch) actually run
    int64_t naiveLayerEvaluations = 0;
    bool cancelled = false; ///< stopped by the cancel flag: no intact result, no cells
};

/// How predictions become metrics (task-specific: labels, positive class, regression).
using MetricFn = std::function<train::Metrics(const std::vector<double>& predictions)>;

/// Computes the whole matrix. Work is shared: per batch, the intact model's layer inputs are
/// cached, so a span [i, j] starts from layer i's cached input, and spans with the same first
/// layer extend one another (layers i..j with adapters off are computed once per j).
/// `cancel` is checked before each batch; a cancelled result holds no metrics (a matrix from
/// part of the dev split would look like a real one).
AblationResult ablateLayers(model::BertModel& model, const data::EncodedSplit& dev, int64_t padId,
                            bool regression, const MetricFn& metrics, const std::string& mainMetric,
                            const std::function<void(int done, int total)>& progress = {},
                            const std::atomic<bool>* cancel = nullptr);

/// The naive way, one full forward per span (for tests and the benchmark).
AblationResult ablateLayersNaive(model::BertModel& model, const data::EncodedSplit& dev,
                                 int64_t padId, bool regression, const MetricFn& metrics,
                                 const std::string& mainMetric);

} // namespace adapterlab::experiments
