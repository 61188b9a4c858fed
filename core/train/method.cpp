#include "train/method.h"

#include "model/config.h"
#include "train/run_config.h"
#include "util/error.h"

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

std::vector<MethodInfo> makeRegistry() {
    std::vector<MethodInfo> r;

    MethodInfo adapter;
    adapter.method = Method::Adapter;
    adapter.id = "adapter";
    adapter.aliases = {"adapters"};
    adapter.name = "Adapters (Houlsby)";
    adapter.series = "Adapters (over m)";
    adapter.color = 0xd62728;
    adapter.trains = "two bottleneck adapters per layer, every LayerNorm, the head";
    adapter.formula = "2·L·(2·d·m + d + m) + 2·d·(2·L + 1)";
    adapter.knob = MethodKnob{"adapter_size",
                              "m",
                              "Adapter size m",
                              "adapter size m",
                              "--adapter-size",
                              1,
                              model::kMaxHidden,
                              64,
                              false,
                              [](const RunConfig& c) { return c.adapter.size; },
                              [](RunConfig& c, int64_t v) { c.adapter.size = v; }};
    adapter.settings = {"adapter_size", "init_std"};
    adapter.usesAdapters = true;
    adapter.trainable = [](const model::ParamSpec& p, const MethodSpec&, int64_t) {
        return p.group == ParamGroup::Adapters || p.group == ParamGroup::LayerNorm;
    };
    adapter.count = [](const Shape& s, int64_t m) {
        return 2 * s.layers * model::adapterParams(s.d, m) + layerNorms(s);
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
    full.count = [](const Shape& s, int64_t) {
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
                           [](RunConfig& c, int64_t v) { c.method.topK = static_cast<int>(v); }};
    topK.settings = {"top_k"};
    topK.trainable = [](const model::ParamSpec& p, const MethodSpec& m, int64_t numLayers) {
        return p.group == ParamGroup::Pooler || (p.layer >= 0 && p.layer >= numLayers - m.topK);
    };
    topK.count = [](const Shape& s, int64_t k) { return k * encoderLayer(s) + pooler(s); };
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
    layerNorm.count = [](const Shape& s, int64_t) { return layerNorms(s); };
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
    head.count = [](const Shape&, int64_t) { return int64_t(0); };
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
    bitfit.count = [](const Shape& s, int64_t) { return s.layers * (7 * s.d + s.ffn) + 2 * s.d; };
    r.push_back(bitfit);
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
