#pragma once
// Parameter accounting per group and per training method, from the config alone.
#include "model/param_spec.h"
#include "train/method.h"

#include <nlohmann/json_fwd.hpp>

#include <array>
#include <cstdint>
#include <optional>

namespace adapterlab::train {

struct ParamCounts {
    int64_t total = 0;     ///< every parameter of the model as saved (backbone + modules + head)
    int64_t trainable = 0; ///< trained per task under the method
    /// Trained but not saved: a prefix's reparameterisation MLP, folded away after training.
    int64_t trainingOnly = 0;
    int64_t backbone = 0;  ///< encoder + pooler without the method's modules or head (shared)
    std::array<int64_t, model::kNumParamGroups> byGroup{};
    std::array<int64_t, model::kNumParamGroups> trainableByGroup{};

    /// Trainable parameters as a percentage of the backbone.
    double trainablePercent() const { return backbone ? 100.0 * trainable / backbone : 0.0; }
    nlohmann::json toJson() const;
};

struct RunConfig;

/// Counts for the run's method and settings, with its modules as saved (a prefix folded).
ParamCounts countParameters(const model::BertConfig& config, const RunConfig& run,
                            bool withHead = true);

} // namespace adapterlab::train
