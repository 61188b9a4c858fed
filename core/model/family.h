#pragma once
// Encoder families read from Hugging Face folders (no torch). All are post-LayerNorm BERT
// encoders; they differ in embeddings, position numbering, head and parameter names. One entry per
// family: its model_type, its Hugging Face names and its architecture.
#include <string>
#include <vector>

namespace adapterlab::model {

enum class Family { Bert, Roberta, XlmRoberta, Electra, DistilBert };

/// The task head on top of the encoder, as each family's *ForSequenceClassification has it.
enum class HeadKind {
    BertPooler,    ///< pooler (dense + tanh, backbone) then dropout + classifier
    DenseTanh,     ///< RoBERTa: dropout, classifier.dense, tanh, dropout, classifier.out_proj
    DenseGelu,     ///< ELECTRA: dropout, classifier.dense, gelu, dropout, classifier.out_proj
    PreClassifier, ///< DistilBERT: pre_classifier, ReLU, dropout, classifier
};

/// How token positions are numbered.
enum class PositionScheme {
    Absolute,     ///< 0, 1, 2, … (BERT, ELECTRA, DistilBERT)
    AfterPadding, ///< RoBERTa: pad + 1, pad + 2, … over non-padding tokens, pad at padding
};

struct FamilyInfo {
    Family family;
    std::string modelType;    ///< config.json "model_type"
    std::string prefix;       ///< base model's attribute in Hugging Face: "bert", "roberta", …
    std::string architecture; ///< "BertForSequenceClassification", …
    HeadKind head;
    PositionScheme positions;
    bool tokenTypes; ///< has token type embeddings (DistilBERT has none)
};

const std::vector<FamilyInfo>& families();
const FamilyInfo& familyInfo(Family f);
/// By model_type; nullptr when no family has it.
const FamilyInfo* familyByModelType(const std::string& modelType);
/// "bert, roberta, …"
std::string supportedModelTypeList();

/// Our parameter name ("encoder.layer.3.attention.self.query.lora_A.weight", the BERT layout
/// without "bert.") as the family's Hugging Face model names it ("distilbert.transformer.layer.3.
/// attention.q_lin.lora_A.weight"); head parameters carry no prefix ("classifier.out_proj.bias").
std::string hfName(Family f, const std::string& ours);
/// The inverse of hfName: a name of the family's model (with or without its prefix) as ours; ""
/// when it is not one (another family's prefix).
std::string oursFromHf(Family f, const std::string& hf);
/// The module name of a LoRA/(IA)³ target inside a layer as the family calls it ("query" for
/// BERT's attention.self.query, "q_lin" for DistilBERT's).
std::string hfModulePath(Family f, const std::string& oursInLayer);

} // namespace adapterlab::model
