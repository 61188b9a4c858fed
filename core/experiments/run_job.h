#pragma once
// A whole run, end to end: load the task and backbone, train, and record everything in the
// store. Also rebuilds a stored run's model for evaluation and prediction after a restart.
#include "data/task_data.h"
#include "model/hf_import.h"
#include "store/store.h"
#include "text/text_tokenizer.h"
#include "train/observer.h"
#include "train/run_config.h"

#include <atomic>
#include <functional>
#include <optional>

namespace adapterlab::train {
class ProcessGroup;
}

namespace adapterlab::experiments {

/// Trains `config` and stores it (a new run, or the queued run `runId`). Failures are recorded
/// as a failed run and rethrown; cancellation ends the run as cancelled. Returns the run id.
/// Data-parallel: rank 0 of `group` calls this (it alone writes the store and checkpoints and
/// tells the other ranks what to train), every other rank calls followTraining().
int64_t runTraining(store::Store& store, const train::RunConfig& config,
                    train::TrainObserver* observer = nullptr,
                    const std::atomic<bool>* cancel = nullptr,
                    std::optional<int64_t> runId = std::nullopt,
                    std::optional<int64_t> sweepId = std::nullopt,
                    train::ProcessGroup* group = nullptr);

/// Continues an interrupted, cancelled or failed run from its last epoch checkpoint (a run
/// without one starts over). `device`/`threads` override the stored ones when given (the
/// checkpoint is device-independent). Returns the epoch it resumed after (0: started over).
int resumeRun(store::Store& store, int64_t runId, train::TrainObserver* observer = nullptr,
              const std::atomic<bool>* cancel = nullptr, const std::string& device = "",
              int threads = -1, train::ProcessGroup* group = nullptr);

/// A data-parallel rank other than 0: trains what rank 0 publishes (a new run or a resumed
/// one, read from rank 0's checkpoint) without an experiment file. Throws Error when rank 0
/// could not start the run or a peer stopped.
void followTraining(train::ProcessGroup& group, const std::atomic<bool>* cancel = nullptr);

/// The model folder's tokenizer (text/tokenizer_files.h), checked against the model it feeds:
/// no id beyond its embeddings, token types a pair needs.
text::TokenizerPtr folderTokenizer(const model::HfModelFiles& files,
                                   const model::BertConfig& config);

/// A stored run's model (backbone + its trained per-task parameters) and tokenizer.
struct LoadedRun {
    train::RunConfig config;
    model::BertModel model{nullptr};
    text::TokenizerPtr tokenizer;
    std::vector<std::string> labels;
    bool regression = false;
};
LoadedRun loadRun(store::Store& store, int64_t runId);

/// Evaluates a stored run on a task's dev or test split (test must be labelled).
train::Metrics evaluateRun(store::Store& store, int64_t runId, const std::string& taskSpec,
                           const std::string& split = "dev");

/// Computes and stores the layer-ablation matrix of a finished adapter run on its dev split.
/// Returns the stored rows (intact model first). `cancel` is checked between batches; a
/// cancelled ablation stores nothing (the run keeps the matrix it had) and returns no rows.
std::vector<store::AblationRow> ablateRun(store::Store& store, int64_t runId,
                                          const std::function<void(int, int)>& progress = {},
                                          int64_t* layerEvaluations = nullptr,
                                          int64_t* naiveLayerEvaluations = nullptr,
                                          const std::atomic<bool>* cancel = nullptr);

} // namespace adapterlab::experiments
