#include "train/param_count.h"

#include "train/run_config.h"

#include <nlohmann/json.hpp>

namespace adapterlab::train {

ParamCounts countParameters(const model::BertConfig& config, const RunConfig& run, bool withHead) {
    const MethodSpec& method = run.method;
    method.validate(config.numLayers);
    ParamCounts c;
    for (const auto& p : model::parameterSpecs(config, methodModules(run, false), withHead)) {
        const int64_t n = p.numel();
        const auto g = static_cast<size_t>(p.group);
        c.total += n;
        c.byGroup[g] += n;
        if (p.group != model::ParamGroup::Adapters && p.group != model::ParamGroup::Head)
            c.backbone += n;
        if (isTrainable(p, method, config.numLayers)) {
            c.trainable += n;
            c.trainableByGroup[g] += n;
        }
    }
    int64_t whileTraining = 0;
    for (const auto& p : model::parameterSpecs(config, methodModules(run, true), withHead))
        if (isTrainable(p, method, config.numLayers)) whileTraining += p.numel();
    c.trainingOnly = whileTraining - c.trainable;
    return c;
}

nlohmann::json ParamCounts::toJson() const {
    nlohmann::json groups = nlohmann::json::object(), trainableGroups = nlohmann::json::object();
    for (int g = 0; g < model::kNumParamGroups; ++g) {
        const char* name = model::toString(static_cast<model::ParamGroup>(g));
        groups[name] = byGroup[g];
        trainableGroups[name] = trainableByGroup[g];
    }
    return {{"total", total},
            {"trainable", trainable},
            {"training_only", trainingOnly},
            {"backbone", backbone},
            {"trainable_percent", trainablePercent()},
            {"groups", groups},
            {"trainable_groups", trainableGroups}};
}

} // namespace adapterlab::train
