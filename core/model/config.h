#pragma once
// Model and adapter configuration (no torch): parsed from Hugging Face config.json, validated.
#include "model/family.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace adapterlab::model {

constexpr int64_t kMaxHidden = 16'384; ///< also the largest adapter size m
constexpr int64_t kMaxLayers = 256;

/// Encoder hyper-parameters as in a Hugging Face config.json (BERT's names; the other families'
/// keys are mapped on reading and writing).
struct BertConfig {
    Family family = Family::Bert;
    int64_t vocabSize = 30522;
    int64_t hiddenSize = 768;
    int64_t numLayers = 12;
    int64_t numHeads = 12;
    int64_t intermediateSize = 3072;
    int64_t maxPositions = 512;
    int64_t typeVocabSize = 2;        ///< 0: no token type embeddings (DistilBERT)
    int64_t embeddingSize = 0;        ///< ELECTRA's embedding width; 0: hiddenSize
    int64_t padTokenId = 0;           ///< RoBERTa numbers positions after it
    bool sinusoidalPositions = false; ///< DistilBERT's fixed sinusoidal position table
    double classifierDropout = -1;    ///< the head's dropout; < 0: hiddenDropout
    double layerNormEps = 1e-12;
    double hiddenDropout = 0.1;
    double attentionDropout = 0.1;
    double initializerRange = 0.02;
    /// Classifier labels in id order; one label (or problemType regression) means regression.
    std::vector<std::string> labels{"LABEL_0", "LABEL_1"};
    bool regression = false;

    int64_t numLabels() const { return regression ? 1 : static_cast<int64_t>(labels.size()); }
    int64_t headDim() const { return hiddenSize / numHeads; }
    int64_t embeddingDim() const { return embeddingSize > 0 ? embeddingSize : hiddenSize; }
    double headDropout() const {
        return classifierDropout >= 0 ? classifierDropout : hiddenDropout;
    }
    const FamilyInfo& info() const { return familyInfo(family); }
    /// The first position a token of a sequence takes (RoBERTa: padTokenId + 1), and how many
    /// tokens fit in the position table.
    int64_t firstPosition() const;
    int64_t maxTokens() const { return maxPositions - firstPosition(); }

    /// Throws Error(origin: what) for absurd or inconsistent values.
    void validate(const std::string& origin = "config") const;

    /// Reads the family's keys; refuses a config.json of an architecture not read here
    /// (model_type, else architectures), naming the ones that are.
    static BertConfig fromJson(const nlohmann::json& j, const std::string& origin = "config.json");
    static BertConfig fromFile(const std::string& path);
    nlohmann::json toJson() const;

    static BertConfig base(); ///< BERT-base: d=768, L=12, 12 heads, ffn 3072

    /// The family `j` describes: its model_type, else its architectures[0], else BERT; throws
    /// Error naming it and the supported model types when it is none of families().
    static Family familyOf(const nlohmann::json& j, const std::string& origin);
};

/// What vector enters the pooler and classifier. MLM pre-training never trains [CLS], so a
/// self-pre-trained backbone may transfer better through the mean of its token states.
enum class Pooling { Cls, Mean };
std::string toString(Pooling p);
/// "cls" | "mean"; throws Error otherwise.
Pooling parsePooling(const std::string& name);

} // namespace adapterlab::model
