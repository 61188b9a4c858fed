#include "model/param_spec.h"

#include <cstdlib>

namespace adapterlab::model {

const char* toString(ParamGroup g) {
    switch (g) {
    case ParamGroup::Embeddings: return "embeddings";
    case ParamGroup::Attention: return "attention";
    case ParamGroup::FeedForward: return "feed_forward";
    case ParamGroup::LayerNorm: return "layer_norm";
    case ParamGroup::Adapters: return "adapters";
    case ParamGroup::Pooler: return "pooler";
    case ParamGroup::Head: return "head";
    }
    return "?";
}

int64_t ParamSpec::numel() const {
    int64_t n = 1;
    for (auto s : shape) n *= s;
    return n;
}

ParamGroup groupOf(const std::string& name) {
    const auto has = [&](const char* s) { return name.find(s) != std::string::npos; };
    if (has(".adapter.")) return ParamGroup::Adapters;
    if (has("LayerNorm.")) return ParamGroup::LayerNorm;
    if (name.rfind("embeddings.", 0) == 0) return ParamGroup::Embeddings;
    if (name.rfind("pooler.", 0) == 0) return ParamGroup::Pooler;
    if (name.rfind("classifier.", 0) == 0) return ParamGroup::Head;
    if (has(".attention.")) return ParamGroup::Attention;
    return ParamGroup::FeedForward;
}

int layerOf(const std::string& name) {
    static const std::string prefix = "encoder.layer.";
    if (name.rfind(prefix, 0) != 0) return -1;
    return std::atoi(name.c_str() + prefix.size());
}

std::vector<ParamSpec> parameterSpecs(const BertConfig& c, const std::optional<AdapterConfig>& ad,
                                      bool withHead) {
    std::vector<ParamSpec> specs;
    const int64_t d = c.hiddenSize;
    const auto add = [&](std::string name, std::vector<int64_t> shape) {
        const ParamGroup g = groupOf(name);
        const int layer = layerOf(name);
        specs.push_back({std::move(name), std::move(shape), g, layer});
    };
    const auto linear = [&](const std::string& p, int64_t in, int64_t out) {
        add(p + ".weight", {out, in});
        add(p + ".bias", {out});
    };
    const auto layerNorm = [&](const std::string& p) {
        add(p + ".weight", {d});
        add(p + ".bias", {d});
    };
    const auto adapter = [&](const std::string& p) {
        linear(p + ".adapter.down", d, ad->size);
        linear(p + ".adapter.up", ad->size, d);
    };
    add("embeddings.word_embeddings.weight", {c.vocabSize, d});
    add("embeddings.position_embeddings.weight", {c.maxPositions, d});
    add("embeddings.token_type_embeddings.weight", {c.typeVocabSize, d});
    layerNorm("embeddings.LayerNorm");
    for (int64_t l = 0; l < c.numLayers; ++l) {
        const std::string p = "encoder.layer." + std::to_string(l);
        linear(p + ".attention.self.query", d, d);
        linear(p + ".attention.self.key", d, d);
        linear(p + ".attention.self.value", d, d);
        linear(p + ".attention.output.dense", d, d);
        if (ad) adapter(p + ".attention.output");
        layerNorm(p + ".attention.output.LayerNorm");
        linear(p + ".intermediate.dense", d, c.intermediateSize);
        linear(p + ".output.dense", c.intermediateSize, d);
        if (ad) adapter(p + ".output");
        layerNorm(p + ".output.LayerNorm");
    }
    linear("pooler.dense", d, d);
    if (withHead) linear("classifier", d, c.numLabels());
    return specs;
}

} // namespace adapterlab::model
