#include "train/run_config.h"

#include "train/method.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <type_traits>

namespace adapterlab::train {

using nlohmann::json;

std::vector<FieldError> RunConfig::check() const {
    std::vector<FieldError> out;
    const auto fail = [&](const char* field, const std::string& m) {
        out.push_back({field, "invalid setting: " + m});
    };
    if (task.empty()) fail("task", "task is empty");
    if (backbone.empty()) fail("backbone", "backbone is empty");
    const MethodInfo& info = methodInfo(method.method);
    if (info.knob) {
        const MethodKnob& k = *info.knob;
        const int64_t v = k.get(*this);
        if (v < k.min || v > k.max)
            fail(k.setting.c_str(), k.noun + " = " + std::to_string(v) + " must be between " +
                                        std::to_string(k.min) + " and " + std::to_string(k.max));
    }
    const auto reads = [&](const char* setting) { return info.reads(setting); };
    if (reads("init_std") && (!std::isfinite(adapter.initStd) || adapter.initStd < 0))
        fail("init_std", "adapter init std must be a finite number >= 0");
    if (reads("adapter_layers") && (adapter.hiddenLayers < 1 || adapter.hiddenLayers > 8))
        fail("adapter_layers", "adapter hidden layers must be between 1 and 8");
    if (reads("adapter_scaling") &&
        !(std::isfinite(adapterScaling) && adapterScaling > 0 && adapterScaling <= 1000))
        fail("adapter_scaling", "adapter scaling s must be in (0, 1000]");
    if (reads("lora_alpha") && !(std::isfinite(lora.alpha) && lora.alpha > 0))
        fail("lora_alpha", "LoRA alpha must be > 0");
    if (reads("lora_dropout") && !(lora.dropout >= 0 && lora.dropout < 1))
        fail("lora_dropout", "LoRA dropout must be in [0, 1)");
    if (reads("lora_targets") && lora.targets.empty())
        fail("lora_targets", "LoRA needs at least one target projection");
    if (reads("prefix_hidden") && (prefix.hidden < 0 || prefix.hidden > model::kMaxHidden))
        fail("prefix_hidden",
             "prefix MLP width must be between 0 (none) and " + std::to_string(model::kMaxHidden));
    if (!std::isfinite(learningRate) || learningRate <= 0)
        fail("learning_rate", "learning rate must be > 0");
    else if (learningRate > 1)
        fail("learning_rate",
             "learning rate " + std::to_string(learningRate) + " is absurdly large (> 1)");
    const auto outside = [](int64_t v, IntRange r) { return v < r.min || v > r.max; };
    if (outside(epochs, kEpochsRange)) fail("epochs", "epochs must be between 1 and 1000");
    if (outside(batchSize, kBatchSizeRange))
        fail("batch_size", "batch size must be between 1 and 65536");
    if (maxLength < kMaxLengthRange.min)
        fail("max_length", "maximum length must be at least 3 tokens");
    if (!(warmupFraction >= 0 && warmupFraction < 1))
        fail("warmup_fraction", "warmup fraction must be in [0, 1)");
    if (!(weightDecay >= 0 && weightDecay < 1))
        fail("weight_decay", "weight decay must be in [0, 1)");
    if (!(clipNorm > 0)) fail("clip_norm", "gradient clipping norm must be > 0");
    if (threads < 0) fail("threads", "threads must be >= 0");
    if (trainSize < 0) fail("train_size", "training-set size must be >= 0 (0 = all examples)");
    if (device != "auto" && device != "cpu" && device.rfind("cuda", 0) != 0)
        fail("device", "device '" + device + "' is not auto, cpu, cuda or cuda:N");
    else if (device == "cpu" && (precision == Precision::Tf32 || precision == Precision::Fp16))
        fail("precision", "precision " + toString(precision) + " needs a CUDA device, not the CPU");
    return out;
}

std::vector<FieldError> RunConfig::checkFor(const model::BertConfig& b) const {
    std::vector<FieldError> out = check();
    const MethodInfo& info = methodInfo(method.method);
    const auto reads = [&](const char* setting) { return info.reads(setting); };
    const auto has = [&](const char* field) {
        for (const auto& e : out)
            if (e.field == field) return true;
        return false;
    };
    // A shifted prefix takes the first l positions.
    const int64_t taken = reads("prefix_shift_positions") ? prefix.positionsTaken() : 0;
    if (!has("max_length") && maxLength + taken > b.maxTokens())
        out.push_back(
            {"max_length",
             "invalid setting: maximum length " + std::to_string(maxLength) +
                 (taken > 0 ? " after a prefix of " + std::to_string(taken) : std::string()) +
                 " exceeds the backbone's " + std::to_string(b.maxTokens()) + " positions"});
    if (!has("top_k")) {
        try {
            method.validate(b.numLayers);
        } catch (const Error& e) {
            out.push_back({"top_k", e.what()});
        }
    }
    return out;
}

void RunConfig::validate() const {
    const auto problems = check();
    if (!problems.empty()) throw Error(problems.front().message);
}

void RunConfig::validateFor(const model::BertConfig& b) const {
    const auto problems = checkFor(b);
    if (!problems.empty()) throw Error(problems.front().message);
}

namespace {
// Settings only some methods read: stored with a run of such a method, absent (defaults) else.
const std::vector<std::string>& methodSettings() {
    static const std::vector<std::string> keys = {
        "adapter_placement", "adapter_activation", "adapter_norm",  "adapter_layers",
        "adapter_scaling",   "lora_rank",          "lora_alpha",    "lora_dropout",
        "lora_targets",      "prefix_length",      "prefix_hidden", "prefix_shift_positions"};
    return keys;
}
} // namespace

json RunConfig::toJson() const {
    json j = {{"task", task},
              {"backbone", backbone},
              {"method", toString(method.method)},
              {"top_k", method.topK},
              {"adapter_size", adapter.size},
              {"init_std", adapter.initStd},
              {"pooling", model::toString(pooling)},
              {"learning_rate", learningRate},
              {"epochs", epochs},
              {"batch_size", batchSize},
              {"max_length", maxLength},
              {"warmup_fraction", warmupFraction},
              {"weight_decay", weightDecay},
              {"clip_norm", clipNorm},
              {"seed", seed},
              {"device", device},
              {"precision", toString(precision)},
              {"threads", threads},
              {"skip_malformed", skipMalformed},
              {"train_size", trainSize}};
    const json extra = {{"adapter_placement", model::toString(adapter.placement)},
                        {"adapter_activation", model::toString(adapter.activation)},
                        {"adapter_norm", adapter.innerNorm},
                        {"adapter_layers", adapter.hiddenLayers},
                        {"adapter_scaling", adapterScaling},
                        {"lora_rank", lora.rank},
                        {"lora_alpha", lora.alpha},
                        {"lora_dropout", lora.dropout},
                        {"lora_targets", model::toString(lora.targets)},
                        {"prefix_length", prefix.length},
                        {"prefix_hidden", prefix.hidden}};
    const auto& settings = methodInfo(method.method).settings;
    for (const auto& key : settings)
        if (extra.contains(key)) j[key] = extra[key];
    // Stored only when set: runs from before the setting keep their stored form.
    if (prefix.shiftPositions &&
        std::find(settings.begin(), settings.end(), "prefix_shift_positions") != settings.end())
        j["prefix_shift_positions"] = true;
    return j;
}

RunConfig RunConfig::fromJson(const json& j, const std::string& origin) {
    if (!j.is_object()) throw Error(origin + ": expected a JSON object");
    static const std::set<std::string> known = {
        "task",       "backbone",        "method",         "top_k",      "adapter_size",
        "init_std",   "pooling",         "learning_rate",  "epochs",     "batch_size",
        "max_length", "warmup_fraction", "weight_decay",   "clip_norm",  "seed",
        "device",     "threads",         "skip_malformed", "train_size", "precision"};
    for (const auto& [k, v] : j.items())
        if (!known.count(k) && std::find(methodSettings().begin(), methodSettings().end(), k) ==
                                   methodSettings().end())
            throw Error(origin + ": unknown setting '" + k + "'");
    RunConfig c;
    // Typed reads: a value of the wrong type or beyond its field's range is named, never cast.
    const auto integer = [&](const char* key, auto& field) {
        const auto it = j.find(key);
        if (it == j.end()) return;
        using T = std::decay_t<decltype(field)>;
        bool fits = it->is_number_integer();
        if (fits && it->is_number_unsigned()) {
            fits = it->template get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<T>::max());
        } else if (fits) {
            const auto v = it->template get<int64_t>();
            if constexpr (std::is_unsigned_v<T>) {
                fits = v >= 0;
            } else {
                fits = v >= static_cast<int64_t>(std::numeric_limits<T>::min()) &&
                       v <= static_cast<int64_t>(std::numeric_limits<T>::max());
            }
        }
        if (!fits)
            throw Error(origin + ": setting '" + key + "' must be an integer in [" +
                        std::to_string(std::numeric_limits<T>::min()) + ", " +
                        std::to_string(std::numeric_limits<T>::max()) + "], got " + it->dump());
        field = it->template get<T>();
    };
    const auto number = [&](const char* key, double& field) {
        const auto it = j.find(key);
        if (it == j.end()) return;
        if (!it->is_number()) throw Error(origin + ": setting '" + key + "' must be a number, got " + it->dump());
        field = it->get<double>();
    };
    const auto text = [&](const char* key, std::string& field) {
        const auto it = j.find(key);
        if (it == j.end()) return;
        if (!it->is_string()) throw Error(origin + ": setting '" + key + "' must be a string, got " + it->dump());
        field = it->get<std::string>();
    };
    text("task", c.task);
    text("backbone", c.backbone);
    std::string method;
    text("method", method);
    if (j.contains("method")) c.method.method = parseMethod(method);
    integer("top_k", c.method.topK);
    integer("adapter_size", c.adapter.size);
    number("init_std", c.adapter.initStd);
    std::string pooling;
    text("pooling", pooling);
    if (j.contains("pooling")) {
        try {
            c.pooling = model::parsePooling(pooling);
        } catch (const Error& e) {
            throw Error(origin + ": " + e.what());
        }
    }
    number("learning_rate", c.learningRate);
    integer("epochs", c.epochs);
    integer("batch_size", c.batchSize);
    integer("max_length", c.maxLength);
    number("warmup_fraction", c.warmupFraction);
    number("weight_decay", c.weightDecay);
    number("clip_norm", c.clipNorm);
    integer("seed", c.seed);
    text("device", c.device);
    integer("threads", c.threads);
    integer("train_size", c.trainSize);
    const auto parsed = [&](const char* key, auto parse, auto& field) {
        std::string v;
        text(key, v);
        if (!j.contains(key)) return;
        try {
            field = parse(v);
        } catch (const Error& e) {
            throw Error(origin + ": " + e.what());
        }
    };
    parsed("adapter_placement", model::parsePlacement, c.adapter.placement);
    parsed("adapter_activation", model::parseActivation, c.adapter.activation);
    parsed("lora_targets", model::parseLoraTargets, c.lora.targets);
    parsed("precision", parsePrecision, c.precision);
    if (j.contains("adapter_norm")) {
        if (!j["adapter_norm"].is_boolean())
            throw Error(origin + ": setting 'adapter_norm' must be true or false, got " +
                        j["adapter_norm"].dump());
        c.adapter.innerNorm = j["adapter_norm"].get<bool>();
    }
    integer("adapter_layers", c.adapter.hiddenLayers);
    number("adapter_scaling", c.adapterScaling);
    integer("lora_rank", c.lora.rank);
    number("lora_alpha", c.lora.alpha);
    number("lora_dropout", c.lora.dropout);
    integer("prefix_length", c.prefix.length);
    integer("prefix_hidden", c.prefix.hidden);
    if (j.contains("prefix_shift_positions")) {
        if (!j["prefix_shift_positions"].is_boolean())
            throw Error(origin + ": setting 'prefix_shift_positions' must be true or false, got " +
                        j["prefix_shift_positions"].dump());
        c.prefix.shiftPositions = j["prefix_shift_positions"].get<bool>();
    }
    if (j.contains("skip_malformed")) {
        if (!j["skip_malformed"].is_boolean())
            throw Error(origin + ": setting 'skip_malformed' must be true or false, got " + j["skip_malformed"].dump());
        c.skipMalformed = j["skip_malformed"].get<bool>();
    }
    return c;
}

} // namespace adapterlab::train
