#include "train/adapter_formats.h"

#include "model/checkpoint.h"
#include "model/param_spec.h"
#include "model/safetensors.h"
#include "train/method.h"
#include "train/task_params.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/json_file.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>

namespace adapterlab::train {
namespace fs = std::filesystem;
using model::LoraTarget;
using nlohmann::json;

namespace {

using Named = std::vector<std::pair<std::string, torch::Tensor>>;

constexpr const char* kAdapterLabFormat = "adapterlab-adapter";
constexpr const char* kAdapterHubVersion = "adapters.1.0.0";
constexpr const char* kLabelsKey = "adapterlab_labels"; // safetensors metadata: our label names

bool startsWith(const std::string& s, const std::string& p) {
    return s.rfind(p, 0) == 0;
}

// Where a LoRA target sits inside an encoder layer (Hugging Face's module names).
std::string modulePath(LoraTarget t) {
    switch (t) {
    case LoraTarget::Query:
        return "attention.self.query";
    case LoraTarget::Key:
        return "attention.self.key";
    case LoraTarget::Value:
        return "attention.self.value";
    case LoraTarget::AttentionOutput:
        return "attention.output.dense";
    case LoraTarget::Intermediate:
        return "intermediate.dense";
    case LoraTarget::Output:
        return "output.dense";
    }
    return {};
}

const std::vector<LoraTarget>& allTargets() {
    static const std::vector<LoraTarget> all = {
        LoraTarget::Query,           LoraTarget::Key,          LoraTarget::Value,
        LoraTarget::AttentionOutput, LoraTarget::Intermediate, LoraTarget::Output};
    return all;
}

// A regex PEFT fullmatches against module names ("bert.encoder.layer.0.attention.self.query").
std::string targetRegex(const std::vector<std::string>& paths) {
    std::string alt;
    for (auto p : paths) {
        std::string esc;
        for (char c : p)
            esc += c == '.' ? std::string("\\.") : std::string(1, c);
        alt += (alt.empty() ? "" : "|") + esc;
    }
    return ".*\\.layer\\.\\d+\\.(" + alt + ")";
}

// PEFT's matching of target_modules (and feedforward_modules): a string is a regex the whole
// module name must match; a list matches a name equal to an entry or ending in "." + entry.
bool peftMatches(const json& targets, const std::string& name, const std::string& origin) {
    if (targets.is_null()) return false;
    if (targets.is_string()) {
        try {
            return std::regex_match(name, std::regex(targets.get<std::string>()));
        } catch (const std::regex_error& e) {
            throw Error(origin + ": target pattern " + targets.dump() +
                        " is not a regex read here (" + e.what() + ")");
        }
    }
    if (!targets.is_array()) throw Error(origin + ": target modules must be a string or a list");
    for (const auto& t : targets) {
        if (!t.is_string()) throw Error(origin + ": target modules must be names");
        const std::string s = t.get<std::string>();
        if (name == s || (name.size() > s.size() &&
                          name.compare(name.size() - s.size() - 1, s.size() + 1, "." + s) == 0))
            return true;
    }
    return false;
}

// The trained tensors of the run, by our names.
Named trainedTensors(model::BertModel& m, const RunConfig& config) {
    Named out;
    auto params = m->named_parameters();
    for (const auto& name : trainableParameterNames(m, config.method))
        out.emplace_back(name, params[name].detach().to(torch::kCPU, torch::kFloat).contiguous());
    return out;
}

std::vector<char> safetensorsImage(const Named& tensors,
                                   const std::map<std::string, std::string>& meta) {
    return model::encodeTensors(tensors, meta);
}

// torch.save's zip format, for tools that read only *.bin (loadable with weights_only=True).
std::vector<char> torchSaveImage(const Named& tensors) {
    return model::encodeTorchStateDict(tensors);
}

// Files made in DIR.partial, renamed to DIR at the end: a failed export leaves nothing.
class FolderWriter {
public:
    explicit FolderWriter(const std::string& dir) : dir_(dir), tmp_(dir + ".partial") {
        std::error_code ec;
        if (fs::exists(dir_) && !fs::is_empty(dir_, ec))
            throw Error("'" + dir_ + "' exists and is not empty: export into a new folder");
        fs::remove_all(tmp_, ec);
        fs::create_directories(tmp_, ec);
        if (ec) throw Error("cannot create '" + tmp_.string() + "': " + ec.message());
    }
    ~FolderWriter() {
        if (!done_) {
            std::error_code ec;
            fs::remove_all(tmp_, ec);
        }
    }
    void write(const std::string& name, const std::vector<char>& bytes) {
        writeFileAtomically((tmp_ / name).string(), bytes);
        report.files.push_back(name);
    }
    void write(const std::string& name, const json& j) {
        const std::string s = j.dump(2) + "\n";
        write(name, std::vector<char>(s.begin(), s.end()));
    }
    ExportReport finish() {
        std::error_code ec;
        if (fs::exists(dir_)) fs::remove(dir_, ec); // the empty folder
        fs::rename(tmp_, dir_, ec);
        if (ec)
            throw Error("cannot rename '" + tmp_.string() + "' to '" + dir_ + "': " + ec.message());
        done_ = true;
        return report;
    }
    ExportReport report;

private:
    std::string dir_;
    fs::path tmp_;
    bool done_ = false;
};

std::string labelsJson(const model::BertModel& m) {
    return json(m->config().labels).dump();
}

// ---- PEFT ---------------------------------------------------------------------------------

// Our parameter name -> PEFT's key in adapter_model.safetensors (adapter name stripped): the
// family's own module names under the wrapped model.
std::string peftName(model::Family f, const std::string& ours) {
    return "base_model.model." + model::hfName(f, ours);
}

// The head's modules, which PEFT saves through modules_to_save.
json headModules(model::Family f) {
    return f == model::Family::DistilBert ? json{"pre_classifier", "classifier"}
                                          : json{"classifier"};
}

// A LoRA target as a target_modules entry: its last name ("query", DistilBERT's "q_lin").
std::string shortTarget(model::Family f, LoraTarget t) {
    const std::string path = model::hfModulePath(f, modulePath(t));
    return path.substr(path.rfind('.') + 1);
}

// Prompt learning's keys: the prefix [l, 2·L·d] (per virtual token, layer by layer, its key
// then its value, each d = H·dh: get_prompt's view) and the classifier on the bare base model.
std::string peftPromptName(const std::string& ours) {
    if (ours == "prefix_encoder.embedding.weight") return "prompt_embeddings";
    if (startsWith(ours, "classifier.")) return "base_model." + ours;
    throw Error("'" + ours + "' has no place in PEFT's prefix tuning");
}

ExportReport exportPeft(model::BertModel& m, const RunConfig& config, FolderWriter& w) {
    const Method method = config.method.method;
    const model::Family family = m->config().family;
    const auto hfPath = [&](LoraTarget t) { return model::hfModulePath(family, modulePath(t)); };
    json c = {{"base_model_name_or_path", config.backbone},
              {"revision", nullptr},
              {"task_type", "SEQ_CLS"},
              {"inference_mode", true},
              {"modules_to_save", headModules(family)},
              {"auto_mapping", nullptr}};
    if (method == Method::Lora) {
        const auto& l = m->modules().lora;
        std::vector<std::string> paths;
        for (const auto t : l->targets)
            paths.push_back(hfPath(t));
        // A list is matched by suffix: BERT's "output.dense" would also take
        // attention.output.dense (DistilBERT's last names are all distinct).
        const bool ambiguous =
            family != model::Family::DistilBert && l->hasTarget(LoraTarget::Output);
        json targets = json::array();
        for (const auto t : l->targets)
            targets.push_back(family == model::Family::DistilBert || t == LoraTarget::Query ||
                                      t == LoraTarget::Key || t == LoraTarget::Value
                                  ? shortTarget(family, t) // "query", "q_lin"
                                  : hfPath(t));
        c.update({{"peft_type", "LORA"},
                  {"r", l->rank},
                  {"lora_alpha", l->alpha},
                  {"lora_dropout", l->dropout},
                  {"target_modules", ambiguous ? json(targetRegex(paths)) : targets},
                  {"bias", "none"},
                  {"fan_in_fan_out", false},
                  {"init_lora_weights", true},
                  {"use_rslora", false},
                  {"use_dora", false},
                  {"layers_to_transform", nullptr},
                  {"layers_pattern", nullptr},
                  {"rank_pattern", json::object()},
                  {"alpha_pattern", json::object()}});
    } else if (method == Method::Ia3) {
        c.update(
            {{"peft_type", "IA3"},
             {"target_modules", targetRegex({hfPath(LoraTarget::Key), hfPath(LoraTarget::Value),
                                             hfPath(LoraTarget::Output)})},
             {"feedforward_modules", targetRegex({hfPath(LoraTarget::Output)})},
             {"fan_in_fan_out", false},
             {"init_ia3_weights", true}});
    } else if (method == Method::Prefix) {
        if (family == model::Family::DistilBert)
            throw Error("transformers' DistilBERT takes no past keys and values: PEFT has no "
                        "prefix tuning for it (export as adapterlab)");
        // PromptLearningConfig has no modules_to_save (PeftModelForSequenceClassification
        // saves the classifier by itself); the prefix is saved folded, as inference_mode has it.
        const auto& bc = m->config();
        c.erase("modules_to_save");
        c.update({{"peft_type", "PREFIX_TUNING"},
                  {"num_virtual_tokens", m->modules().prefix->length},
                  {"token_dim", bc.hiddenSize},
                  {"num_transformer_submodules", 1},
                  {"num_attention_heads", bc.numHeads},
                  {"num_layers", bc.numLayers},
                  {"encoder_hidden_size", bc.hiddenSize},
                  {"prefix_projection", false}});
    } else {
        throw Error(std::string("PEFT has no ") + methodInfo(method).name);
    }
    Named tensors;
    for (auto& [name, t] : trainedTensors(m, config))
        tensors.emplace_back(
            method == Method::Prefix ? peftPromptName(name) : peftName(family, name), t);
    w.write("adapter_config.json", c);
    w.write("adapter_model.safetensors",
            safetensorsImage(tensors, {{"format", "pt"}, {kLabelsKey, labelsJson(m)}}));
    return w.finish();
}

// ---- AdapterHub ---------------------------------------------------------------------------

const char* hubActivation(model::Activation a) {
    switch (a) {
    case model::Activation::Gelu:
        return "gelu";
    case model::Activation::Relu:
        return "relu";
    case model::Activation::Tanh:
        return "tanh";
    case model::Activation::Swish:
        return "swish";
    }
    return "gelu";
}

// AdapterHub's name of one of our adapter tensors ("encoder.layer.0.output.adapter.down.weight").
std::string hubAdapterName(const std::string& ours, const std::string& name, bool lnBefore) {
    const auto at = ours.find(".adapter.");
    const std::string where = ours.substr(0, at); // encoder.layer.0.output
    const std::string part = ours.substr(at + 9); // down.weight
    const auto dot = part.find('.');
    const std::string module = part.substr(0, dot), field = part.substr(dot + 1);
    std::string mapped;
    if (module == "norm")
        mapped = "adapter_down.0";
    else if (module == "down")
        mapped = lnBefore ? "adapter_down.1" : "adapter_down.0";
    else if (module == "up")
        mapped = "adapter_up";
    else
        throw Error("'" + ours + "' has no place in AdapterHub's bottleneck adapter");
    return "bert." + where + ".adapters." + name + "." + mapped + "." + field;
}

json hubEnvelope(const model::BertModel& m, const std::string& base, const std::string& name) {
    return {{"hidden_size", m->config().hiddenSize},
            {"model_class", "BertAdapterModel"},
            {"model_name", base},
            {"model_type", "bert"},
            {"name", name},
            {"version", kAdapterHubVersion}};
}

ExportReport exportAdapterHub(model::BertModel& m, const RunConfig& config, const std::string& name,
                              FolderWriter& w) {
    const auto& a = m->modules().adapter;
    if (!a) throw Error("AdapterHub's format holds bottleneck adapters; this run has none");
    if (a->hiddenLayers != 1)
        throw Error("AdapterHub's bottleneck adapter has one hidden layer; this run's has " +
                    std::to_string(a->hiddenLayers));
    if (m->pooling() != model::Pooling::Cls)
        throw Error(
            "AdapterHub's classification head reads [CLS]; this run pools the mean of the tokens");
    const int64_t d = m->config().hiddenSize;
    // AdapterHub sizes the bottleneck as int(d // reduction_factor).
    double rf = static_cast<double>(d) / static_cast<double>(a->size);
    if (static_cast<int64_t>(std::floor(static_cast<double>(d) / rf)) != a->size)
        rf = static_cast<double>(d) / (static_cast<double>(a->size) + 0.5);
    const bool parallel = a->style == model::AdapterStyle::Parallel;
    const bool pfeiffer = a->style == model::AdapterStyle::Pfeiffer;
    json bn = {{"mh_adapter", a->atAttention()},
               {"output_adapter", a->atFeedForward()},
               {"reduction_factor", rf},
               {"non_linearity", hubActivation(a->activation)},
               {"original_ln_before", pfeiffer},
               {"original_ln_after", true},
               {"residual_before_ln", true},
               {"adapter_residual_before_ln", false},
               {"ln_before", a->innerNorm},
               {"ln_after", false},
               {"init_weights", parallel ? "mam_adapter" : "bert"},
               {"is_parallel", parallel},
               {"scaling", parallel ? a->scaling : 1.0},
               {"use_gating", false},
               {"inv_adapter", nullptr},
               {"inv_adapter_reduction_factor", nullptr},
               {"cross_adapter", false},
               {"leave_out", json::array()},
               {"dropout", 0.0},
               {"phm_layer", false},
               {"stochastic_depth", 0.0}};
    json adapterConfig = hubEnvelope(m, config.backbone, name);
    adapterConfig["config"] = bn;
    Named adapters, layerNorms;
    auto params = m->named_parameters();
    for (auto& [ours, t] : trainedTensors(m, config)) {
        const auto g = model::groupOf(ours);
        if (g == model::ParamGroup::Adapters)
            adapters.emplace_back(hubAdapterName(ours, name, a->innerNorm), t);
        else if (g == model::ParamGroup::LayerNorm)
            layerNorms.emplace_back(ours, t);
        else if (g != model::ParamGroup::Head)
            throw Error("'" + ours + "' has no place in AdapterHub's format");
    }
    // The head: AdapterHub's classification head is dropout, dense, tanh, dropout, linear on
    // [CLS]: BERT's pooler and classifier.
    const auto cpu = [](const torch::Tensor& t) {
        return t.detach().to(torch::kCPU, torch::kFloat).contiguous();
    };
    const std::string h = "heads." + name + ".";
    const Named head = {{h + "1.weight", cpu(params["pooler.dense.weight"])},
                        {h + "1.bias", cpu(params["pooler.dense.bias"])},
                        {h + "4.weight", cpu(params["classifier.weight"])},
                        {h + "4.bias", cpu(params["classifier.bias"])}};
    json label2id = json::object();
    const auto& labels = m->config().labels;
    for (size_t i = 0; i < labels.size(); ++i)
        label2id[labels[i]] = i;
    json headConfig = hubEnvelope(m, config.backbone, name);
    headConfig["config"] = {{"head_type", "classification"},
                            {"num_labels", m->config().numLabels()},
                            {"layers", 2},
                            {"activation_function", "tanh"},
                            {"label2id", m->config().regression ? json(nullptr) : label2id},
                            {"use_pooler", false},
                            {"bias", true},
                            {"dropout_prob", nullptr}};
    w.write("adapter_config.json", adapterConfig);
    w.write("adapter.safetensors", safetensorsImage(adapters, {{"format", "pt"}}));
    w.write("pytorch_adapter.bin", torchSaveImage(adapters));
    w.write("head_config.json", headConfig);
    w.write("model_head.safetensors", safetensorsImage(head, {{"format", "pt"}}));
    w.write("pytorch_model_head.bin", torchSaveImage(head));
    if (!layerNorms.empty()) {
        w.write("adapterlab_layernorms.safetensors",
                safetensorsImage(layerNorms, {{"format", "pt"}}));
        w.report.notes.push_back(
            "the run also trained the LayerNorms (the paper's recipe); AdapterHub's format has no "
            "place for them, so they are in adapterlab_layernorms.safetensors, which AdapterLab "
            "reads and AdapterHub ignores: there, logits will differ from this run's");
    }
    return w.finish();
}

// ---- AdapterLab ---------------------------------------------------------------------------

ExportReport exportAdapterLab(model::BertModel& m, const RunConfig& config, FolderWriter& w) {
    w.write("adapter_config.json", json{{"format", kAdapterLabFormat},
                                        {"format_version", 1},
                                        {"base_model", config.backbone},
                                        {"run", config.toJson()},
                                        {"labels", m->config().labels},
                                        {"regression", m->config().regression}});
    w.write("task_params.safetensors", encodeTaskParameters(m, config.method));
    return w.finish();
}

// ---- Import -------------------------------------------------------------------------------

// The backbone with `modules` and a head of `labels`, its weights loaded (the head fresh).
model::BertModel backboneWith(const model::HfModelFiles& files, const model::MethodModules& modules,
                              const std::vector<std::string>& labels, bool regression) {
    model::BertConfig c = model::BertConfig::fromFile(files.config);
    c.labels = regression ? std::vector<std::string>{"score"} : labels;
    c.regression = regression;
    model::BertModel m(c, modules, true);
    model::loadHfWeights(m, model::Checkpoint::load(files.weights), false);
    return m;
}

// Copies tensors (our names) into the model: each must exist with its shape, and every
// parameter in `required` must come.
void assign(model::BertModel& m, const Named& tensors, const std::set<std::string>& required,
            const std::string& origin) {
    auto params = m->named_parameters();
    std::set<std::string> seen;
    torch::NoGradGuard g;
    for (const auto& [name, t] : tensors) {
        auto* p = params.find(name);
        if (!p) {
            const int layer = model::layerOf(name);
            throw Error(origin + ": '" + name + "' has no place in the backbone" +
                        (layer >= m->numLayers()
                             ? " (it has " + std::to_string(m->numLayers()) + " layers)"
                             : std::string()));
        }
        if (p->sizes() != t.sizes())
            throw Error(origin + ": '" + name + "' has shape " + c10::str(t.sizes()) +
                        " but the backbone needs " + c10::str(p->sizes()));
        p->copy_(t);
        seen.insert(name);
    }
    for (const auto& r : required)
        if (!seen.count(r)) throw Error(origin + ": '" + r + "' is missing");
}

std::vector<std::string> labelsFrom(const std::map<std::string, std::string>& meta, int64_t n,
                                    const model::HfModelFiles& backbone) {
    const auto it = meta.find(kLabelsKey);
    if (it != meta.end()) {
        const auto j = json::parse(it->second, nullptr, false);
        if (j.is_array() && static_cast<int64_t>(j.size()) == n)
            return j.get<std::vector<std::string>>();
    }
    const auto c = model::BertConfig::fromFile(backbone.config);
    if (static_cast<int64_t>(c.labels.size()) == n) return c.labels;
    std::vector<std::string> out;
    for (int64_t i = 0; i < n; ++i)
        out.push_back("LABEL_" + std::to_string(i));
    return out;
}

// A weights file's tensors; `metadata` gets a safetensors file's metadata (read once with it).
Named read(const std::string& path, std::map<std::string, std::string>* metadata = nullptr) {
    const bool safetensors =
        path.size() >= 12 && path.compare(path.size() - 12, 12, ".safetensors") == 0;
    model::Checkpoint c;
    if (safetensors && metadata) {
        auto file = model::SafetensorsFile::load(path);
        *metadata = file.metadata();
        c = model::Checkpoint::fromSafetensors(std::move(file));
    } else {
        c = model::Checkpoint::load(path);
    }
    Named out;
    for (const auto& e : c.entries())
        out.emplace_back(e.name, c.tensor(e));
    return out;
}

std::string firstExisting(const std::string& dir, std::initializer_list<const char*> names) {
    for (const char* n : names)
        if (fs::exists(fs::path(dir) / n)) return (fs::path(dir) / n).string();
    return {};
}

std::set<std::string> moduleNames(model::BertModel& m) {
    std::set<std::string> out;
    for (const auto& item : m->named_parameters())
        if (model::groupOf(item.key()) == model::ParamGroup::Adapters) out.insert(item.key());
    return out;
}

ImportedAdapter importPeft(const model::HfModelFiles& backbone, const std::string& dir) {
    const std::string origin = (fs::path(dir) / "adapter_config.json").string();
    const json c = readJsonFile(origin, "PEFT adapter config");
    const std::string type = c.value("peft_type", "");
    const std::string weights =
        firstExisting(dir, {"adapter_model.safetensors", "adapter_model.bin"});
    if (weights.empty()) throw Error(dir + ": no adapter_model.safetensors (or .bin)");
    const model::BertConfig bb = model::BertConfig::fromFile(backbone.config);
    const model::Family family = bb.family;
    // A module of a layer as the family's model names it ("roberta.encoder.layer.0.…").
    const auto layerModule = [&](int64_t layer, const std::string& path) {
        return model::hfName(family, "encoder.layer." + std::to_string(layer) + "." + path);
    };
    // The targets must be the same in every layer: AdapterLab's modules adapt all of them.
    const auto targeted = [&](const json& targets, const std::string& path) {
        const bool first = peftMatches(targets, layerModule(0, path), origin);
        for (int64_t l = 1; l < bb.numLayers; ++l)
            if (peftMatches(targets, layerModule(l, path), origin) != first)
                throw Error(origin + ": targets " + path +
                            " in some layers only; AdapterLab "
                            "adapts every layer");
        return first;
    };
    for (const char* other : {"bert.pooler.dense", "classifier", "classifier.dense",
                              "classifier.out_proj", "pre_classifier"})
        if (peftMatches(c.value("target_modules", json()), other, origin))
            throw Error(origin + ": targets " + other + ", which AdapterLab does not adapt");
    ImportedAdapter out;
    out.format = AdapterFormat::Peft;
    out.config.backbone = c.value("base_model_name_or_path", "");
    if (type == "LORA") {
        for (const char* unsupported : {"use_rslora", "use_dora", "fan_in_fan_out"})
            if (c.value(unsupported, false))
                throw Error(origin + ": " + unsupported + " is not supported");
        if (c.value("bias", "none") != "none")
            throw Error(origin + ": bias \"" + c.value("bias", "") +
                        "\" is not supported (only \"none\")");
        for (const char* pattern : {"rank_pattern", "alpha_pattern"})
            if (c.contains(pattern) && !c[pattern].is_null() && !c[pattern].empty())
                throw Error(origin + ": " + pattern + " (per-module ranks) is not supported");
        if (c.contains("layers_to_transform") && !c["layers_to_transform"].is_null())
            throw Error(origin +
                        ": layers_to_transform is not supported (AdapterLab adapts every layer)");
        out.config.method.method = Method::Lora;
        out.config.lora.rank = c.value("r", int64_t(8));
        out.config.lora.alpha = c.value("lora_alpha", 8.0);
        out.config.lora.dropout = c.value("lora_dropout", 0.0);
        out.config.lora.targets.clear();
        // PEFT's default targets: the query and value projections.
        const json defaults = {shortTarget(family, LoraTarget::Query),
                               shortTarget(family, LoraTarget::Value)};
        const json targets = c.value("target_modules", defaults);
        for (const auto t : allTargets())
            if (targeted(targets.is_null() ? defaults : targets, modulePath(t)))
                out.config.lora.targets.push_back(t);
        if (out.config.lora.targets.empty())
            throw Error(origin + ": target_modules match no layer of a " + bb.info().modelType);
    } else if (type == "IA3") {
        const json targets = c.value("target_modules", json()),
                   ff = c.value("feedforward_modules", json());
        // AdapterLab's (IA)³ is the paper's: keys and values scaled after the projection, the
        // feed-forward activations before output.dense; nothing else.
        const std::map<std::string, std::pair<bool, bool>> expected = {
            {"attention.self.query", {false, false}}, {"attention.self.key", {true, false}},
            {"attention.self.value", {true, false}},  {"attention.output.dense", {false, false}},
            {"intermediate.dense", {false, false}},   {"output.dense", {true, true}}};
        for (const auto& [path, want] : expected) {
            const bool t = targeted(targets, path), f = t && targeted(ff, path);
            if (t != want.first || f != want.second)
                throw Error(origin + ": (IA)³ " + (t ? "scales " : "does not scale ") + path +
                            (t ? (f ? " (feed-forward)" : " (output)") : "") +
                            "; AdapterLab's (IA)³ (keys, values, feed-forward activations: the "
                            "paper's) cannot hold that");
        }
        out.config.method.method = Method::Ia3;
    } else if (type == "PREFIX_TUNING") {
        const auto integer = [&](const char* key) {
            if (!c.contains(key) || !c[key].is_number_integer())
                throw Error(origin + ": no integer '" + key + "'");
            return c[key].get<int64_t>();
        };
        for (const auto& [key, backboneHas] :
             std::vector<std::pair<const char*, int64_t>>{{"num_layers", bb.numLayers},
                                                          {"token_dim", bb.hiddenSize},
                                                          {"num_attention_heads", bb.numHeads}})
            if (integer(key) != backboneHas)
                throw Error(origin + ": " + key + " = " + std::to_string(integer(key)) +
                            " but the backbone has " + std::to_string(backboneHas));
        if (c.value("num_transformer_submodules", int64_t(1)) != 1)
            throw Error(origin +
                        ": num_transformer_submodules = " + c["num_transformer_submodules"].dump() +
                        " is an encoder-decoder's prefix; a BERT has one");
        out.config.method.method = Method::Prefix;
        out.config.prefix.length = integer("num_virtual_tokens");
        out.config.prefix.hidden = 0;            // saved folded
        out.config.prefix.shiftPositions = true; // transformers' position ids after a prefix
        out.config.prefix.validate(origin);
    } else {
        throw Error(origin + ": peft_type \"" + type +
                    "\" is not read here (LORA, IA3, PREFIX_TUNING)");
    }
    Named ours;
    int64_t numLabels = 0;
    std::map<std::string, std::string> metadata;
    for (auto& [name, t] : read(weights, &metadata)) {
        std::string n = name;
        if (name == "prompt_embeddings" && type == "PREFIX_TUNING") {
            const int64_t width = 2 * bb.numLayers * bb.hiddenSize;
            if (t.dim() == 2 && t.size(1) != width && c.value("prefix_projection", false))
                throw Error(weights + ": prompt_embeddings [" + std::to_string(t.size(0)) + ", " +
                            std::to_string(t.size(1)) +
                            "] is the input of the prefix's projection MLP, which the folder "
                            "lacks; save the adapter with inference_mode false (the folded "
                            "prefix [l, 2·L·d])");
            ours.emplace_back("prefix_encoder.embedding.weight", t);
            continue;
        }
        if (startsWith(n, "base_model.classifier.")) // prompt learning: the bare base model
            n = "base_model.model." + n.substr(11);
        if (!startsWith(n, "base_model.model."))
            throw Error(weights + ": '" + name + "' is not a PEFT key");
        n = n.substr(17);
        // A wrapped head module: "classifier.modules_to_save.default.dense.weight".
        if (const auto p = n.find(".modules_to_save."); p != std::string::npos) {
            std::string rest = n.substr(p + 17);
            if (startsWith(rest, "default.")) rest = rest.substr(8);
            n = n.substr(0, p + 1) + rest;
        }
        n = model::oursFromHf(family, n);
        if (n.empty())
            throw Error(weights + ": '" + name + "' is not a PEFT key of a " + bb.info().modelType +
                        " model");
        // Older files keep the adapter name: "lora_A.default.weight", "ia3_l.default".
        for (const std::string& suffix : {std::string(".default.weight"), std::string(".default")})
            if (const auto p = n.find(suffix);
                p != std::string::npos && p + suffix.size() == n.size())
                n = n.substr(0, p) + (suffix == ".default" ? "" : ".weight");
        if (n == "classifier.weight" || n == "classifier.out_proj.weight") numLabels = t.size(0);
        ours.emplace_back(n, t);
    }
    if (numLabels == 0)
        throw Error(weights + ": no classifier (base_model.model.classifier.*); a sequence "
                              "classification adapter saves it through modules_to_save");
    out.labels = labelsFrom(metadata, numLabels, backbone);
    out.regression = numLabels == 1 && out.labels == std::vector<std::string>{"score"};
    out.model =
        backboneWith(backbone, methodModules(out.config, false), out.labels, out.regression);
    auto required = moduleNames(out.model);
    for (const auto& p : out.model->named_parameters())
        if (model::groupOf(p.key()) == model::ParamGroup::Head) required.insert(p.key());
    assign(out.model, ours, required, weights);
    return out;
}

model::Activation parseHubActivation(const std::string& s, const std::string& origin) {
    if (s == "gelu") return model::Activation::Gelu;
    if (s == "relu") return model::Activation::Relu;
    if (s == "tanh") return model::Activation::Tanh;
    if (s == "swish" || s == "silu") return model::Activation::Swish;
    throw Error(origin + ": non_linearity \"" + s +
                "\" is not supported (gelu, relu, tanh, swish)");
}

ImportedAdapter importAdapterHub(const model::HfModelFiles& backbone, const std::string& dir) {
    // Its names are BERT's modules (PEFT's and AdapterLab's formats hold every family).
    if (const auto bb = model::BertConfig::fromFile(backbone.config);
        bb.family != model::Family::Bert)
        throw Error(dir + ": adapterhub folders are read onto BERT backbones; " + backbone.dir +
                    " is a " + bb.info().modelType);
    const std::string origin = (fs::path(dir) / "adapter_config.json").string();
    const json j = readJsonFile(origin, "AdapterHub adapter config");
    if (!j.contains("config") || !j["config"].is_object())
        throw Error(origin + ": no \"config\" object");
    const json& c = j["config"];
    const std::string name = j.value("name", "");
    if (j.value("model_type", "bert") != "bert")
        throw Error(origin + ": an adapter for model_type \"" + j.value("model_type", "") + "\"");
    if (c.contains("architecture") && !c["architecture"].is_null() &&
        c["architecture"] != "bottleneck")
        throw Error(origin + ": architecture " + c["architecture"].dump() +
                    " is not read here (bottleneck adapters)");
    for (const char* unsupported :
         {"use_gating", "phm_layer", "cross_adapter", "ln_after", "adapter_residual_before_ln"})
        if (c.value(unsupported, false))
            throw Error(origin + ": " + unsupported + " is not supported");
    if (c.contains("inv_adapter") && !c["inv_adapter"].is_null())
        throw Error(origin + ": invertible adapters are not supported");
    if (c.contains("leave_out") && !c["leave_out"].empty())
        throw Error(origin + ": leave_out (adapters in some layers only) is not supported");
    if (!c.value("residual_before_ln", true) || !c.value("original_ln_after", true))
        throw Error(origin + ": only residual_before_ln and original_ln_after = true are read (the "
                             "Houlsby, Pfeiffer and parallel layouts)");
    const bool parallel = c.value("is_parallel", false),
               lnBefore = c.value("original_ln_before", false);
    const bool mh = c.value("mh_adapter", false), out_ = c.value("output_adapter", true);
    ImportedAdapter out;
    out.format = AdapterFormat::AdapterHub;
    out.config.backbone = j.value("model_name", "");
    auto& a = out.config.adapter;
    a.activation = parseHubActivation(c.value("non_linearity", "relu"), origin);
    a.innerNorm = c.value("ln_before", false);
    if (!mh && !out_) throw Error(origin + ": neither mh_adapter nor output_adapter is set");
    a.placement = mh && out_ ? model::AdapterPlacement::Both
                  : mh       ? model::AdapterPlacement::Attention
                             : model::AdapterPlacement::FeedForward;
    const json scaling = c.value("scaling", json(1.0));
    if (!scaling.is_number())
        throw Error(origin + ": scaling " + scaling.dump() + " is not supported (a number)");
    if (parallel) {
        if (lnBefore)
            throw Error(origin + ": a parallel adapter with original_ln_before is not supported");
        if (a.innerNorm)
            throw Error(origin + ": a parallel adapter with ln_before is not supported");
        out.config.method.method = Method::Parallel;
        out.config.adapterScaling = scaling.get<double>();
    } else {
        if (scaling.get<double>() != 1.0)
            throw Error(origin + ": a sequential adapter with scaling != 1 is not supported");
        if (lnBefore) {
            if (mh)
                throw Error(origin + ": original_ln_before with an attention adapter is not "
                                     "supported (Pfeiffer's layout has only the output adapter)");
            out.config.method.method = Method::Pfeiffer;
        } else {
            out.config.method.method = Method::Adapter;
        }
    }
    const std::string weights = firstExisting(dir, {"adapter.safetensors", "pytorch_adapter.bin"});
    if (weights.empty()) throw Error(dir + ": no adapter.safetensors or pytorch_adapter.bin");
    Named ours;
    for (auto& [key, t] : read(weights)) {
        std::string k = startsWith(key, "bert.") ? key.substr(5) : key;
        const std::string mark = ".adapters." + name + ".";
        const auto at = k.find(mark);
        if (at == std::string::npos)
            throw Error(weights + ": '" + key + "' is not a weight of adapter '" + name + "'");
        const std::string where = k.substr(0, at), rest = k.substr(at + mark.size());
        std::string module;
        if (startsWith(rest, "adapter_down.0."))
            module = a.innerNorm ? "norm" : "down";
        else if (startsWith(rest, "adapter_down.1.") && a.innerNorm)
            module = "down";
        else if (startsWith(rest, "adapter_up."))
            module = "up";
        else
            throw Error(weights + ": '" + key + "' has no place in a bottleneck adapter read here");
        if (module == "down") a.size = t.size(0);
        ours.emplace_back(where + ".adapter." + module + "." + rest.substr(rest.rfind('.') + 1), t);
    }
    // The head: heads.NAME.1 (dense + tanh on [CLS]: BERT's pooler) and heads.NAME.4 (classifier).
    const std::string headPath = (fs::path(dir) / "head_config.json").string();
    if (!fs::exists(headPath))
        throw Error(
            dir + ": no head_config.json; an adapter without its prediction head cannot classify");
    const json hj = readJsonFile(headPath, "AdapterHub head config");
    const json hc = hj.value("config", json::object());
    if (hc.value("head_type", "") != "classification" || hc.value("layers", 0) != 2 ||
        hc.value("activation_function", "") != "tanh" || hc.value("use_pooler", false))
        throw Error(headPath + ": only a 2-layer tanh classification head on [CLS] is read");
    const std::string headWeights =
        firstExisting(dir, {"model_head.safetensors", "pytorch_model_head.bin"});
    if (headWeights.empty())
        throw Error(dir + ": no model_head.safetensors or pytorch_model_head.bin");
    int64_t numLabels = 0;
    for (auto& [key, t] : read(headWeights)) {
        const std::string h = "heads." + hj.value("name", name) + ".";
        if (!startsWith(key, h))
            throw Error(headWeights + ": '" + key + "' is not a weight of head '" +
                        hj.value("name", name) + "'");
        const std::string rest = key.substr(h.size());
        if (startsWith(rest, "1."))
            ours.emplace_back("pooler.dense." + rest.substr(2), t);
        else if (startsWith(rest, "4.")) {
            ours.emplace_back("classifier." + rest.substr(2), t);
            if (rest == "4.weight") numLabels = t.size(0);
        } else
            throw Error(headWeights + ": '" + key + "' has no place in the head");
    }
    if (numLabels == 0) throw Error(headWeights + ": no classifier (heads.NAME.4.weight)");
    const json label2id = hc.value("label2id", json());
    out.regression = false;
    if (label2id.is_object() && static_cast<int64_t>(label2id.size()) == numLabels) {
        out.labels.assign(static_cast<size_t>(numLabels), "");
        for (const auto& [label, id] : label2id.items())
            if (id.is_number_integer() && id.get<int64_t>() >= 0 && id.get<int64_t>() < numLabels)
                out.labels[id.get<size_t>()] = label;
    } else {
        out.labels = labelsFrom({}, numLabels, backbone);
    }
    const std::string norms = (fs::path(dir) / "adapterlab_layernorms.safetensors").string();
    if (fs::exists(norms))
        for (auto& nt : read(norms))
            ours.push_back(nt);
    out.model =
        backboneWith(backbone, methodModules(out.config, false), out.labels, out.regression);
    auto required = moduleNames(out.model);
    required.insert(
        {"classifier.weight", "classifier.bias", "pooler.dense.weight", "pooler.dense.bias"});
    assign(out.model, ours, required, weights);
    return out;
}

ImportedAdapter importAdapterLab(const model::HfModelFiles& backbone, const std::string& dir) {
    const std::string origin = (fs::path(dir) / "adapter_config.json").string();
    const json j = readJsonFile(origin, "AdapterLab adapter config");
    if (j.value("format_version", 0) != 1)
        throw Error(origin + ": format_version " + j.value("format_version", json()).dump() +
                    " is not read here (1)");
    ImportedAdapter out;
    out.format = AdapterFormat::AdapterLab;
    out.config = RunConfig::fromJson(j.at("run"), origin + " run");
    out.regression = j.value("regression", false);
    out.labels = j.value("labels", std::vector<std::string>{});
    out.model =
        backboneWith(backbone, methodModules(out.config, false), out.labels, out.regression);
    out.model->setPooling(out.config.pooling);
    const std::string params = (fs::path(dir) / "task_params.safetensors").string();
    std::ifstream in(params, std::ios::binary);
    if (!in) throw Error(dir + ": no task_params.safetensors");
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    loadTaskParameters(out.model, std::move(bytes), params);
    return out;
}

} // namespace

const char* toString(AdapterFormat f) {
    switch (f) {
    case AdapterFormat::AdapterLab:
        return "adapterlab";
    case AdapterFormat::Peft:
        return "peft";
    case AdapterFormat::AdapterHub:
        return "adapterhub";
    }
    return "adapterlab";
}

AdapterFormat parseAdapterFormat(const std::string& s) {
    for (auto f : {AdapterFormat::AdapterLab, AdapterFormat::Peft, AdapterFormat::AdapterHub})
        if (s == toString(f)) return f;
    throw Error("adapter format '" + s + "' is not one of adapterlab, peft, adapterhub");
}

std::vector<AdapterFormat> formatsFor(const RunConfig& run) {
    switch (run.method.method) {
    case Method::Prefix:
        if (run.prefix.shiftPositions) return {AdapterFormat::Peft, AdapterFormat::AdapterLab};
        return {AdapterFormat::AdapterLab};
    case Method::Lora:
    case Method::Ia3:
        return {AdapterFormat::Peft, AdapterFormat::AdapterLab};
    case Method::Adapter:
    case Method::Pfeiffer:
    case Method::Parallel:
        return {AdapterFormat::AdapterHub, AdapterFormat::AdapterLab};
    default:
        return {AdapterFormat::AdapterLab};
    }
}

ExportReport exportAdapter(model::BertModel& model, const RunConfig& config, AdapterFormat format,
                           const std::string& dir, const std::string& name) {
    const auto formats = formatsFor(config);
    if (std::find(formats.begin(), formats.end(), format) == formats.end()) {
        std::string list;
        for (auto f : formats)
            list += (list.empty() ? "" : ", ") + std::string(toString(f));
        // On BERT transformers starts the position ids at the cache length, so PEFT's prefix
        // shifts the tokens' positions; a prefix trained without the shift would give other
        // logits there.
        const std::string why =
            format == AdapterFormat::Peft && config.method.method == Method::Prefix
                ? "PEFT's prefix tuning on BERT shifts the token positions by the prefix "
                  "length, and this run was trained without that shift (train with "
                  "--prefix-shift-positions): the same weights would give other logits"
                : "the " + std::string(toString(format)) + " format has no " +
                      methodInfo(config.method.method).name;
        throw Error(why + " (this run can be exported as: " + list + ")");
    }
    // AdapterHub's files name BERT's modules; its layouts of the other families are not written
    // yet (PEFT's and AdapterLab's formats hold every family).
    if (format == AdapterFormat::AdapterHub && model->config().family != model::Family::Bert)
        throw Error("the adapterhub export is for BERT backbones; a " +
                    model->config().info().modelType + " run can be exported as: peft, adapterlab");
    if (name.empty() || name.find_first_of("./\\ ") != std::string::npos)
        throw Error("adapter name '" + name + "' must be a plain word");
    FolderWriter w(dir);
    switch (format) {
    case AdapterFormat::Peft:
        return exportPeft(model, config, w);
    case AdapterFormat::AdapterHub:
        return exportAdapterHub(model, config, name, w);
    case AdapterFormat::AdapterLab:
        return exportAdapterLab(model, config, w);
    }
    return {};
}

AdapterFormat detectAdapterFormat(const std::string& dir) {
    const fs::path config = fs::path(dir) / "adapter_config.json";
    if (!fs::is_directory(dir)) throw Error("adapter folder '" + dir + "' does not exist");
    if (!fs::exists(config)) throw Error("adapter folder '" + dir + "' has no adapter_config.json");
    const json j = readJsonFile(config.string(), "adapter config");
    if (j.is_object() && j.value("format", "") == kAdapterLabFormat)
        return AdapterFormat::AdapterLab;
    if (j.is_object() && j.contains("peft_type")) return AdapterFormat::Peft;
    if (j.is_object() && j.contains("config") && j["config"].is_object())
        return AdapterFormat::AdapterHub;
    throw Error(config.string() + ": neither a PEFT (peft_type), an AdapterHub (config) nor an "
                                  "AdapterLab adapter");
}

ImportedAdapter importAdapter(const model::HfModelFiles& backbone, const std::string& dir) {
    switch (detectAdapterFormat(dir)) {
    case AdapterFormat::Peft:
        return importPeft(backbone, dir);
    case AdapterFormat::AdapterHub:
        return importAdapterHub(backbone, dir);
    case AdapterFormat::AdapterLab:
        return importAdapterLab(backbone, dir);
    }
    throw Error("unreachable");
}

} // namespace adapterlab::train
