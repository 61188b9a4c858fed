#pragma once
// The method registry: one typed description per training method (what trains, its size knob and
// range, the exact parameter formula, how plots name and draw it). Every layer that shows or
// parses a method reads it from here; adding a method is one entry in method.cpp plus its module.
#include "model/param_spec.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace adapterlab::train {

struct RunConfig;

enum class Method {
    Adapter,
    Full,
    TopK,
    LayerNorm,
    HeadOnly,
    BitFit,
    Lora,
    Prefix,
    Ia3,
    Pfeiffer,
    Parallel
};

/// A method's size knob (adapter size m, top-k layers k; later LoRA rank r, prefix length l).
struct MethodKnob {
    std::string setting; ///< the run setting (run.json key, field id): "adapter_size"
    std::string symbol;  ///< "m"
    std::string label;   ///< form label: "Adapter size m"
    std::string noun;    ///< in messages: "adapter size m"
    std::string option;  ///< command-line option: "--adapter-size"
    int64_t min = 1, max = 1, defaultValue = 1;
    bool boundedByLayers = false; ///< the backbone's layer count is a tighter maximum
    int64_t (*get)(const RunConfig&) = nullptr;
    void (*set)(RunConfig&, int64_t) = nullptr;
    /// The values sweep presets try (empty with boundedByLayers: every layer count).
    std::vector<int64_t> sweep;
};

/// Numbers of a BERT shape the parameter formulas use.
struct Shape {
    int64_t d = 768, layers = 12, ffn = 3072, vocab = 30522, positions = 512, types = 2;
};

struct MethodInfo {
    Method method;
    std::string id;                   ///< canonical id (stored, --method): "adapter"
    std::vector<std::string> aliases; ///< other accepted spellings
    std::string name;                 ///< display name: "Adapters (Houlsby)"
    std::string series;               ///< trade-off plot series: "Adapters (over m)"
    uint32_t color = 0;               ///< plot colour, 0xRRGGBB
    std::string trains;               ///< which parameters train, in words
    std::string formula;              ///< trainable parameters without the head, in d, L, f, …
    std::optional<MethodKnob> knob;
    std::vector<std::string> settings; ///< run settings it reads beyond the common ones
    /// Its modules sit in the encoder layers, so layer ablation can remove them layer by layer.
    bool layerModules = false;
    /// The modules it adds to the backbone, from the run's settings (null: none). `training`:
    /// as trained (a prefix with its reparameterisation MLP) rather than as saved (folded).
    void (*modules)(const RunConfig&, bool training, model::MethodModules&) = nullptr;
    /// Trainable under the method (`spec` gives its knob where it selects parameters, as k).
    bool (*trainable)(const model::ParamSpec& p, const struct MethodSpec& spec,
                      int64_t numLayers) = nullptr;
    /// Its modules are bottleneck adapters (Houlsby, Pfeiffer, parallel).
    bool usesAdapters = false;
    /// The formula: trainable parameters (as saved), the head excluded.
    int64_t (*count)(const Shape&, const RunConfig&) = nullptr;

    /// It reads the run setting (a key of `settings`).
    bool reads(std::string_view setting) const;
};

/// Every method, in display order.
const std::vector<MethodInfo>& methods();
const MethodInfo& methodInfo(Method m);
/// By id or alias; throws Error naming the known ids otherwise.
const MethodInfo& methodInfo(const std::string& id);
/// "adapter | full | top_k | …" (for --help).
std::string methodIdList(const std::string& separator = " | ");

/// Parses an id or alias; throws Error otherwise.
Method parseMethod(const std::string& s);
const char* toString(Method m);

struct MethodSpec {
    Method method = Method::Adapter;
    int topK = 1; ///< only for TopK: the number of top encoder layers trained

    /// Validates topK against the number of layers; throws Error with the reason.
    void validate(int64_t numLayers) const;
    /// Whether the method's modules sit in the encoder layers (layer ablation works).
    bool hasLayerModules() const { return methodInfo(method).layerModules; }
};

/// Trainable under the method? Adapters: adapters + all LayerNorms + head. Full: everything.
/// TopK: the top k encoder layers + pooler + head. LayerNorm: LayerNorms + head. HeadOnly: head.
/// BitFit: every bias + head. LoRA, prefix, (IA)³, Pfeiffer and parallel adapters: their
/// modules + head.
bool isTrainable(const model::ParamSpec& p, const MethodSpec& m, int64_t numLayers);

/// The modules the run's method adds to the backbone (see MethodInfo::modules).
model::MethodModules methodModules(const RunConfig& config, bool training = true);

/// The knob's value in `config` (0 for a method without a knob).
int64_t knobValue(const RunConfig& config);
/// "m=64", "k=3", "r=8", or "" for a method without a knob.
std::string knobText(const RunConfig& config);
/// The run's architecture variant beyond the knob, "" for the method's default: the adapter's
/// placement, activation, inner norm and hidden layers ("attention, relu, norm, 2 layers"),
/// LoRA's targets ("targets query,key"). Results keep variants apart (series of their own).
std::string variantText(const RunConfig& config);
/// The same for method `m` with knob value `value` (a result row's).
std::string knobText(Method m, int64_t value);

} // namespace adapterlab::train
