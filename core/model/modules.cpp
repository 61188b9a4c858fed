#include "model/modules.h"

#include "model/config.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>

namespace adapterlab::model {
namespace {

using nlohmann::json;

// One table per enum: the names stored, typed on the command line and shown.
template <typename E, size_t N> using Names = std::array<std::pair<E, const char*>, N>;

constexpr Names<AdapterStyle, 3> kStyles{{{AdapterStyle::Houlsby, "houlsby"},
                                          {AdapterStyle::Pfeiffer, "pfeiffer"},
                                          {AdapterStyle::Parallel, "parallel"}}};
constexpr Names<AdapterPlacement, 4> kPlacements{{{AdapterPlacement::Default, "default"},
                                                  {AdapterPlacement::Both, "both"},
                                                  {AdapterPlacement::Attention, "attention"},
                                                  {AdapterPlacement::FeedForward, "ffn"}}};
constexpr Names<Activation, 4> kActivations{{{Activation::Gelu, "gelu"},
                                             {Activation::Relu, "relu"},
                                             {Activation::Tanh, "tanh"},
                                             {Activation::Swish, "swish"}}};
constexpr Names<LoraTarget, kNumLoraTargets> kTargets{
    {{LoraTarget::Query, "query"},
     {LoraTarget::Key, "key"},
     {LoraTarget::Value, "value"},
     {LoraTarget::AttentionOutput, "attention_output"},
     {LoraTarget::Intermediate, "intermediate"},
     {LoraTarget::Output, "output"}}};

template <typename E, size_t N> std::string nameOf(const Names<E, N>& names, E e) {
    for (const auto& [v, n] : names)
        if (v == e) return n;
    return "?";
}

template <typename E, size_t N>
E parseName(const Names<E, N>& names, const std::string& s, const char* what) {
    std::string known;
    for (const auto& [v, n] : names) {
        if (s == n) return v;
        known += (known.empty() ? "" : " | ") + std::string(n);
    }
    throw Error("unknown " + std::string(what) + " '" + s + "' (" + known + ")");
}

int64_t intField(const json& j, const char* key, int64_t fallback, const std::string& origin) {
    const auto it = j.find(key);
    if (it == j.end()) return fallback;
    if (!it->is_number_integer())
        throw Error(origin + ": field '" + key + "' must be an integer, got " + it->dump());
    return it->get<int64_t>();
}

double numberField(const json& j, const char* key, double fallback, const std::string& origin) {
    const auto it = j.find(key);
    if (it == j.end()) return fallback;
    if (!it->is_number())
        throw Error(origin + ": field '" + key + "' must be a number, got " + it->dump());
    return it->get<double>();
}

std::string textField(const json& j, const char* key, const std::string& fallback,
                      const std::string& origin) {
    const auto it = j.find(key);
    if (it == j.end()) return fallback;
    if (!it->is_string())
        throw Error(origin + ": field '" + key + "' must be a string, got " + it->dump());
    return it->get<std::string>();
}

template <typename F> auto named(const std::string& origin, F&& f) {
    try {
        return f();
    } catch (const Error& e) {
        throw Error(origin + ": " + e.what());
    }
}

} // namespace

std::string toString(AdapterStyle s) {
    return nameOf(kStyles, s);
}
std::string toString(AdapterPlacement p) {
    return nameOf(kPlacements, p);
}
std::string toString(Activation a) {
    return nameOf(kActivations, a);
}
std::string toString(LoraTarget t) {
    return nameOf(kTargets, t);
}
AdapterStyle parseAdapterStyle(const std::string& s) {
    return parseName(kStyles, s, "adapter style");
}
AdapterPlacement parsePlacement(const std::string& s) {
    return parseName(kPlacements, s, "adapter placement");
}
Activation parseActivation(const std::string& s) {
    return parseName(kActivations, s, "activation");
}

bool AdapterConfig::atAttention() const {
    if (style == AdapterStyle::Pfeiffer) return false; // one adapter, after the feed-forward block
    if (placement == AdapterPlacement::Default) return style == AdapterStyle::Houlsby;
    return placement != AdapterPlacement::FeedForward;
}

bool AdapterConfig::atFeedForward() const {
    return style == AdapterStyle::Pfeiffer || placement != AdapterPlacement::Attention;
}

int64_t AdapterConfig::params(int64_t d) const {
    const int64_t m = size;
    return 2 * m * d + d + m + (innerNorm ? 2 * d : 0) + (hiddenLayers - 1) * (m * m + m);
}

void AdapterConfig::validate(const std::string& origin) const {
    if (size <= 0 || size > kMaxHidden)
        throw Error(origin + ": adapter size m = " + std::to_string(size) +
                    " must be between 1 and " + std::to_string(kMaxHidden));
    if (!std::isfinite(initStd) || initStd < 0)
        throw Error(origin + ": adapter init std must be a finite number >= 0");
    if (hiddenLayers < 1 || hiddenLayers > 8)
        throw Error(origin + ": adapter hidden layers = " + std::to_string(hiddenLayers) +
                    " must be between 1 and 8");
    if (!std::isfinite(scaling) || scaling <= 0 || scaling > 1000)
        throw Error(origin + ": adapter scaling must be in (0, 1000]");
    if (style == AdapterStyle::Pfeiffer && placement != AdapterPlacement::Default &&
        placement != AdapterPlacement::FeedForward)
        throw Error(origin + ": a Pfeiffer adapter sits after the feed-forward block only");
}

AdapterConfig AdapterConfig::fromJson(const json& j, const std::string& origin) {
    if (!j.is_object()) throw Error(origin + ": expected a JSON object");
    AdapterConfig a;
    a.size = intField(j, "size", a.size, origin);
    a.initStd = numberField(j, "init_std", a.initStd, origin);
    named(origin, [&] {
        a.style = parseAdapterStyle(textField(j, "style", toString(a.style), origin));
        a.placement = parsePlacement(textField(j, "placement", toString(a.placement), origin));
        a.activation = parseActivation(textField(j, "activation", toString(a.activation), origin));
        return 0;
    });
    if (j.contains("inner_norm")) {
        if (!j["inner_norm"].is_boolean())
            throw Error(origin + ": field 'inner_norm' must be true or false");
        a.innerNorm = j["inner_norm"].get<bool>();
    }
    a.hiddenLayers = static_cast<int>(intField(j, "hidden_layers", a.hiddenLayers, origin));
    a.scaling = numberField(j, "scaling", a.scaling, origin);
    a.validate(origin);
    return a;
}

json AdapterConfig::toJson() const {
    return {{"size", size},
            {"init_std", initStd},
            {"style", toString(style)},
            {"placement", toString(placement)},
            {"activation", toString(activation)},
            {"inner_norm", innerNorm},
            {"hidden_layers", hiddenLayers},
            {"scaling", scaling}};
}

std::vector<LoraTarget> parseLoraTargets(const std::string& list) {
    std::vector<LoraTarget> out;
    std::stringstream in(list);
    std::string item;
    while (std::getline(in, item, ',')) {
        if (item.empty()) continue;
        const LoraTarget t = parseName(kTargets, item, "LoRA target");
        if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
    }
    if (out.empty()) throw Error("LoRA targets '" + list + "' name no projection");
    std::sort(out.begin(), out.end()); // one canonical order: the layer's
    return out;
}

std::string toString(const std::vector<LoraTarget>& targets) {
    std::string s;
    for (auto t : targets)
        s += (s.empty() ? "" : ",") + toString(t);
    return s;
}

bool LoraConfig::hasTarget(LoraTarget t) const {
    return std::find(targets.begin(), targets.end(), t) != targets.end();
}

void LoraConfig::validate(const std::string& origin) const {
    if (rank < 1 || rank > kMaxHidden)
        throw Error(origin + ": LoRA rank r = " + std::to_string(rank) + " must be between 1 and " +
                    std::to_string(kMaxHidden));
    if (!std::isfinite(alpha) || alpha <= 0) throw Error(origin + ": LoRA alpha must be > 0");
    if (!(dropout >= 0 && dropout < 1)) throw Error(origin + ": LoRA dropout must be in [0, 1)");
    if (targets.empty()) throw Error(origin + ": LoRA needs at least one target projection");
}

LoraConfig LoraConfig::fromJson(const json& j, const std::string& origin) {
    if (!j.is_object()) throw Error(origin + ": expected a JSON object");
    LoraConfig c;
    c.rank = intField(j, "rank", c.rank, origin);
    c.alpha = numberField(j, "alpha", c.alpha, origin);
    c.dropout = numberField(j, "dropout", c.dropout, origin);
    c.targets = named(origin, [&] {
        return parseLoraTargets(textField(j, "targets", toString(c.targets), origin));
    });
    c.validate(origin);
    return c;
}

json LoraConfig::toJson() const {
    return {{"rank", rank}, {"alpha", alpha}, {"dropout", dropout}, {"targets", toString(targets)}};
}

void PrefixConfig::validate(const std::string& origin) const {
    if (length < 0 || length > 4096)
        throw Error(origin + ": prefix length l = " + std::to_string(length) +
                    " must be between 0 and 4096");
    if (hidden < 0 || hidden > kMaxHidden)
        throw Error(origin + ": prefix MLP width = " + std::to_string(hidden) +
                    " must be between 0 and " + std::to_string(kMaxHidden));
}

PrefixConfig PrefixConfig::fromJson(const json& j, const std::string& origin) {
    if (!j.is_object()) throw Error(origin + ": expected a JSON object");
    PrefixConfig c;
    c.length = intField(j, "length", c.length, origin);
    c.hidden = intField(j, "hidden", c.hidden, origin);
    if (j.contains("shift_positions")) {
        if (!j["shift_positions"].is_boolean())
            throw Error(origin + ": field 'shift_positions' must be true or false");
        c.shiftPositions = j["shift_positions"].get<bool>();
    }
    c.validate(origin);
    return c;
}

json PrefixConfig::toJson() const {
    json j = {{"length", length}, {"hidden", hidden}};
    if (shiftPositions) j["shift_positions"] = true; // absent: what earlier runs stored
    return j;
}

void MethodModules::validate(const std::string& origin) const {
    if (adapter) adapter->validate(origin);
    if (lora) lora->validate(origin);
    if (prefix) prefix->validate(origin);
}

json MethodModules::toJson() const {
    return {{"adapter", adapter ? adapter->toJson() : json(nullptr)},
            {"lora", lora ? lora->toJson() : json(nullptr)},
            {"prefix", prefix ? prefix->toJson() : json(nullptr)},
            {"ia3", ia3}};
}

MethodModules MethodModules::fromJson(const json& j, const std::string& origin) {
    if (!j.is_object()) throw Error(origin + ": expected a JSON object");
    MethodModules m;
    if (j.contains("adapter") && !j["adapter"].is_null())
        m.adapter = AdapterConfig::fromJson(j["adapter"], origin + " adapter");
    if (j.contains("lora") && !j["lora"].is_null())
        m.lora = LoraConfig::fromJson(j["lora"], origin + " lora");
    if (j.contains("prefix") && !j["prefix"].is_null())
        m.prefix = PrefixConfig::fromJson(j["prefix"], origin + " prefix");
    if (j.contains("ia3")) {
        if (!j["ia3"].is_boolean()) throw Error(origin + ": field 'ia3' must be true or false");
        m.ia3 = j["ia3"].get<bool>();
    }
    return m;
}

} // namespace adapterlab::model
