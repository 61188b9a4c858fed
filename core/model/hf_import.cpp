#include "model/hf_import.h"

#include "hub/hub.h"
#include "text/tokenizer_files.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

namespace adapterlab::model {
namespace fs = std::filesystem;

namespace {

std::string shapeString(const std::vector<int64_t>& s) {
    std::string out = "[";
    for (size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + "]";
}

// Old TF-converted checkpoints call LayerNorm parameters gamma and beta.
std::string legacyName(const std::string& name) {
    const auto ln = name.find("LayerNorm.");
    if (ln == std::string::npos) return {};
    const std::string tail = name.substr(ln + 10);
    const std::string head = name.substr(0, ln + 10);
    if (tail == "weight") return head + "gamma";
    if (tail == "bias") return head + "beta";
    return {};
}

} // namespace

HfModelFiles HfModelFiles::inDirectory(const std::string& spec, bool requireTokenizer) {
    const std::string dir = hub::resolveModelFolder(spec);
    if (!fs::is_directory(dir)) throw Error("model folder '" + dir + "' does not exist");
    HfModelFiles f{(fs::path(dir) / "config.json").string(), weightsFileIn(dir),
                   (fs::path(dir) / "vocab.txt").string(), dir};
    if (!fs::exists(f.config)) throw Error("model folder '" + dir + "' has no config.json");
    if (f.weights.empty())
        throw Error("model folder '" + dir +
                    "' has no weights (model.safetensors, "
                    "pytorch_model.bin or a sharded index of either)");
    if (requireTokenizer && !text::hasTokenizerFiles(dir))
        throw Error("model folder '" + dir + "' has no tokenizer (" + text::kTokenizerFileList +
                    ")");
    return f;
}

ImportReport loadHfWeights(BertModel& model, const Checkpoint& file, bool loadHead) {
    ImportReport report;
    std::set<std::string> used;
    const Family family = model->config().family;
    int headTensors = 0, headLoaded = 0;
    torch::NoGradGuard guard;
    for (auto& item : model->named_parameters()) {
        const std::string& name = item.key();
        torch::Tensor& param = item.value();
        if (groupOf(name) == ParamGroup::Adapters) continue;
        const bool isHead = groupOf(name) == ParamGroup::Head;
        if (isHead && !loadHead) continue;
        if (isHead) ++headTensors;
        // The family's own name first; then ours (a folder saved by AdapterLab's BERT export).
        const Checkpoint::Entry* t = nullptr;
        const std::string hf = hfName(family, name), legacy = legacyName(name);
        for (const std::string& candidate :
             {hf, name, legacy.empty() ? legacy : hfName(family, legacy), legacy}) {
            if (candidate.empty()) continue;
            if ((t = file.find(candidate))) break;
        }
        if (!t) {
            if (isHead) continue; // a backbone without a task head: keep the fresh classifier
            throw Error(file.origin() + ": tensor '" + name + "' is missing");
        }
        const std::vector<int64_t> expected = param.sizes().vec();
        if (t->shape != expected) {
            if (isHead)
                throw Error(file.origin() + ": head tensor '" + t->name + "' has shape " +
                            shapeString(t->shape) + " but the config asks for " +
                            shapeString(expected) + " (num_labels mismatch?)");
            throw Error(file.origin() + ": tensor '" + t->name + "' has shape " +
                        shapeString(t->shape) + ", expected " + shapeString(expected) +
                        " from the config");
        }
        param.copy_(file.tensor(*t));
        used.insert(t->name);
        if (isHead) ++headLoaded;
    }
    // A head is loaded only when all its tensors were.
    if (headLoaded > 0 && headLoaded < headTensors)
        throw Error(file.origin() + ": classifier is incomplete");
    report.headLoaded = headLoaded > 0;
    for (const auto& t : file.entries())
        if (!used.count(t.name)) report.unused.push_back(t.name);
    return report;
}

BertModel loadHfModel(const HfModelFiles& files, const MethodModules& modules, bool withHead,
                      ImportReport* report) {
    const BertConfig config = BertConfig::fromFile(files.config);
    BertModel model(config, modules, withHead);
    const ImportReport r = loadHfWeights(model, Checkpoint::load(files.weights));
    if (report) *report = r;
    return model;
}

void saveHfModel(BertModel& model, const std::string& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw Error("cannot create folder '" + dir + "': " + ec.message());
    std::vector<torch::Tensor> keep; // contiguous float copies alive until written
    std::vector<TensorToWrite> tensors;
    for (const auto& item : model->named_parameters()) {
        if (groupOf(item.key()) == ParamGroup::Adapters) continue;
        keep.push_back(item.value().detach().to(torch::kCPU, torch::kFloat).contiguous());
        // BERT keeps the names without "bert." it always wrote; the others take their own.
        const std::string name = model->config().family == Family::Bert
                                     ? item.key()
                                     : hfName(model->config().family, item.key());
        tensors.push_back({name, keep.back().sizes().vec(), keep.back().data_ptr<float>()});
    }
    writeSafetensors((fs::path(dir) / "model.safetensors").string(), tensors,
                     {{"format", "pt"}});
    const std::string configPath = (fs::path(dir) / "config.json").string();
    std::ofstream out(configPath, std::ios::trunc);
    out << model->config().toJson().dump(1) << '\n';
    if (!out) throw Error("cannot write '" + configPath + "'");
}

} // namespace adapterlab::model
