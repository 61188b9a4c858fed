#pragma once
// What a parameter-efficient method adds to BERT, as configuration (no torch): bottleneck adapters
// in their Houlsby, Pfeiffer and parallel forms, LoRA, a key/value prefix, (IA)³ scalings. The
// torch model (model/bert.h) and the parameter list (model/param_spec.h) are both built from it.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace adapterlab::model {

/// How a bottleneck adapter joins its sub-layer (AdapterHub's names in brackets).
enum class AdapterStyle {
    Houlsby,  ///< serial on the sub-layer output, before the residual add and LayerNorm
              ///< (DoubleSeqBn)
    Pfeiffer, ///< serial after the feed-forward block, reading its LayerNorm's output (SeqBn)
    Parallel, ///< beside the sub-layer: reads its input, adds s·adapter to its output (ParBn)
};
/// Which sub-layers carry an adapter. Default: the style's own (Houlsby both, others ffn).
enum class AdapterPlacement { Default, Both, Attention, FeedForward };
enum class Activation { Gelu, Relu, Tanh, Swish };

std::string toString(AdapterStyle s);
std::string toString(AdapterPlacement p);
std::string toString(Activation a);
/// Parse the names toString gives; throw Error naming the accepted ones otherwise.
AdapterPlacement parsePlacement(const std::string& s);
Activation parseActivation(const std::string& s);
AdapterStyle parseAdapterStyle(const std::string& s);

/// Bottleneck adapter: delta(x) = W_up · act(… act(W_down · norm(x) + b_down) …) + b_up.
struct AdapterConfig {
    int64_t size = 64;     ///< bottleneck m
    double initStd = 1e-2; ///< std of the truncated (±2σ) normal for adapter weights
    AdapterStyle style = AdapterStyle::Houlsby;
    AdapterPlacement placement = AdapterPlacement::Default;
    Activation activation = Activation::Gelu;
    bool innerNorm = false; ///< a LayerNorm on the adapter's input (the paper's variant)
    int hiddenLayers = 1;   ///< bottleneck layers; each beyond the first adds an m×m layer
    double scaling = 1.0;   ///< s multiplying the adapter's output (parallel adapters)

    bool atAttention() const;
    bool atFeedForward() const;
    int perLayer() const { return int(atAttention()) + int(atFeedForward()); }
    /// Parameters of one adapter on width d: 2·m·d + d + m (+ 2·d norm, + (m² + m) per extra
    /// layer).
    int64_t params(int64_t d) const;

    void validate(const std::string& origin = "adapter config") const;
    static AdapterConfig fromJson(const nlohmann::json& j, const std::string& origin = "adapter");
    nlohmann::json toJson() const;
};

/// The linear maps of an encoder layer LoRA can adapt.
enum class LoraTarget { Query, Key, Value, AttentionOutput, Intermediate, Output };
constexpr int kNumLoraTargets = 6;
std::string toString(LoraTarget t);
/// "query,value" -> targets; throws Error naming the accepted ones.
std::vector<LoraTarget> parseLoraTargets(const std::string& list);
std::string toString(const std::vector<LoraTarget>& targets);

/// LoRA (Hu et al. 2021): W x + (alpha / r) · B A dropout(x), A ~ Kaiming-uniform, B = 0.
struct LoraConfig {
    int64_t rank = 8;
    double alpha = 16;
    double dropout = 0.0;
    std::vector<LoraTarget> targets{LoraTarget::Query, LoraTarget::Value};

    bool hasTarget(LoraTarget t) const;
    double scale() const { return alpha / static_cast<double>(rank); }
    void validate(const std::string& origin = "LoRA config") const;
    static LoraConfig fromJson(const nlohmann::json& j, const std::string& origin = "lora");
    nlohmann::json toJson() const;
};

/// Prefix tuning (Li & Liang 2021): `length` key and value vectors per layer that every query
/// attends to. With hidden > 0 they are computed by the paper's reparameterisation MLP
/// (embedding [l, d] -> Linear(d, h) -> tanh -> Linear(h, 2·L·d)), as during training; with
/// hidden = 0 they are stored directly ([l, 2·L·d], the folded form a trained prefix is saved in).
/// shiftPositions: the tokens take positions l … l + T − 1 (as transformers gives them after a
/// prefix in the key/value cache, so PEFT's prefix tuning on BERT), else 0 … T − 1.
struct PrefixConfig {
    int64_t length = 10;
    int64_t hidden = 512;
    bool shiftPositions = false;

    /// Positions the prefix takes before the first token (shiftPositions: its length).
    int64_t positionsTaken() const { return shiftPositions ? length : 0; }
    void validate(const std::string& origin = "prefix config") const;
    static PrefixConfig fromJson(const nlohmann::json& j, const std::string& origin = "prefix");
    nlohmann::json toJson() const;
};

/// Everything a method adds to the backbone; empty for methods that only unfreeze parameters.
struct MethodModules {
    std::optional<AdapterConfig> adapter;
    std::optional<LoraConfig> lora;
    std::optional<PrefixConfig> prefix;
    bool ia3 = false; ///< (IA)³: learned scalings of keys, values and feed-forward activations

    MethodModules() = default;
    MethodModules(std::nullopt_t) {}
    MethodModules(const AdapterConfig& a) : adapter(a) {}
    MethodModules(const std::optional<AdapterConfig>& a) : adapter(a) {}

    bool empty() const { return !adapter && !lora && !prefix && !ia3; }
    void validate(const std::string& origin = "method modules") const;
    /// {"adapter": {...}|null, "lora": ..., "prefix": ..., "ia3": bool}
    nlohmann::json toJson() const;
    static MethodModules fromJson(const nlohmann::json& j, const std::string& origin = "modules");
};

} // namespace adapterlab::model
