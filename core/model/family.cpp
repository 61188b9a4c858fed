#include "model/family.h"

#include "util/error.h"

#include <utility>

namespace adapterlab::model {
namespace {

bool startsWith(const std::string& s, const std::string& p) {
    return s.rfind(p, 0) == 0;
}

// DistilBERT's module names for ours, inside "encoder.layer.N." (longest first).
const std::vector<std::pair<std::string, std::string>>& distilLayerNames() {
    static const std::vector<std::pair<std::string, std::string>> m = {
        {"attention.self.query", "attention.q_lin"},
        {"attention.self.key", "attention.k_lin"},
        {"attention.self.value", "attention.v_lin"},
        {"attention.output.LayerNorm", "sa_layer_norm"},
        {"attention.output.dense", "attention.out_lin"},
        {"intermediate.dense", "ffn.lin1"},
        {"output.LayerNorm", "output_layer_norm"},
        {"output.dense", "ffn.lin2"},
    };
    return m;
}

} // namespace

const std::vector<FamilyInfo>& families() {
    static const std::vector<FamilyInfo> all = {
        {Family::Bert, "bert", "bert", "BertForSequenceClassification", HeadKind::BertPooler,
         PositionScheme::Absolute, true},
        {Family::Roberta, "roberta", "roberta", "RobertaForSequenceClassification",
         HeadKind::DenseTanh, PositionScheme::AfterPadding, true},
        {Family::XlmRoberta, "xlm-roberta", "roberta", "XLMRobertaForSequenceClassification",
         HeadKind::DenseTanh, PositionScheme::AfterPadding, true},
        {Family::Electra, "electra", "electra", "ElectraForSequenceClassification",
         HeadKind::DenseGelu, PositionScheme::Absolute, true},
        {Family::DistilBert, "distilbert", "distilbert", "DistilBertForSequenceClassification",
         HeadKind::PreClassifier, PositionScheme::Absolute, false},
    };
    return all;
}

const FamilyInfo& familyInfo(Family f) {
    for (const auto& i : families())
        if (i.family == f) return i;
    throw Error("unknown model family");
}

const FamilyInfo* familyByModelType(const std::string& modelType) {
    for (const auto& i : families())
        if (i.modelType == modelType) return &i;
    return nullptr;
}

std::string supportedModelTypeList() {
    std::string list;
    for (const auto& i : families())
        list += (list.empty() ? "" : ", ") + i.modelType;
    return list;
}

std::string hfModulePath(Family f, const std::string& ours) {
    if (f != Family::DistilBert) return ours;
    for (const auto& [from, to] : distilLayerNames())
        if (ours == from || startsWith(ours, from + ".")) return to + ours.substr(from.size());
    return ours;
}

std::string hfName(Family f, const std::string& ours) {
    if (startsWith(ours, "classifier.") || startsWith(ours, "pre_classifier.")) return ours;
    const std::string& prefix = familyInfo(f).prefix + ".";
    if (f != Family::DistilBert) return prefix + ours;
    static const std::string layer = "encoder.layer.";
    if (!startsWith(ours, layer)) return prefix + ours;
    const auto dot = ours.find('.', layer.size());
    if (dot == std::string::npos) return prefix + ours;
    return prefix + "transformer.layer." + ours.substr(layer.size(), dot - layer.size()) + "." +
           hfModulePath(f, ours.substr(dot + 1));
}

std::string oursFromHf(Family f, const std::string& hf) {
    if (startsWith(hf, "classifier.") || startsWith(hf, "pre_classifier.")) return hf;
    std::string n = hf;
    const std::string prefix = familyInfo(f).prefix + ".";
    if (startsWith(n, prefix)) n = n.substr(prefix.size());
    if (f != Family::DistilBert) return n;
    static const std::string layer = "transformer.layer.";
    if (!startsWith(n, layer)) return n;
    const auto dot = n.find('.', layer.size());
    if (dot == std::string::npos) return {};
    const std::string inLayer = n.substr(dot + 1);
    for (const auto& [ours, theirs] : distilLayerNames())
        if (inLayer == theirs || startsWith(inLayer, theirs + "."))
            return "encoder.layer." + n.substr(layer.size(), dot - layer.size()) + "." + ours +
                   inLayer.substr(theirs.size());
    return {};
}

} // namespace adapterlab::model
