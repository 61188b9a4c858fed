#include "train/trainer.h"

#include "train/device.h"
#include "train/distributed.h"
#include "train/gpu.h"
#include "train/optimizer.h"
#include "train/task_params.h"
#include "util/atomic_file.h"
#include "util/error.h"

#include <torch/nn/functional/loss.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <filesystem>

namespace adapterlab::train {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Positive class for F1: the label named "1" when there is one, else the second label.
int positiveClass(const data::TaskData& task) {
    for (size_t i = 0; i < task.labels.size(); ++i)
        if (task.labels[i] == "1") return static_cast<int>(i);
    return 1;
}

constexpr const char* kCheckpointFormat = "adapterlab-epoch-checkpoint";
constexpr int kCheckpointVersion = 1;

// The settings a checkpoint must share with the run resuming it (device and threads may change;
// the precision is the resolved one, fp32 for checkpoints written before the setting).
nlohmann::json resumableSettings(const RunConfig& c) {
    nlohmann::json j = c.toJson();
    j.erase("device");
    j.erase("threads");
    return j;
}

// JSON has no NaN (an undefined correlation): null stands for it, both ways.
nlohmann::json metricsToJson(const Metrics& m) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : m) j[k] = std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
    return j;
}

Metrics metricsFromJson(const nlohmann::json& j) {
    Metrics m;
    for (const auto& [k, v] : j.items()) m[k] = v.is_number() ? v.get<double>() : std::nan("");
    return m;
}

bool isOutOfMemory(const c10::Error& e) {
    if (dynamic_cast<const c10::OutOfMemoryError*>(&e)) return true;
    const std::string m = e.what();
    return m.find("out of memory") != std::string::npos ||
           m.find("can't allocate memory") != std::string::npos;
}

} // namespace

void reportOutOfMemory(const std::function<void()>& step, const c10::Device& device,
                       int64_t batchSize, int64_t maxLength) {
    try {
        step();
    } catch (const c10::Error& e) {
        if (!isOutOfMemory(e)) throw;
        const std::string where = device.is_cuda() ? device.str() : "the CPU";
        throw Error("out of memory on " + where + " at batch size " + std::to_string(batchSize) +
                    " (maximum length " + std::to_string(maxLength) + "): try --batch-size " +
                    std::to_string(std::max<int64_t>(1, batchSize / 2)) +
                    ", a shorter --max-length, or --precision bf16 (" + firstLine(e.what()) + ")");
    }
}

// An epoch checkpoint loaded by resumeFrom(), consumed by the next train().
struct Trainer::ResumeState {
    torch::serialize::InputArchive archive;
    CheckpointProgress progress;
    double seconds = 0;
    TrainResult partial; ///< best and last metrics, best epoch's task parameters
    std::string path;
};

Trainer::~Trainer() = default;

double scheduledLearningRate(double base, int64_t step, int64_t total, double warmupFraction) {
    const auto warmup = static_cast<int64_t>(warmupFraction * static_cast<double>(total));
    if (step < warmup) return base * static_cast<double>(step) / static_cast<double>(warmup);
    if (total <= warmup) return base;
    return base * std::max(0.0, static_cast<double>(total - step) / static_cast<double>(total - warmup));
}

std::vector<std::string> freezeForMethod(model::BertModel& m, const MethodSpec& method) {
    std::vector<std::string> names;
    for (auto& item : m->named_parameters()) {
        const model::ParamSpec spec{item.key(), {}, model::groupOf(item.key()), model::layerOf(item.key())};
        const bool trainable = isTrainable(spec, method, m->numLayers());
        item.value().set_requires_grad(trainable);
        if (trainable) names.push_back(item.key());
    }
    return names;
}

Trainer::Trainer(RunConfig config, model::BertModel model, const data::TaskData& task,
                 data::EncodedSplit train, data::EncodedSplit dev, int64_t padId)
    : config_(std::move(config)), model_(std::move(model)), task_(task), train_(std::move(train)),
      dev_(std::move(dev)), padId_(padId), device_(resolveDevice(config_.device)),
      plan_(planPrecision(config_.precision, device_)), scaler_(plan_.lossScaling) {
    config_.precision = plan_.precision; // checkpoints hold the resolved precision
    config_.validateFor(model_->config());
    applyMathFlags(plan_);
    model_->to(device_);
    model_->mergeLora(false); // LoRA trains (and is evaluated) as separate factors
    trainableNames_ = freezeForMethod(model_, config_.method);
}

void Trainer::setProcessGroup(ProcessGroup* group) {
    if (group && group->worldSize() > 1 && device_.is_cuda())
        throw Error("data-parallel training runs on the CPU (c10d Gloo); NCCL for " +
                    device_.str() +
                    " is not in this build: train on one GPU per run, or --device cpu");
    group_ = group && group->worldSize() > 1 ? group : nullptr;
}

torch::Tensor Trainer::loss(const torch::Tensor& logits, const std::vector<size_t>& idx) const {
    // logits: [B, C] -> scalar
    if (task_.regression) {
        std::vector<float> t;
        for (size_t i : idx) t.push_back(train_.targets[i]);
        return torch::mse_loss(logits.squeeze(1), onDevice(torch::tensor(t)));
    }
    std::vector<int64_t> y;
    for (size_t i : idx) y.push_back(train_.labels[i]);
    return torch::nn::functional::cross_entropy(logits, onDevice(torch::tensor(y)));
}

torch::Tensor Trainer::onDevice(const torch::Tensor& t) const {
    if (!device_.is_cuda()) return t;
    // Pinned host memory lets the copy overlap the previous step's kernels.
    return t.pin_memory().to(device_, /*non_blocking=*/true);
}

TrainResult Trainer::train(TrainObserver* observer, const std::atomic<bool>* cancel) {
    auto named = model_->named_parameters();
    std::vector<std::pair<std::string, torch::Tensor>> trainable;
    std::vector<torch::Tensor> all; // clipped together, in the model's order
    for (const auto& n : trainableNames_) {
        trainable.emplace_back(n, named[n]);
        all.push_back(named[n]);
    }
    const auto optimizer = makeAdamW(trainable, config_.learningRate, config_.weightDecay);

    const size_t batchesPerEpoch =
        (train_.size() + static_cast<size_t>(config_.batchSize) - 1) / static_cast<size_t>(config_.batchSize);
    const auto total = static_cast<int64_t>(batchesPerEpoch) * config_.epochs;
    TrainResult result;
    result.bestScore = -std::numeric_limits<double>::infinity();
    int64_t step = 0;
    int firstEpoch = 1;
    double secondsBefore = 0; // training time of the sessions before a resume
    if (resume_) {
        torch::serialize::InputArchive state;
        try {
            resume_->archive.read("optimizer", state);
            optimizer->load(state);
        } catch (const c10::Error& e) {
            throw Error("checkpoint '" + resume_->path + "': optimizer state unreadable: " + firstLine(e.what()));
        }
        result = resume_->partial;
        step = resume_->progress.step;
        firstEpoch = resume_->progress.epoch + 1;
        secondsBefore = resume_->seconds;
        resume_.reset();
    }
    const int world = group_ ? group_->worldSize() : 1;
    const int rank = group_ ? group_->rank() : 0;
    const int64_t reducedBefore = group_ ? group_->bytesReduced() : 0;
    if (group_) group_->broadcast(all); // same start on every rank, as DDP does
    if (device_.is_cuda()) resetPeakMemory(device_.index());
    const auto start = Clock::now();
    const auto elapsed = [&] { return secondsSince(start); };
    size_t examplesSeen = 0;
    for (int epoch = firstEpoch; epoch <= config_.epochs && !result.cancelled; ++epoch) {
        // Dropout masks from a seed per epoch, so a resumed run draws what an unbroken one would.
        // Each rank draws its own masks (as in DDP): with dropout, N ranks match one process
        // in distribution, not bit for bit.
        torch::manual_seed(config_.seed * 1000003ULL + static_cast<uint64_t>(epoch) * 7919ULL +
                           static_cast<uint64_t>(rank) * 104729ULL);
        model_->train();
        const auto batches = data::makeBatches(train_, static_cast<size_t>(config_.batchSize), true,
                                               config_.seed * 1000003ULL + static_cast<uint64_t>(epoch));
        for (const auto& idx : batches) {
            const bool stopHere = cancel && cancel->load();
            if (stopHere && !group_) {
                result.cancelled = true;
                break;
            }
            const double lr = scheduledLearningRate(config_.learningRate, step, total, config_.warmupFraction);
            setLearningRate(*optimizer, lr);
            // This rank's contiguous slice of the global batch, weighted by its share. A rank
            // left without an example runs one at weight 0, so that its graph, and which
            // gradients exist, match the other ranks'.
            std::vector<size_t> mine = idx;
            double share = 1;
            if (group_) {
                const size_t n = idx.size();
                mine.assign(idx.begin() + static_cast<std::ptrdiff_t>(n * rank / world),
                            idx.begin() + static_cast<std::ptrdiff_t>(n * (rank + 1) / world));
                share = static_cast<double>(mine.size()) / static_cast<double>(n);
                if (mine.empty()) mine = {idx.front()};
            }
            const data::Batch b = data::collate(train_, mine, padId_);
            torch::Tensor l;
            double lossValue = 0;
            bool stopAll = stopHere;
            reportOutOfMemory(
                [&] {
                    torch::Tensor logits;
                    {
                        AutocastScope autocast(plan_);
                        logits =
                            model_->logits(onDevice(b.ids), onDevice(b.typeIds), onDevice(b.mask));
                    }
                    l = loss(logits.to(torch::kFloat),
                             mine); // the loss in float32 in every precision
                    if (group_) l = l * share;
                    optimizer->zero_grad();
                    scaler_.scale(l).backward();
                    if (group_) {
                        // One all-reduce for the gradients, the loss and the stop flag: [2]
                        const auto status =
                            torch::tensor({l.detach().to(torch::kCPU, torch::kFloat).item<float>(),
                                           stopHere ? 1.f : 0.f});
                        std::vector<torch::Tensor> reduced{status};
                        for (const auto& p : all)
                            if (p.grad().defined()) reduced.push_back(p.grad());
                        group_->allreduceSum(reduced);
                        lossValue = status[0].item<double>();
                        stopAll = status[1].item<float>() > 0;
                    } else {
                        lossValue = l.item<double>();
                    }
                    const bool finite = scaler_.unscale(all);
                    if (finite) {
                        torch::nn::utils::clip_grad_norm_(all, config_.clipNorm);
                        optimizer->step();
                    }
                    scaler_.update(finite);
                },
                device_, static_cast<int64_t>(mine.size()), config_.maxLength);
            ++step;
            examplesSeen += idx.size();
            if (observer) {
                const auto reportStart = Clock::now();
                const double seconds = elapsed();
                StepInfo s;
                s.step = step;
                s.totalSteps = total;
                s.epoch = epoch;
                s.loss = lossValue;
                s.learningRate = lr;
                s.examplesPerSecond = seconds > 0 ? static_cast<double>(examplesSeen) / seconds : 0;
                const auto stepsNow = static_cast<double>(step - (firstEpoch - 1) * static_cast<int64_t>(batchesPerEpoch));
                s.etaSeconds = seconds / stepsNow * static_cast<double>(total - step);
                observer->onStep(s);
                result.observerSeconds += secondsSince(reportStart);
            }
            if (stopAll) { // data-parallel: a cancel on any rank stops all after this step
                result.cancelled = true;
                break;
            }
        }
        if (result.cancelled) break;
        EvalInfo e;
        e.epoch = epoch;
        e.step = step;
        e.metrics = evaluate(dev_);
        e.score = e.metrics.at(task_.mainMetric);
        e.best = e.score > result.bestScore;
        result.last = e.metrics;
        if (e.best) {
            result.bestScore = e.score;
            result.best = e.metrics;
            result.bestEpoch = epoch;
            result.taskParameters = encodeTaskParameters(
                model_, config_.method, {{"epoch", std::to_string(epoch)}, {"task", task_.name}});
        }
        if (observer) {
            const auto reportStart = Clock::now();
            observer->onEval(e);
            result.observerSeconds += secondsSince(reportStart);
        }
        if (!checkpointPath_.empty()) {
            const auto saveStart = Clock::now();
            saveCheckpoint(epoch, step, secondsBefore + elapsed(), result, *optimizer);
            result.checkpointSeconds += secondsSince(saveStart);
        }
    }
    result.steps = step;
    result.trainSeconds = secondsBefore + elapsed();
    result.skippedSteps = scaler_.skippedSteps();
    if (group_) result.reducedBytes = group_->bytesReduced() - reducedBefore;
    if (device_.is_cuda()) result.peakMemoryBytes = peakMemory(device_.index());
    if (result.bestEpoch == 0) result.bestScore = 0;
    return result;
}

void Trainer::saveCheckpoint(int epoch, int64_t step, double seconds, const TrainResult& r,
                             torch::optim::Optimizer& optimizer) const {
    nlohmann::json meta = {{"format", kCheckpointFormat},
                           {"version", kCheckpointVersion},
                           {"epoch", epoch},
                           {"step", step},
                           {"seconds", seconds},
                           {"best_epoch", r.bestEpoch},
                           {"best_score", r.bestEpoch > 0 ? r.bestScore : 0.0},
                           {"best", metricsToJson(r.best)},
                           {"last", metricsToJson(r.last)},
                           {"parameters", trainableNames_},
                           {"settings", resumableSettings(config_)}};
    if (scaler_.enabled())
        meta["loss_scaler"] = {{"scale", scaler_.currentScale()},
                               {"good_steps", scaler_.goodSteps()},
                               {"skipped_steps", scaler_.skippedSteps()}};
    torch::serialize::OutputArchive ar;
    ar.write("meta", c10::IValue(meta.dump()));
    auto named = model_->named_parameters();
    // Archive keys may not contain dots; parameters go by index, their names are in meta.
    for (size_t i = 0; i < trainableNames_.size(); ++i)
        ar.write("p" + std::to_string(i), named[trainableNames_[i]].detach(), true);
    if (!r.taskParameters.empty()) {
        const auto n = static_cast<int64_t>(r.taskParameters.size());
        ar.write("best_task_parameters",
                 torch::from_blob(const_cast<char*>(r.taskParameters.data()), {n}, torch::kUInt8).clone(),
                 true);
    }
    torch::serialize::OutputArchive state;
    optimizer.save(state);
    ar.write("optimizer", state);
    // The folder is shared with the store's other runs, which remove it once it is empty.
    writeFileAtomically(
        checkpointPath_, [&](const std::string& tmp) { ar.save_to(tmp); }, "the epoch checkpoint",
        MissingFolder::Create);
}

CheckpointProgress Trainer::resumeFrom(const std::string& path) {
    auto st = std::make_unique<ResumeState>();
    st->path = path;
    if (!std::filesystem::is_regular_file(path)) throw Error("checkpoint '" + path + "' does not exist");
    try {
        st->archive.load_from(path, device_);
    } catch (const c10::Error& e) {
        throw Error("checkpoint '" + path + "' is unreadable (truncated or not a checkpoint): " +
                    firstLine(e.what()));
    }
    c10::IValue metaValue;
    if (!st->archive.try_read("meta", metaValue) || !metaValue.isString())
        throw Error("'" + path + "' is not an AdapterLab epoch checkpoint");
    const auto meta = nlohmann::json::parse(metaValue.toStringRef(), nullptr, false);
    if (!meta.is_object() || meta.value("format", "") != kCheckpointFormat)
        throw Error("'" + path + "' is not an AdapterLab epoch checkpoint");
    if (meta.value("version", 0) != kCheckpointVersion)
        throw Error("checkpoint '" + path + "' has version " + std::to_string(meta.value("version", 0)) +
                    "; this build reads version " + std::to_string(kCheckpointVersion));
    // Compared as parsed: a checkpoint of an earlier build lacks settings added since (defaults).
    bool sameSettings = false;
    try {
        nlohmann::json settings = meta.at("settings");
        if (settings.is_object() && !settings.contains("precision")) settings["precision"] = "fp32";
        sameSettings =
            resumableSettings(RunConfig::fromJson(settings)) == resumableSettings(config_);
    } catch (const std::exception&) {
    }
    if (!sameSettings) throw Error("checkpoint '" + path + "' belongs to other run settings");
    if (meta["parameters"] != nlohmann::json(trainableNames_))
        throw Error("checkpoint '" + path + "' holds other trainable parameters than this method");
    try {
        auto named = model_->named_parameters();
        torch::NoGradGuard guard;
        for (size_t i = 0; i < trainableNames_.size(); ++i) {
            torch::Tensor t;
            st->archive.read("p" + std::to_string(i), t, true);
            auto& p = named[trainableNames_[i]];
            if (!t.sizes().equals(p.sizes()))
                throw Error("checkpoint '" + path + "': '" + trainableNames_[i] + "' has another shape");
            p.copy_(t);
        }
        torch::Tensor best;
        if (st->archive.try_read("best_task_parameters", best, true)) {
            const auto bytes = best.to(torch::kCPU).contiguous();
            const auto* data = static_cast<const char*>(bytes.data_ptr());
            st->partial.taskParameters.assign(data, data + bytes.numel());
        }
    } catch (const c10::Error& e) {
        throw Error("checkpoint '" + path + "' is damaged: " + firstLine(e.what()));
    }
    try {
        st->progress = {meta.at("epoch").get<int>(), meta.at("step").get<int64_t>()};
        st->seconds = meta.at("seconds").get<double>();
        st->partial.bestEpoch = meta.at("best_epoch").get<int>();
        st->partial.bestScore = meta.at("best_score").get<double>();
        st->partial.best = metricsFromJson(meta.at("best"));
        st->partial.last = metricsFromJson(meta.at("last"));
        if (meta.contains("loss_scaler")) {
            const auto& ls = meta.at("loss_scaler");
            scaler_.restore(ls.at("scale").get<double>(), ls.at("good_steps").get<int64_t>(),
                            ls.at("skipped_steps").get<int64_t>());
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error("checkpoint '" + path + "' is damaged: " + e.what());
    }
    if (st->progress.epoch < 1 || st->progress.epoch > config_.epochs)
        throw Error("checkpoint '" + path + "' is at epoch " + std::to_string(st->progress.epoch) +
                    " of a run with " + std::to_string(config_.epochs));
    if (st->partial.bestEpoch == 0) st->partial.bestScore = -std::numeric_limits<double>::infinity();
    const CheckpointProgress progress = st->progress;
    resume_ = std::move(st);
    return progress;
}

std::vector<double> Trainer::predictValues(const data::EncodedSplit& split) {
    torch::NoGradGuard guard;
    model_->eval();
    std::vector<double> values(split.size());
    const auto batches = data::makeBatches(split, 64, false, 0);
    for (size_t k = 0; k < batches.size(); ++k) {
        // Data-parallel: rank r predicts batches r, r + N, …; the sum over ranks fills them all.
        if (group_ &&
            static_cast<int>(k % static_cast<size_t>(group_->worldSize())) != group_->rank())
            continue;
        const auto& idx = batches[k];
        const data::Batch b = data::collate(split, idx, padId_);
        torch::Tensor logits;
        reportOutOfMemory(
            [&] {
                AutocastScope autocast(plan_);
                logits = model_->logits(onDevice(b.ids), onDevice(b.typeIds), onDevice(b.mask))
                             .to(torch::kCPU, torch::kFloat);
            },
            device_, static_cast<int64_t>(idx.size()), config_.maxLength);
        const auto v = task_.regression ? logits.squeeze(1) : logits.argmax(1).to(torch::kFloat);
        const auto acc = v.contiguous();
        const float* p = acc.data_ptr<float>();
        for (size_t i = 0; i < idx.size(); ++i)
            values[idx[i]] = p[i];
    }
    if (group_) // [n] float64: class ids and regression values are exact in it
        group_->allreduceSum({torch::from_blob(values.data(), {static_cast<int64_t>(values.size())},
                                               torch::kDouble)});
    return values;
}

Metrics scorePredictions(const data::TaskData& task, const std::vector<double>& values,
                         const data::EncodedSplit& split) {
    if (task.regression) {
        std::vector<double> gold(split.targets.begin(), split.targets.end());
        return regressionMetrics(values, gold);
    }
    std::vector<int> pred(values.size()), gold(values.size());
    for (size_t i = 0; i < values.size(); ++i) {
        pred[i] = static_cast<int>(values[i]);
        gold[i] = static_cast<int>(split.labels[i]);
    }
    return classificationMetrics(pred, gold, static_cast<int>(task.numLabels()), positiveClass(task));
}

Metrics Trainer::evaluate(const data::EncodedSplit& split) {
    return scorePredictions(task_, predictValues(split), split);
}

} // namespace adapterlab::train
