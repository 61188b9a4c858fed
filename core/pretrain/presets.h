#pragma once
// The pre-training presets: model shape, data shape, budget, and what each measured costs and
// gives. No torch, so that a docs update of the measured numbers recompiles one small file.
#include "model/config.h"

#include <cstdint>
#include <string>
#include <vector>

namespace adapterlab::pretrain {

/// A rung of the preset ladder: model shape, data shape and budget.
struct PretrainPreset {
    std::string name;
    model::BertConfig model; ///< vocabSize is replaced by the trained vocabulary's
    int64_t vocabSize = 8000;
    int64_t sequenceLength = 64;
    int64_t batchSize = 64;
    int64_t steps = 1600;
    double learningRate = 1e-3;
    double warmupFraction = 0.06;
    std::string cost; ///< what it costs and gives, for the GUI and --help
};

/// "mini" (about 30 minutes on 2 CPU cores), "small" (the same model, 3x the tokens: about 70
/// minutes), "gpu" (a GPU's size).
PretrainPreset pretrainPreset(const std::string& name);
const std::vector<std::string>& pretrainPresetNames();

} // namespace adapterlab::pretrain
