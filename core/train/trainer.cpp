#include "train/trainer.h"

#include "train/task_params.h"
#include "util/error.h"

#include <torch/cuda.h>
#include <torch/nn/functional/loss.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adamw.h>

#include <chrono>

namespace adapterlab::train {
namespace {

using Clock = std::chrono::steady_clock;

bool noDecay(const std::string& name) {
    return model::groupOf(name) == model::ParamGroup::LayerNorm ||
           name.size() >= 5 && name.compare(name.size() - 5, 5, ".bias") == 0;
}

// Positive class for F1: the label named "1" when there is one, else the second label.
int positiveClass(const data::TaskData& task) {
    for (size_t i = 0; i < task.labels.size(); ++i)
        if (task.labels[i] == "1") return static_cast<int>(i);
    return 1;
}

} // namespace

double scheduledLearningRate(double base, int64_t step, int64_t total, double warmupFraction) {
    const auto warmup = static_cast<int64_t>(warmupFraction * static_cast<double>(total));
    if (step < warmup) return base * static_cast<double>(step) / static_cast<double>(warmup);
    if (total <= warmup) return base;
    return base * std::max(0.0, static_cast<double>(total - step) / static_cast<double>(total - warmup));
}

c10::Device resolveDevice(const std::string& spec) {
    const int count = static_cast<int>(torch::cuda::device_count());
    if (spec == "auto") return count > 0 ? c10::Device(c10::kCUDA, 0) : c10::Device(c10::kCPU);
    if (spec == "cpu") return c10::Device(c10::kCPU);
    if (spec == "cuda" || spec.rfind("cuda:", 0) == 0) {
        const int index = spec == "cuda" ? 0 : std::atoi(spec.c_str() + 5);
        if (count == 0) throw Error("device '" + spec + "': no CUDA device is available");
        if (index < 0 || index >= count)
            throw Error("device '" + spec + "' does not exist (" + std::to_string(count) + " CUDA devices)");
        return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(index));
    }
    throw Error("device '" + spec + "' is not auto, cpu, cuda or cuda:N");
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
      dev_(std::move(dev)), padId_(padId), device_(resolveDevice(config_.device)) {
    config_.validateFor(model_->config());
    model_->to(device_);
    trainableNames_ = freezeForMethod(model_, config_.method);
}

torch::Tensor Trainer::loss(const torch::Tensor& logits, const std::vector<size_t>& idx) const {
    // logits: [B, C] -> scalar
    if (task_.regression) {
        std::vector<float> t;
        for (size_t i : idx) t.push_back(train_.targets[i]);
        return torch::mse_loss(logits.squeeze(1), torch::tensor(t).to(device_));
    }
    std::vector<int64_t> y;
    for (size_t i : idx) y.push_back(train_.labels[i]);
    return torch::nn::functional::cross_entropy(logits, torch::tensor(y).to(device_));
}

TrainResult Trainer::train(TrainObserver* observer, const std::atomic<bool>* cancel) {
    torch::manual_seed(config_.seed); // dropout masks
    auto named = model_->named_parameters();
    std::vector<torch::Tensor> decay, plain, all;
    for (const auto& n : trainableNames_) {
        (noDecay(n) ? plain : decay).push_back(named[n]);
        all.push_back(named[n]);
    }
    const auto opts = torch::optim::AdamWOptions(config_.learningRate)
                          .betas({0.9, 0.999})
                          .eps(1e-6)
                          .weight_decay(config_.weightDecay);
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(opts));
    groups.emplace_back(plain, std::make_unique<torch::optim::AdamWOptions>(
                                   torch::optim::AdamWOptions(opts).weight_decay(0.0)));
    torch::optim::AdamW optimizer(std::move(groups));

    const size_t batchesPerEpoch =
        (train_.size() + static_cast<size_t>(config_.batchSize) - 1) / static_cast<size_t>(config_.batchSize);
    const auto total = static_cast<int64_t>(batchesPerEpoch) * config_.epochs;
    TrainResult result;
    result.bestScore = -std::numeric_limits<double>::infinity();
    const auto start = Clock::now();
    int64_t step = 0;
    size_t examplesSeen = 0;
    for (int epoch = 1; epoch <= config_.epochs && !result.cancelled; ++epoch) {
        model_->train();
        const auto batches = data::makeBatches(train_, static_cast<size_t>(config_.batchSize), true,
                                               config_.seed * 1000003ULL + static_cast<uint64_t>(epoch));
        for (const auto& idx : batches) {
            if (cancel && cancel->load()) {
                result.cancelled = true;
                break;
            }
            const double lr = scheduledLearningRate(config_.learningRate, step, total, config_.warmupFraction);
            for (auto& g : optimizer.param_groups())
                static_cast<torch::optim::AdamWOptions&>(g.options()).lr(lr);
            const data::Batch b = data::collate(train_, idx, padId_);
            const auto out = model_->forward(b.ids.to(device_), b.typeIds.to(device_), b.mask.to(device_));
            auto l = loss(out.logits, idx);
            optimizer.zero_grad();
            l.backward();
            torch::nn::utils::clip_grad_norm_(all, config_.clipNorm);
            optimizer.step();
            ++step;
            examplesSeen += idx.size();
            if (observer) {
                const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
                StepInfo s;
                s.step = step;
                s.totalSteps = total;
                s.epoch = epoch;
                s.loss = l.item<double>();
                s.learningRate = lr;
                s.examplesPerSecond = elapsed > 0 ? static_cast<double>(examplesSeen) / elapsed : 0;
                s.etaSeconds = elapsed / static_cast<double>(step) * static_cast<double>(total - step);
                observer->onStep(s);
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
        if (observer) observer->onEval(e);
    }
    result.steps = step;
    result.trainSeconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (result.bestEpoch == 0) result.bestScore = 0;
    return result;
}

std::vector<double> Trainer::predictValues(const data::EncodedSplit& split) {
    torch::NoGradGuard guard;
    model_->eval();
    std::vector<double> values(split.size());
    for (const auto& idx : data::makeBatches(split, 64, false, 0)) {
        const data::Batch b = data::collate(split, idx, padId_);
        const auto logits = model_->forward(b.ids.to(device_), b.typeIds.to(device_), b.mask.to(device_))
                                .logits.to(torch::kCPU, torch::kFloat);
        const auto v = task_.regression ? logits.squeeze(1) : logits.argmax(1).to(torch::kFloat);
        const auto acc = v.contiguous();
        const float* p = acc.data_ptr<float>();
        for (size_t k = 0; k < idx.size(); ++k) values[idx[k]] = p[k];
    }
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
