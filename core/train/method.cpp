#include "train/method.h"

#include "model/config.h"
#include "train/run_config.h"
#include "util/error.h"

#include <algorithm>

namespace adapterlab::train {
namespace {

using model::ParamGroup;

// Parameters of the shared parts, by the formulas of model::parameterSpecs.
int64_t layerNorms(const Shape& s) {
    return 2 * s.d * (2 * s.layers + 1);
} // 2 per layer + embeddings'
int64_t encoderLayer(const Shape& s) {
    // q, k, v, output projections; the two feed-forward matrices; two LayerNorms
    return 4 * (s.d * s.d + s.d) + (s.d * s.ffn + s.ffn) + (s.ffn * s.d + s.d) + 4 * s.d;
}
int64_t pooler(const Shape& s) {
    return s.d * s.d + s.d;
}

bool methodModule(const model::ParamSpec& p, const MethodSpec&, int64_t) {
    return p.group == ParamGroup::Adapters;
}

// Bottleneck adapter settings shared by the Houlsby, Pfeiffer and parallel entries.
MethodKnob adapterSizeKnob() {
    return MethodKnob{"adapter_size",
                      "m",
                      "Adapter size m",
                      "adapter size m",
                      "--adapter-size",
                      1,
                      model::kMaxHidden,
                      64,
                      false,
                      [](const RunConfig& c) { return c.adapter.size; },
                      [](RunConfig& c, int64_t v) { c.adapter.size = v; },
                      {8, 64, 256}};
}

// The run's adapter as the method builds it: a variant setting the method does not read (one
// left in a run.json or the form from another method) keeps its default, so what is built is
// what the stored settings (which hold only the method's own) rebuild.
model::AdapterConfig adapterOf(const RunConfig& c, model::AdapterStyle style) {
    const auto& info = methodInfo(c.method.method);
    const auto reads = [&](const char* s) { return info.reads(s); };
    const model::AdapterConfig defaults;
    model::AdapterConfig a = c.adapter;
    a.style = style;
    if (!reads("adapter_placement")) a.placement = defaults.placement;
    if (!reads("adapter_activation")) a.activation = defaults.activation;
    if (!reads("adapter_norm")) a.innerNorm = defaults.innerNorm;
    if (!reads("adapter_layers")) a.hiddenLayers = defaults.hiddenLayers;
    a.scaling = reads("adapter_scaling") ? c.adapterScaling : 1.0;
    return a;
}

int64_t adapterCount(const Shape& s, const model::AdapterConfig& a) {
    return s.layers * a.perLayer() * a.params(s.d);
}

// What the bottleneck-adapter entries (Houlsby, Pfeiffer, parallel) share: the knob m, their
// adapter in `Style`, layer modules that train alone.
template <model::AdapterStyle Style> MethodInfo bottleneckEntry(Method method) {
    MethodInfo info;
    info.method = method;
    info.knob = adapterSizeKnob();
    info.layerModules = info.usesAdapters = true;
    info.modules = [](const RunConfig& c, bool, model::MethodModules& m) {
        m.adapter = adapterOf(c, Style);
    };
    info.trainable = methodModule;
    info.count = [](const Shape& s, const RunConfig& c) {
        return adapterCount(s, adapterOf(c, Style));
    };
    return info;
}

std::vector<MethodInfo> makeRegistry() {
    std::vector<MethodInfo> r;

    auto adapter = bottleneckEntry<model::AdapterStyle::Houlsby>(Method::Adapter);
    adapter.id = "adapter";
    adapter.aliases = {"adapters", "houlsby"};
    adapter.name = "Adapters (Houlsby)";
    adapter.series = "Adapters (over m)";
    adapter.color = 0xd62728;
    adapter.trains =
        "bottleneck adapters after the attention and feed-forward sub-layers, every "
        "LayerNorm, the head (variants: one placement halves the adapters; a norm inside "
        "adds 2·d, each extra hidden layer m² + m per adapter)";
    adapter.formula = "2·L·(2·d·m + d + m) + 2·d·(2·L + 1)";
    adapter.settings = {"adapter_size",       "init_std",     "adapter_placement",
                        "adapter_activation", "adapter_norm", "adapter_layers"};
    // The paper trains the LayerNorms with the adapters.
    adapter.trainable = [](const model::ParamSpec& p, const MethodSpec&, int64_t) {
        return p.group == ParamGroup::Adapters || p.group == ParamGroup::LayerNorm;
    };
    adapter.count = [](const Shape& s, const RunConfig& c) {
        return adapterCount(s, adapterOf(c, model::AdapterStyle::Houlsby)) + layerNorms(s);
    };
    r.push_back(adapter);

    MethodInfo full;
    full.method = Method::Full;
    full.id = "full";
    full.name = "Full fine-tuning";
    full.series = "Full fine-tuning";
    full.color = 0x2ca02c;
    full.trains = "every parameter";
    full.formula = "(V + P + T)·d + 2·d + L·(4·d² + 2·d·f + f + 9·d) + d² + d";
    full.trainable = [](const model::ParamSpec&, const MethodSpec&, int64_t) { return true; };
    full.count = [](const Shape& s, const RunConfig&) {
        return (s.vocab + s.positions + s.types) * s.d + 2 * s.d + s.layers * encoderLayer(s) +
               pooler(s);
    };
    r.push_back(full);

    MethodInfo topK;
    topK.method = Method::TopK;
    topK.id = "top_k";
    topK.aliases = {"topk"};
    topK.name = "Top-k layers";
    topK.series = "Top-k layers (over k)";
    topK.color = 0x1f77b4;
    topK.trains = "the top k encoder layers, the pooler, the head";
    topK.formula = "k·(4·d² + 2·d·f + f + 9·d) + d² + d";
    topK.knob = MethodKnob{"top_k",
                           "k",
                           "Top-k layers",
                           "top-k",
                           "--top-k",
                           1,
                           model::kMaxLayers,
                           1,
                           true,
                           [](const RunConfig& c) { return int64_t(c.method.topK); },
                           [](RunConfig& c, int64_t v) { c.method.topK = static_cast<int>(v); },
                           {}};
    topK.settings = {"top_k"};
    topK.trainable = [](const model::ParamSpec& p, const MethodSpec& m, int64_t numLayers) {
        return p.group == ParamGroup::Pooler || (p.layer >= 0 && p.layer >= numLayers - m.topK);
    };
    topK.count = [](const Shape& s, const RunConfig& c) {
        return c.method.topK * encoderLayer(s) + pooler(s);
    };
    r.push_back(topK);

    MethodInfo layerNorm;
    layerNorm.method = Method::LayerNorm;
    layerNorm.id = "layernorm";
    layerNorm.aliases = {"layer_norm"};
    layerNorm.name = "LayerNorm only";
    layerNorm.series = "LayerNorm only";
    layerNorm.color = 0x9467bd;
    layerNorm.trains = "every LayerNorm, the head";
    layerNorm.formula = "2·d·(2·L + 1)";
    layerNorm.trainable = [](const model::ParamSpec& p, const MethodSpec&, int64_t) {
        return p.group == ParamGroup::LayerNorm;
    };
    layerNorm.count = [](const Shape& s, const RunConfig&) { return layerNorms(s); };
    r.push_back(layerNorm);

    MethodInfo head;
    head.method = Method::HeadOnly;
    head.id = "head_only";
    head.aliases = {"head"};
    head.name = "Head only";
    head.series = "Head only";
    head.color = 0x7f7f7f;
    head.trains = "the classifier head";
    head.formula = "0";
    head.trainable = [](const model::ParamSpec&, const MethodSpec&, int64_t) { return false; };
    head.count = [](const Shape&, const RunConfig&) { return int64_t(0); };
    r.push_back(head);

    // BitFit (Ben Zaken et al. 2022): the bias terms only. Every bias the encoder has: per layer
    // the query, key, value and attention-output projections (4·d), the feed-forward layers
    // (f + d) and both LayerNorms' β (2·d); the embeddings' LayerNorm β and the pooler's (2·d).
    MethodInfo bitfit;
    bitfit.method = Method::BitFit;
    bitfit.id = "bitfit";
    bitfit.name = "BitFit (biases)";
    bitfit.series = "BitFit";
    bitfit.color = 0xff7f0e;
    bitfit.trains = "every bias: q, k, v, attention output, both feed-forward layers, every "
                    "LayerNorm's beta, the pooler; the head";
    bitfit.formula = "L·(7·d + f) + 2·d";
    bitfit.trainable = [](const model::ParamSpec& p, const MethodSpec&, int64_t) {
        const std::string& n = p.name;
        return n.size() >= 5 && n.compare(n.size() - 5, 5, ".bias") == 0 &&
               p.group != ParamGroup::Adapters;
    };
    bitfit.count = [](const Shape& s, const RunConfig&) {
        return s.layers * (7 * s.d + s.ffn) + 2 * s.d;
    };
    r.push_back(bitfit);

    // LoRA (Hu et al. 2021): W x + (alpha / r)·B A x on the chosen projections, B = 0 at start.
    MethodInfo lora;
    lora.method = Method::Lora;
    lora.id = "lora";
    lora.name = "LoRA";
    lora.series = "LoRA (over r)";
    lora.color = 0x17becf;
    lora.trains =
        "rank-r factors A, B of the chosen projections (default query and value), the head";
    lora.formula = "L·r·Σ(in + out) over the targets; query, value: 4·L·d·r";
    lora.knob = MethodKnob{"lora_rank",
                           "r",
                           "LoRA rank r",
                           "LoRA rank r",
                           "--lora-rank",
                           1,
                           model::kMaxHidden,
                           8,
                           false,
                           [](const RunConfig& c) { return c.lora.rank; },
                           [](RunConfig& c, int64_t v) { c.lora.rank = v; },
                           {1, 4, 8, 64}};
    lora.settings = {"lora_rank", "lora_alpha", "lora_dropout", "lora_targets"};
    lora.layerModules = true;
    lora.modules = [](const RunConfig& c, bool, model::MethodModules& m) { m.lora = c.lora; };
    lora.trainable = methodModule;
    lora.count = [](const Shape& s, const RunConfig& c) {
        int64_t widths = 0;
        for (auto t : c.lora.targets) {
            const bool ffnIn = t == model::LoraTarget::Output,
                       ffnOut = t == model::LoraTarget::Intermediate;
            widths += (ffnIn ? s.ffn : s.d) + (ffnOut ? s.ffn : s.d);
        }
        return s.layers * c.lora.rank * widths;
    };
    r.push_back(lora);

    // Prefix tuning (Li & Liang 2021): l key and l value vectors per layer.
    MethodInfo prefix;
    prefix.method = Method::Prefix;
    prefix.id = "prefix";
    prefix.aliases = {"prefix_tuning"};
    prefix.name = "Prefix tuning";
    prefix.series = "Prefix tuning (over l)";
    prefix.color = 0xbcbd22;
    prefix.trains = "l key and value vectors per layer (through a reparameterisation MLP of width "
                    "h while training, folded away when saved), the head";
    prefix.formula = "2·L·l·d (saved; while training l·d + h·(d + 1) + (h + 1)·2·L·d)";
    prefix.knob = MethodKnob{"prefix_length",
                             "l",
                             "Prefix length l",
                             "prefix length l",
                             "--prefix-length",
                             1,
                             4096,
                             10,
                             false,
                             [](const RunConfig& c) { return c.prefix.length; },
                             [](RunConfig& c, int64_t v) { c.prefix.length = v; },
                             {1, 10, 30}};
    prefix.settings = {"prefix_length", "prefix_hidden", "prefix_shift_positions"};
    prefix.layerModules = true;
    prefix.modules = [](const RunConfig& c, bool training, model::MethodModules& m) {
        m.prefix = c.prefix;
        if (!training) m.prefix->hidden = 0;
    };
    prefix.trainable = methodModule;
    prefix.count = [](const Shape& s, const RunConfig& c) {
        return 2 * s.layers * c.prefix.length * s.d;
    };
    r.push_back(prefix);

    // (IA)³ (Liu et al. 2022): learned rescaling of keys, values and feed-forward activations.
    MethodInfo ia3;
    ia3.method = Method::Ia3;
    ia3.id = "ia3";
    ia3.name = "(IA)³";
    ia3.series = "(IA)³";
    ia3.color = 0xe377c2;
    ia3.trains = "scaling vectors of keys (d), values (d) and feed-forward activations (f) per "
                 "layer, initialised to ones; the head";
    ia3.formula = "L·(2·d + f)";
    ia3.layerModules = true;
    ia3.modules = [](const RunConfig&, bool, model::MethodModules& m) { m.ia3 = true; };
    ia3.trainable = methodModule;
    ia3.count = [](const Shape& s, const RunConfig&) { return s.layers * (2 * s.d + s.ffn); };
    r.push_back(ia3);

    // Pfeiffer et al. 2021 (AdapterHub's SeqBn): one adapter per layer after the feed-forward
    // block. It reads the block's LayerNorm output LN(f + a), adds to f, and LN(f' + a) follows
    // with the same (frozen) LayerNorm.
    auto pfeiffer = bottleneckEntry<model::AdapterStyle::Pfeiffer>(Method::Pfeiffer);
    pfeiffer.id = "pfeiffer";
    pfeiffer.aliases = {"seq_bn"};
    pfeiffer.name = "Adapters (Pfeiffer)";
    pfeiffer.series = "Pfeiffer adapters (over m)";
    pfeiffer.color = 0x8c564b;
    pfeiffer.trains = "one bottleneck adapter per layer after the feed-forward block (LayerNorms "
                      "frozen), the head";
    pfeiffer.formula = "L·(2·d·m + d + m)";
    pfeiffer.settings = {"adapter_size", "init_std", "adapter_activation", "adapter_norm",
                         "adapter_layers"};
    r.push_back(pfeiffer);

    // He et al. 2022 ("Towards a unified view"): out = sublayer(x) + s·adapter(x).
    auto parallel = bottleneckEntry<model::AdapterStyle::Parallel>(Method::Parallel);
    parallel.id = "parallel";
    parallel.aliases = {"par_bn"};
    parallel.name = "Parallel adapters";
    parallel.series = "Parallel adapters (over m)";
    parallel.color = 0x393b79;
    parallel.trains = "bottleneck adapters beside the feed-forward (default) and/or attention "
                      "sub-layers, output scaled by s; the head";
    parallel.formula = "A·(2·d·m + d + m); A = L (feed-forward) or 2·L (both)";
    parallel.settings = {"adapter_size", "init_std", "adapter_placement", "adapter_activation",
                         "adapter_scaling"};
    r.push_back(parallel);
    return r;
}

} // namespace

const std::vector<MethodInfo>& methods() {
    static const std::vector<MethodInfo> registry = makeRegistry();
    return registry;
}

const MethodInfo& methodInfo(Method m) {
    for (const auto& info : methods())
        if (info.method == m) return info;
    throw Error("method " + std::to_string(static_cast<int>(m)) + " is not in the registry");
}

std::string methodIdList(const std::string& separator) {
    std::string out;
    for (const auto& info : methods())
        out += (out.empty() ? "" : separator) + info.id;
    return out;
}

const MethodInfo& methodInfo(const std::string& id) {
    for (const auto& info : methods()) {
        if (info.id == id) return info;
        for (const auto& a : info.aliases)
            if (a == id) return info;
    }
    std::string known;
    for (size_t i = 0; i < methods().size(); ++i)
        known += (i == 0 ? "" : i + 1 == methods().size() ? " or " : ", ") + methods()[i].id;
    throw Error("unknown method '" + id + "' (expected " + known + ")");
}

Method parseMethod(const std::string& s) {
    return methodInfo(s).method;
}

const char* toString(Method m) {
    return methodInfo(m).id.c_str();
}

void MethodSpec::validate(int64_t numLayers) const {
    if (method == Method::TopK && (topK < 1 || topK > numLayers))
        throw Error("top-k = " + std::to_string(topK) + " must be between 1 and the number of layers (" +
                    std::to_string(numLayers) + ")");
}

bool isTrainable(const model::ParamSpec& p, const MethodSpec& m, int64_t numLayers) {
    if (p.group == ParamGroup::Head) return true; // every method trains its task's head
    return methodInfo(m.method).trainable(p, m, numLayers);
}

bool MethodInfo::reads(std::string_view setting) const {
    return std::find(settings.begin(), settings.end(), setting) != settings.end();
}

model::MethodModules methodModules(const RunConfig& config, bool training) {
    model::MethodModules m;
    if (const auto build = methodInfo(config.method.method).modules) build(config, training, m);
    return m;
}

std::string variantText(const RunConfig& c) {
    const auto& info = methodInfo(c.method.method);
    const auto reads = [&](const char* s) { return info.reads(s); };
    const RunConfig defaults;
    std::vector<std::string> parts;
    if (reads("adapter_placement") && c.adapter.placement != model::AdapterPlacement::Default) {
        // Spelled as where the adapters sit; "the method's own" placement is no variant.
        auto mine = adapterOf(c, info.method == Method::Parallel ? model::AdapterStyle::Parallel
                                                                 : model::AdapterStyle::Houlsby);
        auto theirs = mine;
        theirs.placement = model::AdapterPlacement::Default;
        if (mine.atAttention() != theirs.atAttention() ||
            mine.atFeedForward() != theirs.atFeedForward())
            parts.push_back(model::toString(c.adapter.placement));
    }
    if (reads("adapter_activation") && c.adapter.activation != defaults.adapter.activation)
        parts.push_back(model::toString(c.adapter.activation));
    if (reads("adapter_norm") && c.adapter.innerNorm) parts.push_back("norm");
    if (reads("adapter_layers") && c.adapter.hiddenLayers != 1)
        parts.push_back(std::to_string(c.adapter.hiddenLayers) + " layers");
    if (reads("lora_targets") && c.lora.targets != defaults.lora.targets)
        parts.push_back("targets " + model::toString(c.lora.targets));
    if (reads("prefix_shift_positions") && c.prefix.shiftPositions)
        parts.push_back("shifted positions");
    std::string out;
    for (const auto& p : parts)
        out += (out.empty() ? "" : ", ") + p;
    return out;
}

int64_t knobValue(const RunConfig& config) {
    const auto& knob = methodInfo(config.method.method).knob;
    return knob ? knob->get(config) : 0;
}

std::string knobText(Method m, int64_t value) {
    const auto& knob = methodInfo(m).knob;
    return knob ? knob->symbol + "=" + std::to_string(value) : std::string();
}

std::string knobText(const RunConfig& config) {
    return knobText(config.method.method, knobValue(config));
}

} // namespace adapterlab::train
