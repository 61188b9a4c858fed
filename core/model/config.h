#pragma once
// Model and adapter configuration (no torch): parsed from Hugging Face config.json, validated.
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace adapterlab::model {

constexpr int64_t kMaxHidden = 16'384; ///< also the largest adapter size m
constexpr int64_t kMaxLayers = 256;

/// BERT hyper-parameters as in a Hugging Face config.json.
struct BertConfig {
    int64_t vocabSize = 30522;
    int64_t hiddenSize = 768;
    int64_t numLayers = 12;
    int64_t numHeads = 12;
    int64_t intermediateSize = 3072;
    int64_t maxPositions = 512;
    int64_t typeVocabSize = 2;
    double layerNormEps = 1e-12;
    double hiddenDropout = 0.1;
    double attentionDropout = 0.1;
    double initializerRange = 0.02;
    /// Classifier labels in id order; one label (or problemType regression) means regression.
    std::vector<std::string> labels{"LABEL_0", "LABEL_1"};
    bool regression = false;

    int64_t numLabels() const { return regression ? 1 : static_cast<int64_t>(labels.size()); }
    int64_t headDim() const { return hiddenSize / numHeads; }

    /// Throws Error(origin: what) for absurd or inconsistent values.
    void validate(const std::string& origin = "config") const;

    /// Refuses a config.json of an architecture not read here (model_type), naming the ones that
    /// are.
    static BertConfig fromJson(const nlohmann::json& j, const std::string& origin = "config.json");
    static BertConfig fromFile(const std::string& path);
    nlohmann::json toJson() const;

    static BertConfig base(); ///< BERT-base: d=768, L=12, 12 heads, ffn 3072

    /// The config.json model_type values read here.
    static const std::vector<std::string>& supportedModelTypes();
    /// Throws Error when `j` names a model_type outside supportedModelTypes() (none: BERT).
    static void checkModelType(const nlohmann::json& j, const std::string& origin);
};

/// What vector enters the pooler and classifier. MLM pre-training never trains [CLS], so a
/// self-pre-trained backbone may transfer better through the mean of its token states.
enum class Pooling { Cls, Mean };
std::string toString(Pooling p);
/// "cls" | "mean"; throws Error otherwise.
Pooling parsePooling(const std::string& name);

} // namespace adapterlab::model
