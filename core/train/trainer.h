#pragma once
// One training run: the paper's recipe (AdamW, warmup + linear decay, clipping, batch 32,
// evaluation on dev after each epoch, best epoch wins) over a method's trainable parameters.
#include "data/batching.h"
#include "model/bert.h"
#include "train/mixed_precision.h"
#include "train/observer.h"
#include "train/run_config.h"

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace torch::optim {
class Optimizer;
}

namespace adapterlab::train {

class ProcessGroup;

struct TrainResult {
    Metrics best;           ///< dev metrics of the best epoch
    Metrics last;           ///< dev metrics of the last evaluated epoch
    double bestScore = 0;
    int bestEpoch = 0;
    int64_t steps = 0;
    bool cancelled = false;
    std::vector<char> taskParameters; ///< safetensors bytes of the best epoch's trainable weights
    double trainSeconds = 0;
    /// Time spent reporting in this session: building the step report and in
    /// the observer's callbacks (store writes, progress display).
    double observerSeconds = 0;
    double checkpointSeconds = 0; ///< time spent writing epoch checkpoints in this session
    int64_t peakMemoryBytes =
        0;                    ///< CUDA: the caching allocator's peak in this session (0 on the CPU)
    int64_t skippedSteps = 0; ///< fp16: optimizer steps skipped for inf/NaN gradients
    int64_t reducedBytes = 0; ///< data-parallel: gradient (and status) bytes this rank all-reduced
};

/// Metrics of predictions (class ids or regression values) against a split's gold labels.
Metrics scorePredictions(const data::TaskData& task, const std::vector<double>& values,
                         const data::EncodedSplit& gold);

/// Learning rate for 0-based optimizer step `step` of `total`: linear warmup then linear decay.
double scheduledLearningRate(double base, int64_t step, int64_t total, double warmupFraction);

/// Where an epoch checkpoint left a run.
struct CheckpointProgress {
    int epoch = 0;    ///< last completed epoch
    int64_t step = 0; ///< optimizer steps done
};

class Trainer {
public:
    /// `model` must already carry adapters when the method uses them; it is moved to the device.
    Trainer(RunConfig config, model::BertModel model, const data::TaskData& task,
            data::EncodedSplit train, data::EncodedSplit dev, int64_t padId);

    ~Trainer();

    TrainResult train(TrainObserver* observer = nullptr, const std::atomic<bool>* cancel = nullptr);

    /// After each epoch, train() writes the trainable weights, optimizer state and the best epoch
    /// so far to `path` (atomically, replacing the previous epoch's). Empty: no checkpoints.
    void setCheckpointPath(std::string path) { checkpointPath_ = std::move(path); }
    /// Data-parallel training: every rank of `group` runs this same configuration; each takes
    /// its slice of every global batch, the trainable parameters' gradients are summed over the
    /// ranks (each rank's loss is weighted by its share of the batch, so the sum is the global
    /// batch's mean), and evaluation splits the dev batches among the ranks. Only the caller
    /// decides who records: give rank 0 the observer and the checkpoint path. CPU only (Gloo).
    void setProcessGroup(ProcessGroup* group);
    /// Loads an epoch checkpoint of this same run configuration (device and threads may differ);
    /// the next train() continues after its epoch and, on the CPU, ends bit-identical to a run
    /// that was never stopped. Throws Error naming the file when it is unreadable, not a
    /// checkpoint, or from another configuration.
    CheckpointProgress resumeFrom(const std::string& path);
    /// Dev-style metrics on an encoded split with the model's current weights.
    Metrics evaluate(const data::EncodedSplit& split);
    /// Predictions on a split: class ids (or regression values as doubles).
    std::vector<double> predictValues(const data::EncodedSplit& split);

    model::BertModel& model() { return model_; }
    /// The run's precision resolved on its device.
    const PrecisionPlan& precision() const { return plan_; }
    const std::vector<std::string>& trainableNames() const { return trainableNames_; }

private:
    struct ResumeState;
    void saveCheckpoint(int epoch, int64_t step, double seconds, const TrainResult& r,
                        torch::optim::Optimizer& optimizer) const;
    torch::Tensor loss(const torch::Tensor& logits, const std::vector<size_t>& idx) const;
    /// A host batch tensor on the device (pinned and copied without blocking on CUDA).
    torch::Tensor onDevice(const torch::Tensor& t) const;

    RunConfig config_;
    model::BertModel model_;
    const data::TaskData& task_;
    data::EncodedSplit train_, dev_;
    int64_t padId_;
    c10::Device device_;
    PrecisionPlan plan_;
    LossScaler scaler_{false};
    std::vector<std::string> trainableNames_;
    std::string checkpointPath_;
    std::unique_ptr<ResumeState> resume_;
    ProcessGroup* group_ = nullptr;
};

/// Runs `step`; an out-of-memory error becomes an Error that names the device, the batch size
/// and what to try (no crash, the run fails with that reason).
void reportOutOfMemory(const std::function<void()>& step, const c10::Device& device,
                       int64_t batchSize, int64_t maxLength);

/// Sets requires_grad by the method; returns the trainable parameters' names.
std::vector<std::string> freezeForMethod(model::BertModel& model, const MethodSpec& method);

} // namespace adapterlab::train
