#pragma once
// Progress of a run, reported between batches. The GUI adapts this to Qt signals; the store
// records it. Implementations must be cheap: they run on the training thread.
#include "train/metrics.h"

#include <cstdint>

namespace adapterlab::train {

struct StepInfo {
    int64_t step = 0;       ///< 1-based optimizer step
    int64_t totalSteps = 0;
    int epoch = 0;          ///< 1-based
    double loss = 0;
    double learningRate = 0;
    double examplesPerSecond = 0;
    double etaSeconds = 0;
};

struct EvalInfo {
    int epoch = 0;
    int64_t step = 0;
    Metrics metrics;
    double score = 0; ///< the main metric
    bool best = false;
};

class TrainObserver {
public:
    virtual ~TrainObserver() = default;
    virtual void onStep(const StepInfo&) {}
    virtual void onEval(const EvalInfo&) {}
};

} // namespace adapterlab::train
