#pragma once
// Sweeps: a base run config and grids over any run setting, expanded into runs that are queued
// in the store under the sweep and run one at a time; an interrupted sweep resumes without
// repeating finished runs.
#include "store/store.h"
#include "train/observer.h"
#include "train/run_config.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace adapterlab::experiments {

/// Plan JSON: {"name": "...", "base": {run settings}, "grid": {"setting": [values], ...}} or
/// "grids": [{...}, {...}] for a union of grids (each may also fix settings: {"method": "full"}).
struct SweepPlan {
    std::string name;
    nlohmann::json base = nlohmann::json::object();
    std::vector<nlohmann::json> grids; ///< each: {"setting": value-or-array}

    static SweepPlan fromJson(const nlohmann::json& j, const std::string& origin = "sweep plan");
    nlohmann::json toJson() const;
    /// Every run of the plan, validated; duplicates (the same config twice) are dropped.
    std::vector<train::RunConfig> expand() const;
};

/// Presets (all overridable by the base): "tradeoff" (the paper's selection grid: adapters m in
/// {8, 64, 256}; top-k for k = 1..L; LayerNorm only; head only; full; each with lr in
/// {3e-5, 3e-4, 3e-3} and epochs in {3, 20}), "adapter-size" (m = 2, 4, ..., 256),
/// "init-robustness" (sigma 1e-7 ... 1 by decades, 3 seeds).
SweepPlan presetPlan(const std::string& name, const nlohmann::json& base, int numLayers);
const std::vector<std::string>& presetNames();
/// The run settings a preset varies (a base that sets one of them fixes that axis).
std::vector<std::string> presetAxes(const std::string& name);

struct SweepProgress {
    int done = 0, total = 0;
    int64_t runId = 0;
};

/// Creates the sweep and queues all its runs; returns the sweep id.
int64_t createSweep(store::Store& store, const SweepPlan& plan);

/// Runs the sweep's queued runs in order, and starts interrupted or cancelled ones over;
/// finished and failed runs are not repeated. A failing run does not stop the sweep.
/// With workers > 1, that many runs go at once, each worker with its own store connection and,
/// when there are that many CUDA devices, its own GPU (worker i on cuda:i); the observer is then
/// not used and `progress` is called from the workers (serialised).
void runSweep(store::Store& store, int64_t sweepId, train::TrainObserver* observer = nullptr,
              const std::atomic<bool>* cancel = nullptr,
              const std::function<void(const SweepProgress&)>& progress = {}, int workers = 1);

/// One worker per CUDA device when there are several, else 1.
int defaultSweepWorkers();

} // namespace adapterlab::experiments
