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
    checkRange(typeVocabSize, 1, 1024, "type_vocab_size", origin);
    if (hiddenSize % numHeads != 0)
        throw Error(origin + ": hidden_size " + std::to_string(hiddenSize) +
                    " is not a multiple of num_attention_heads " + std::to_string(numHeads));
    if (!(layerNormEps > 0 && layerNormEps < 1))
        throw Error(origin + ": layer_norm_eps must be in (0, 1)");
    for (double p : {hiddenDropout, attentionDropout})
        if (!(p >= 0 && p < 1)) throw Error(origin + ": dropout probabilities must be in [0, 1)");
    if (!regression && labels.size() < 2 && !labels.empty())
        throw Error(origin + ": a classifier needs at least 2 labels");
}

const std::vector<std::string>& BertConfig::supportedModelTypes() {
    static const std::vector<std::string> types = {"bert"};
    return types;
}

void BertConfig::checkModelType(const json& j, const std::string& origin) {
    if (!j.is_object()) throw Error(origin + ": expected a JSON object");
    if (!j.contains("model_type")) return;
    const auto& types = supportedModelTypes();
    if (j["model_type"].is_string() &&
        std::find(types.begin(), types.end(), j["model_type"].get<std::string>()) != types.end())
        return;
    std::string list;
    for (const auto& t : types)
        list += (list.empty() ? "" : ", ") + t;
    throw Error(origin + ": model_type " + j["model_type"].dump() +
                " is not supported (supported: " + list + ")");
}

BertConfig BertConfig::fromJson(const json& j, const std::string& origin) {
    checkModelType(j, origin);
    if (j.contains("hidden_act") && j["hidden_act"] != "gelu")
        throw Error(origin + ": hidden_act " + j["hidden_act"].dump() +
                    " is not supported (only exact 'gelu')");
    if (j.contains("position_embedding_type") && j["position_embedding_type"] != "absolute")
        throw Error(origin + ": only absolute position embeddings are supported");
    BertConfig c;
    c.vocabSize = getInt(j, "vocab_size", 0, origin, true);
    c.hiddenSize = getInt(j, "hidden_size", 0, origin, true);
    c.numLayers = getInt(j, "num_hidden_layers", 0, origin, true);
    c.numHeads = getInt(j, "num_attention_heads", 0, origin, true);
    c.intermediateSize = getInt(j, "intermediate_size", 0, origin, true);
    c.maxPositions = getInt(j, "max_position_embeddings", 512, origin, false);
    c.typeVocabSize = getInt(j, "type_vocab_size", 2, origin, false);
    c.layerNormEps = getDouble(j, "layer_norm_eps", 1e-12, origin);
    c.hiddenDropout = getDouble(j, "hidden_dropout_prob", 0.1, origin);
    c.attentionDropout = getDouble(j, "attention_probs_dropout_prob", 0.1, origin);
    c.initializerRange = getDouble(j, "initializer_range", 0.02, origin);

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
    json j = {{"architectures", {"BertForSequenceClassification"}},
              {"model_type", "bert"},
              {"vocab_size", vocabSize},
              {"hidden_size", hiddenSize},
              {"num_hidden_layers", numLayers},
              {"num_attention_heads", numHeads},
              {"intermediate_size", intermediateSize},
              {"max_position_embeddings", maxPositions},
              {"type_vocab_size", typeVocabSize},
              {"hidden_act", "gelu"},
              {"layer_norm_eps", layerNormEps},
              {"hidden_dropout_prob", hiddenDropout},
              {"attention_probs_dropout_prob", attentionDropout},
              {"initializer_range", initializerRange},
              {"id2label", id2label},
              {"label2id", label2id}};
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
