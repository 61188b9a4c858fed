#include "train/optimizer.h"

namespace adapterlab::train {
namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

} // namespace

bool decaysWeight(const std::string& name) {
    const bool layerNorm = name.find("LayerNorm.") != std::string::npos;
    const bool bias = name == "bias" || endsWith(name, ".bias");
    return !layerNorm && !bias;
}

std::unique_ptr<torch::optim::AdamW>
makeAdamW(const std::vector<std::pair<std::string, torch::Tensor>>& named, double lr,
          double weightDecay) {
    std::vector<torch::Tensor> decay, plain;
    for (const auto& [name, parameter] : named)
        (decaysWeight(name) ? decay : plain).push_back(parameter);
    const auto opts =
        torch::optim::AdamWOptions(lr).betas({0.9, 0.999}).eps(1e-6).weight_decay(weightDecay);
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(decay, std::make_unique<torch::optim::AdamWOptions>(opts));
    groups.emplace_back(plain, std::make_unique<torch::optim::AdamWOptions>(
                                   torch::optim::AdamWOptions(opts).weight_decay(0.0)));
    return std::make_unique<torch::optim::AdamW>(std::move(groups));
}

void setLearningRate(torch::optim::Optimizer& optimizer, double lr) {
    for (auto& group : optimizer.param_groups())
        group.options().set_lr(lr);
}

} // namespace adapterlab::train
