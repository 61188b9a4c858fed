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
    if (has(".adapter.") || has(".lora_") || has(".ia3_l") || name.rfind("prefix_encoder.", 0) == 0)
        return ParamGroup::Adapters;
    if (has("LayerNorm.")) return ParamGroup::LayerNorm;
    if (name.rfind("embeddings.", 0) == 0) return ParamGroup::Embeddings;
    if (name.rfind("pooler.", 0) == 0) return ParamGroup::Pooler;
    if (name.rfind("classifier.", 0) == 0 || name.rfind("pre_classifier.", 0) == 0)
        return ParamGroup::Head;
    if (name.rfind("embeddings_project.", 0) == 0) return ParamGroup::Embeddings;
    if (has(".attention.")) return ParamGroup::Attention;
    return ParamGroup::FeedForward;
}

int layerOf(const std::string& name) {
    static const std::string prefix = "encoder.layer.";
    if (name.rfind(prefix, 0) != 0) return -1;
    return std::atoi(name.c_str() + prefix.size());
}

std::pair<int64_t, int64_t> loraTargetShape(const BertConfig& c, LoraTarget t) {
    const int64_t d = c.hiddenSize;
    switch (t) {
    case LoraTarget::Intermediate:
        return {d, c.intermediateSize};
    case LoraTarget::Output:
        return {c.intermediateSize, d};
    default:
        return {d, d};
    }
}

std::vector<ParamSpec> parameterSpecs(const BertConfig& c, const MethodModules& mods,
                                      bool withHead) {
    std::vector<ParamSpec> specs;
    const int64_t d = c.hiddenSize;
    const auto& ad = mods.adapter;
    const auto add = [&](std::string name, std::vector<int64_t> shape) {
        const ParamGroup g = groupOf(name);
        const int layer = layerOf(name);
        specs.push_back({std::move(name), std::move(shape), g, layer});
    };
    const auto linear = [&](const std::string& p, int64_t in, int64_t out) {
        add(p + ".weight", {out, in});
        add(p + ".bias", {out});
    };
    const auto layerNorm = [&](const std::string& p, int64_t width) {
        add(p + ".weight", {width});
        add(p + ".bias", {width});
    };
    // A projection of an encoder layer with its LoRA factors and (IA)³ scaling, as registered.
    const auto projection = [&](const std::string& p, LoraTarget t, std::vector<int64_t> ia3) {
        const auto [in, out] = loraTargetShape(c, t);
        linear(p, in, out);
        if (mods.ia3 && !ia3.empty()) add(p + ".ia3_l", std::move(ia3));
        if (mods.lora && mods.lora->hasTarget(t)) {
            add(p + ".lora_A.weight", {mods.lora->rank, in});
            add(p + ".lora_B.weight", {out, mods.lora->rank});
        }
    };
    const auto adapter = [&](const std::string& p) {
        if (ad->innerNorm) {
            add(p + ".adapter.norm.weight", {d});
            add(p + ".adapter.norm.bias", {d});
        }
        linear(p + ".adapter.down", d, ad->size);
        for (int i = 1; i < ad->hiddenLayers; ++i)
            linear(p + ".adapter.mid." + std::to_string(i - 1), ad->size, ad->size);
        linear(p + ".adapter.up", ad->size, d);
    };
    const int64_t e = c.embeddingDim();
    add("embeddings.word_embeddings.weight", {c.vocabSize, e});
    add("embeddings.position_embeddings.weight", {c.maxPositions, e});
    if (c.typeVocabSize > 0) add("embeddings.token_type_embeddings.weight", {c.typeVocabSize, e});
    layerNorm("embeddings.LayerNorm", e);
    if (e != d) linear("embeddings_project", e, d);
    for (int64_t l = 0; l < c.numLayers; ++l) {
        const std::string p = "encoder.layer." + std::to_string(l);
        projection(p + ".attention.self.query", LoraTarget::Query, {});
        projection(p + ".attention.self.key", LoraTarget::Key, {d, 1});
        projection(p + ".attention.self.value", LoraTarget::Value, {d, 1});
        projection(p + ".attention.output.dense", LoraTarget::AttentionOutput, {});
        if (ad && ad->atAttention()) adapter(p + ".attention.output");
        layerNorm(p + ".attention.output.LayerNorm", d);
        projection(p + ".intermediate.dense", LoraTarget::Intermediate, {});
        projection(p + ".output.dense", LoraTarget::Output, {1, c.intermediateSize});
        if (ad && ad->atFeedForward()) adapter(p + ".output");
        layerNorm(p + ".output.LayerNorm", d);
    }
    if (const auto& pre = mods.prefix) {
        const int64_t width = 2 * c.numLayers * d; // a key and a value per layer
        add("prefix_encoder.embedding.weight", {pre->length, pre->hidden > 0 ? d : width});
        if (pre->hidden > 0) {
            linear("prefix_encoder.transform.0", d, pre->hidden);
            linear("prefix_encoder.transform.2", pre->hidden, width);
        }
    }
    switch (c.info().head) {
    case HeadKind::BertPooler:
        linear("pooler.dense", d, d);
        if (withHead) linear("classifier", d, c.numLabels());
        break;
    case HeadKind::DenseTanh:
    case HeadKind::DenseGelu:
        if (withHead) {
            linear("classifier.dense", d, d);
            linear("classifier.out_proj", d, c.numLabels());
        }
        break;
    case HeadKind::PreClassifier:
        if (withHead) {
            linear("pre_classifier", d, d);
            linear("classifier", d, c.numLabels());
        }
        break;
    }
    return specs;
}

} // namespace adapterlab::model
