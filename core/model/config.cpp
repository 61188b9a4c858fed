#include "model/config.h"

#include "util/error.h"
#include "util/json_file.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace adapterlab::model {
namespace {

using nlohmann::json;

// Sanity limits: far beyond any real BERT, small enough to reject corrupt files before allocating.
constexpr int64_t kMaxVocab = 1'000'000;
constexpr int64_t kMaxPositions = 65'536;

int64_t getInt(const json& j, const char* key, int64_t fallback, const std::string& origin,
               bool required) {
    const auto it = j.find(key);
    if (it == j.end()) {
        if (required) throw Error(origin + ": missing field '" + key + "'");
        return fallback;
    }
    if (!it->is_number_integer() ||
        (it->is_number_unsigned() && it->get<uint64_t>() > uint64_t(std::numeric_limits<int64_t>::max())))
        throw Error(origin + ": field '" + key + "' must be an integer, got " + it->dump());
    return it->get<int64_t>();
}

double getDouble(const json& j, const char* key, double fallback, const std::string& origin) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return fallback;
    if (!it->is_number())
        throw Error(origin + ": field '" + key + "' must be a number, got " + it->dump());
    return it->get<double>();
}

void checkRange(int64_t v, int64_t lo, int64_t hi, const char* what, const std::string& origin) {
    if (v < lo || v > hi)
        throw Error(origin + ": " + what + " = " + std::to_string(v) + " is outside [" +
                    std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

} // namespace

void BertConfig::validate(const std::string& origin) const {
    checkRange(vocabSize, 1, kMaxVocab, "vocab_size", origin);
    checkRange(hiddenSize, 1, kMaxHidden, "hidden_size", origin);
    checkRange(numLayers, 1, kMaxLayers, "num_hidden_layers", origin);
    checkRange(numHeads, 1, hiddenSize, "num_attention_heads", origin);
    checkRange(intermediateSize, 1, 8 * kMaxHidden, "intermediate_size", origin);
    checkRange(maxPositions, 1, kMaxPositions, "max_position_embeddings", origin);
    checkRange(typeVocabSize, info().tokenTypes ? 1 : 0, info().tokenTypes ? 1024 : 0,
               "type_vocab_size", origin);
    checkRange(embeddingDim(), 1, kMaxHidden, "embedding_size", origin);
    checkRange(padTokenId, 0, vocabSize - 1, "pad_token_id", origin);
    if (maxTokens() < 2)
        throw Error(origin + ": max_position_embeddings = " + std::to_string(maxPositions) +
                    " leaves no room for a sequence after pad_token_id + 1");
    if (hiddenSize % numHeads != 0)
        throw Error(origin + ": hidden_size " + std::to_string(hiddenSize) +
                    " is not a multiple of num_attention_heads " + std::to_string(numHeads));
    if (!(layerNormEps > 0 && layerNormEps < 1))
        throw Error(origin + ": layer_norm_eps must be in (0, 1)");
    for (double p : {hiddenDropout, attentionDropout, headDropout()})
        if (!(p >= 0 && p < 1)) throw Error(origin + ": dropout probabilities must be in [0, 1)");
    if (!regression && labels.size() < 2 && !labels.empty())
        throw Error(origin + ": a classifier needs at least 2 labels");
}

int64_t BertConfig::firstPosition() const {
    return info().positions == PositionScheme::AfterPadding ? padTokenId + 1 : 0;
}

Family BertConfig::familyOf(const json& j, const std::string& origin) {
    if (!j.is_object()) throw Error(origin + ": expected a JSON object");
    if (const auto it = j.find("model_type"); it != j.end()) {
        const FamilyInfo* f = it->is_string() ? familyByModelType(it->get<std::string>()) : nullptr;
        if (!f)
            throw Error(origin + ": model_type " + it->dump() +
                        " is not supported (supported: " + supportedModelTypeList() + ")");
        return f->family;
    }
    // Old configs name only the class: "RobertaForMaskedLM" is a RoBERTa.
    const auto arch = j.find("architectures");
    if (arch == j.end() || !arch->is_array() || arch->empty()) return Family::Bert;
    const std::string name = (*arch)[0].is_string() ? (*arch)[0].get<std::string>() : "";
    for (const auto& f : families()) {
        const std::string stem = f.architecture.substr(0, f.architecture.find("For"));
        if (name.rfind(stem, 0) == 0 &&
            (name.size() == stem.size() || name.compare(stem.size(), 3, "For") == 0 ||
             name.compare(stem.size(), 5, "Model") == 0))
            return f.family;
    }
    throw Error(origin + ": architecture " + (*arch)[0].dump() +
                " is not supported (supported model types: " + supportedModelTypeList() + ")");
}

namespace {

void readLabels(const json& j, BertConfig& c, const std::string& origin) {
    // Labels: id2label wins; else num_labels; HF's default is 2.
    if (const auto it = j.find("id2label"); it != j.end() && it->is_object() && !it->empty()) {
        std::map<int64_t, std::string> byId;
        for (const auto& [k, v] : it->items()) {
            try {
                size_t used = 0;
                const int64_t id = std::stoll(k, &used);
                if (used != k.size()) throw std::invalid_argument(k);
                byId[id] = v.is_string() ? v.get<std::string>() : v.dump();
            } catch (const std::exception&) {
                throw Error(origin + ": id2label key '" + k + "' is not an integer");
            }
        }
        c.labels.clear();
        for (int64_t i = 0; i < static_cast<int64_t>(byId.size()); ++i) {
            const auto f = byId.find(i);
            if (f == byId.end())
                throw Error(origin + ": id2label ids must be 0.." + std::to_string(byId.size() - 1));
            c.labels.push_back(f->second);
        }
    } else if (j.contains("num_labels")) {
        const int64_t n = getInt(j, "num_labels", 2, origin, false);
        checkRange(n, 1, 100'000, "num_labels", origin);
        c.labels.clear();
        for (int64_t i = 0; i < n; ++i) c.labels.push_back("LABEL_" + std::to_string(i));
    }
    c.regression = j.value("problem_type", std::string()) == "regression" || c.labels.size() == 1;
}

void checkActivation(const json& j, const char* key, const std::string& origin) {
    if (j.contains(key) && j[key] != "gelu")
        throw Error(origin + ": " + key + " " + j[key].dump() +
                    " is not supported (only exact 'gelu')");
}

// config.json's key names: BERT's (every family but one) and DistilBERT's own.
struct Keys {
    const char *hidden, *layers, *heads, *ffn, *activation, *dropout, *attentionDropout,
        *classifierDropout;
};
constexpr Keys kBertKeys{
    "hidden_size", "num_hidden_layers",   "num_attention_heads",          "intermediate_size",
    "hidden_act",  "hidden_dropout_prob", "attention_probs_dropout_prob", "classifier_dropout"};
constexpr Keys kDistilBertKeys{
    "dim",        "n_layers", "n_heads",           "hidden_dim",
    "activation", "dropout",  "attention_dropout", "seq_classif_dropout"};

const Keys& keysOf(Family f) {
    return f == Family::DistilBert ? kDistilBertKeys : kBertKeys;
}

} // namespace

BertConfig BertConfig::fromJson(const json& j, const std::string& origin) {
    BertConfig c;
    c.family = familyOf(j, origin);
    const Keys& k = keysOf(c.family);
    const bool distil = c.family == Family::DistilBert;
    checkActivation(j, k.activation, origin);
    if (j.contains("position_embedding_type") && j["position_embedding_type"] != "absolute")
        throw Error(origin + ": only absolute position embeddings are supported");
    c.vocabSize = getInt(j, "vocab_size", 0, origin, true);
    c.hiddenSize = getInt(j, k.hidden, 0, origin, true);
    c.numLayers = getInt(j, k.layers, 0, origin, true);
    c.numHeads = getInt(j, k.heads, 0, origin, true);
    c.intermediateSize = getInt(j, k.ffn, 0, origin, true);
    c.maxPositions = getInt(j, "max_position_embeddings", 512, origin, false);
    // DistilBERT has no token types, and its code fixes LayerNorm's eps at 1e-12.
    c.typeVocabSize = distil ? 0 : getInt(j, "type_vocab_size", 2, origin, false);
    c.layerNormEps = distil ? 1e-12 : getDouble(j, "layer_norm_eps", 1e-12, origin);
    c.hiddenDropout = getDouble(j, k.dropout, 0.1, origin);
    c.attentionDropout = getDouble(j, k.attentionDropout, 0.1, origin);
    c.classifierDropout = getDouble(j, k.classifierDropout, distil ? 0.2 : -1, origin);
    c.initializerRange = getDouble(j, "initializer_range", 0.02, origin);
    const bool roberta = c.info().positions == PositionScheme::AfterPadding;
    c.padTokenId = getInt(j, "pad_token_id", roberta ? 1 : 0, origin, false);
    c.sinusoidalPositions = distil && j.value("sinusoidal_pos_embds", false);
    if (c.family == Family::Electra) {
        c.embeddingSize = getInt(j, "embedding_size", c.hiddenSize, origin, false);
        if (c.embeddingSize == c.hiddenSize) c.embeddingSize = 0;
    }
    readLabels(j, c, origin);
    c.validate(origin);
    return c;
}

BertConfig BertConfig::fromFile(const std::string& path) {
    return fromJson(readJsonFile(path, "model config"), path);
}

json BertConfig::toJson() const {
    json id2label = json::object(), label2id = json::object();
    for (size_t i = 0; i < labels.size(); ++i) {
        id2label[std::to_string(i)] = labels[i];
        label2id[labels[i]] = i;
    }
    json j = {{"architectures", {info().architecture}},
              {"model_type", info().modelType},
              {"vocab_size", vocabSize},
              {"max_position_embeddings", maxPositions},
              {"initializer_range", initializerRange},
              {"pad_token_id", padTokenId},
              {"id2label", id2label},
              {"label2id", label2id}};
    const Keys& k = keysOf(family);
    j.update({{k.hidden, hiddenSize},
              {k.layers, numLayers},
              {k.heads, numHeads},
              {k.ffn, intermediateSize},
              {k.activation, "gelu"},
              {k.dropout, hiddenDropout},
              {k.attentionDropout, attentionDropout}});
    if (family == Family::DistilBert) {
        j.update(
            {{k.classifierDropout, headDropout()}, {"sinusoidal_pos_embds", sinusoidalPositions}});
    } else {
        j.update({{"type_vocab_size", typeVocabSize},
                  {"layer_norm_eps", layerNormEps},
                  {"position_embedding_type", "absolute"}});
        if (classifierDropout >= 0) j[k.classifierDropout] = classifierDropout;
        if (family == Family::Electra) j["embedding_size"] = embeddingDim();
    }
    if (regression) j["problem_type"] = "regression";
    return j;
}

BertConfig BertConfig::base() { return BertConfig{}; }

std::string toString(Pooling p) { return p == Pooling::Mean ? "mean" : "cls"; }

Pooling parsePooling(const std::string& name) {
    if (name == "cls") return Pooling::Cls;
    if (name == "mean") return Pooling::Mean;
    throw Error("unknown pooling '" + name + "' (cls | mean)");
}

} // namespace adapterlab::model
