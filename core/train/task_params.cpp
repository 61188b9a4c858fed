#include "train/task_params.h"

#include "model/checkpoint.h"
#include "model/safetensors.h"
#include "util/atomic_file.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

namespace adapterlab::train {
namespace {

using nlohmann::json;

// The model config fields that decide parameter shapes.
json shapeDefiningConfig(const model::BertConfig& c) {
    return {{"vocab_size", c.vocabSize},           {"hidden_size", c.hiddenSize},
            {"num_hidden_layers", c.numLayers},    {"num_attention_heads", c.numHeads},
            {"intermediate_size", c.intermediateSize}, {"max_position_embeddings", c.maxPositions},
            {"type_vocab_size", c.typeVocabSize},  {"num_labels", c.numLabels()}};
}

model::ParamSpec specOf(const std::string& name) {
    return {name, {}, model::groupOf(name), model::layerOf(name)};
}

// The modules as inference needs them: a prefix folded, training-only settings dropped.
json inferenceModules(model::MethodModules m) {
    if (m.prefix) m.prefix->hidden = 0;
    json j = m.toJson();
    if (j["adapter"].is_object()) j["adapter"].erase("init_std");
    if (j["lora"].is_object()) j["lora"].erase("dropout");
    return j;
}

bool isPrefixEncoder(const std::string& name) {
    return name.rfind("prefix_encoder.", 0) == 0;
}

} // namespace

std::vector<std::string> trainableParameterNames(model::BertModel& m, const MethodSpec& method) {
    std::vector<std::string> names;
    for (const auto& item : m->named_parameters())
        if (isTrainable(specOf(item.key()), method, m->numLayers())) names.push_back(item.key());
    return names;
}

void saveTaskParameters(model::BertModel& m, const MethodSpec& method, const std::string& path,
                        const std::map<std::string, std::string>& extra) {
    writeFileAtomically(path, encodeTaskParameters(m, method, extra));
}

std::vector<char> encodeTaskParameters(model::BertModel& m, const MethodSpec& method,
                                       const std::map<std::string, std::string>& extra) {
    std::map<std::string, std::string> meta = extra;
    meta["format"] = kTaskParamsFormat;
    meta["format_version"] = std::to_string(kTaskParamsVersion);
    meta["model_config"] = shapeDefiningConfig(m->config()).dump();
    meta["modules"] = inferenceModules(m->modules()).dump();
    // What builds before the modules existed check (they compare the adapter size).
    meta["adapter_config"] = m->adapterConfig() ? m->adapterConfig()->toJson().dump() : "null";
    meta["method"] = toString(method.method);
    meta["top_k"] = std::to_string(method.topK);
    const auto params = m->named_parameters();
    // A prefix trained through its reparameterisation MLP is saved folded: the MLP's output.
    const bool fold = m->modules().prefix && m->modules().prefix->hidden > 0;
    std::vector<std::pair<std::string, torch::Tensor>> out;
    for (const auto& name : trainableParameterNames(m, method))
        if (!(fold && isPrefixEncoder(name))) out.emplace_back(name, params[name].detach());
    if (fold) {
        torch::NoGradGuard guard;
        const auto p = m->prefixStates(); // [l, 2L, d]
        out.emplace_back("prefix_encoder.embedding.weight", p.reshape({p.size(0), -1}));
    }
    return model::encodeTensors(out, meta);
}

namespace {
void checkFormat(const model::SafetensorsFile& file) {
    const std::string& path = file.origin();
    const auto& meta = file.metadata();
    const auto format = meta.find("format");
    if (format == meta.end() || format->second != kTaskParamsFormat)
        throw Error(path + ": not an AdapterLab task-parameter file");
    const auto version = meta.find("format_version");
    if (version == meta.end() || version->second != std::to_string(kTaskParamsVersion))
        throw Error(path + ": task-parameter format version " +
                    (version == meta.end() ? std::string("(none)") : version->second) +
                    " is not supported (this build reads version " +
                    std::to_string(kTaskParamsVersion) + ")");
}

void loadInto(model::BertModel& m, const model::SafetensorsFile& file) {
    checkFormat(file);
    const std::string& path = file.origin();
    const auto& meta = file.metadata();
    if (meta.at("model_config") != shapeDefiningConfig(m->config()).dump())
        throw Error(path + ": trained for a different model (" + meta.at("model_config") + ")");
    const auto saved = meta.find("modules");
    if (saved != meta.end()) {
        // Compared as parsed: a field added to the modules since the file was written (or one
        // this build writes) takes its default on both sides.
        const json mine = inferenceModules(m->modules());
        json theirs;
        try {
            theirs = inferenceModules(
                model::MethodModules::fromJson(json::parse(saved->second), path + " modules"));
        } catch (const json::exception&) {
            throw Error(path + ": the method modules metadata is not JSON");
        }
        if (theirs != mine)
            throw Error(path + ": trained with other method modules (" + saved->second +
                        ", this model has " + mine.dump() + ")");
    } else if (const auto old = meta.find("adapter_config"); old != meta.end()) { // format 1 files
        const auto& ad = m->modules().adapter;
        if (old->second != "null" && ad &&
            json::parse(old->second, nullptr, false).value("size", int64_t(-1)) != ad->size)
            throw Error(path + ": adapter size differs (" + old->second + ")");
    }
    auto params = m->named_parameters();
    torch::NoGradGuard guard;
    for (const auto& t : file.tensors()) {
        auto* p = params.find(t.name);
        if (!p) throw Error(path + ": tensor '" + t.name + "' does not exist in this model");
        if (p->sizes().vec() != t.shape)
            throw Error(path + ": tensor '" + t.name + "' has the wrong shape for this model");
        std::vector<float> values = file.toFloat(t);
        p->copy_(torch::from_blob(values.data(), t.shape, torch::kFloat));
    }
}
} // namespace

std::map<std::string, std::string> readTaskParameterMetadata(const std::string& path) {
    const auto file = model::SafetensorsFile::load(path);
    checkFormat(file);
    return file.metadata();
}

void loadTaskParameters(model::BertModel& m, const std::string& path) {
    loadInto(m, model::SafetensorsFile::load(path));
}

void loadTaskParameters(model::BertModel& m, std::vector<char> bytes, const std::string& origin) {
    loadInto(m, model::SafetensorsFile::parse(std::move(bytes), origin));
}

} // namespace adapterlab::train
