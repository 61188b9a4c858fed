#include "train/run_config.h"

#include "util/error.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <set>

namespace adapterlab::train {

using nlohmann::json;

void RunConfig::validate() const {
    const auto fail = [](const std::string& m) { throw Error("invalid setting: " + m); };
    if (task.empty()) fail("task is empty");
    if (backbone.empty()) fail("backbone is empty");
    if (method.method == Method::Adapter) adapter.validate("adapter");
    if (method.method == Method::TopK && method.topK < 1) fail("top-k must be at least 1");
    if (!std::isfinite(learningRate) || learningRate <= 0) fail("learning rate must be > 0");
    if (learningRate > 1) fail("learning rate " + std::to_string(learningRate) + " is absurdly large (> 1)");
    if (epochs < 1 || epochs > 1000) fail("epochs must be between 1 and 1000");
    if (batchSize < 1 || batchSize > 65536) fail("batch size must be between 1 and 65536");
    if (maxLength < 3) fail("maximum length must be at least 3 tokens");
    if (!(warmupFraction >= 0 && warmupFraction < 1)) fail("warmup fraction must be in [0, 1)");
    if (!(weightDecay >= 0 && weightDecay < 1)) fail("weight decay must be in [0, 1)");
    if (!(clipNorm > 0)) fail("gradient clipping norm must be > 0");
    if (threads < 0) fail("threads must be >= 0");
    if (device != "auto" && device != "cpu" && device.rfind("cuda", 0) != 0)
        fail("device '" + device + "' is not auto, cpu, cuda or cuda:N");
}

void RunConfig::validateFor(const model::BertConfig& b) const {
    validate();
    if (maxLength > b.maxPositions)
        throw Error("invalid setting: maximum length " + std::to_string(maxLength) +
                    " exceeds the backbone's " + std::to_string(b.maxPositions) + " positions");
    method.validate(b.numLayers);
}

json RunConfig::toJson() const {
    return {{"task", task},
            {"backbone", backbone},
            {"method", toString(method.method)},
            {"top_k", method.topK},
            {"adapter_size", adapter.size},
            {"init_std", adapter.initStd},
            {"learning_rate", learningRate},
            {"epochs", epochs},
            {"batch_size", batchSize},
            {"max_length", maxLength},
            {"warmup_fraction", warmupFraction},
            {"weight_decay", weightDecay},
            {"clip_norm", clipNorm},
            {"seed", seed},
            {"device", device},
            {"threads", threads},
            {"skip_malformed", skipMalformed}};
}

RunConfig RunConfig::fromJson(const json& j, const std::string& origin) {
    if (!j.is_object()) throw Error(origin + ": expected a JSON object");
    static const std::set<std::string> known = {
        "task", "backbone", "method", "top_k", "adapter_size", "init_std", "learning_rate",
        "epochs", "batch_size", "max_length", "warmup_fraction", "weight_decay", "clip_norm",
        "seed", "device", "threads", "skip_malformed"};
    for (const auto& [k, v] : j.items())
        if (!known.count(k)) throw Error(origin + ": unknown setting '" + k + "'");
    RunConfig c;
    try {
        c.task = j.value("task", c.task);
        c.backbone = j.value("backbone", c.backbone);
        if (j.contains("method")) c.method.method = parseMethod(j["method"].get<std::string>());
        c.method.topK = j.value("top_k", c.method.topK);
        c.adapter.size = j.value("adapter_size", c.adapter.size);
        c.adapter.initStd = j.value("init_std", c.adapter.initStd);
        c.learningRate = j.value("learning_rate", c.learningRate);
        c.epochs = j.value("epochs", c.epochs);
        c.batchSize = j.value("batch_size", c.batchSize);
        c.maxLength = j.value("max_length", c.maxLength);
        c.warmupFraction = j.value("warmup_fraction", c.warmupFraction);
        c.weightDecay = j.value("weight_decay", c.weightDecay);
        c.clipNorm = j.value("clip_norm", c.clipNorm);
        c.seed = j.value("seed", c.seed);
        c.device = j.value("device", c.device);
        c.threads = j.value("threads", c.threads);
        c.skipMalformed = j.value("skip_malformed", c.skipMalformed);
    } catch (const json::exception& e) {
        throw Error(origin + ": wrong type for a setting (" + e.what() + ")");
    }
    return c;
}

} // namespace adapterlab::train
