// A pre-training's saved state (pretrain-state.pt): what it must match to be continued, and its
// weights, optimizer state and progress written and read back.
#include "pretrain/stages.h"

#include "util/atomic_file.h"
#include "util/error.h"

#include <torch/optim/optimizer.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

namespace adapterlab::pretrain {
namespace {

using nlohmann::json;

constexpr const char* kStateFormat = "adapterlab-pretrain-state";
constexpr int kStateVersion = 1;

bool hasElectra(const PretrainModules& m) {
    return !m.generator.is_empty();
}

} // namespace

json stateIdentity(const PretrainPlan& plan, const PretrainOptions& o, int64_t vocabSize,
                   int64_t rows) {
    json identity = {{"preset", plan.preset.name}, {"seed", o.seed},
                     {"vocab", vocabSize},         {"rows", rows},
                     {"format", kStateFormat},     {"version", kStateVersion}};
    if (plan.continued())
        identity["init_from"] = model::fileFingerprint(plan.init->weights); // where it started
    else if (o.embeddingInit != "random")
        identity["embedding_init"] = o.embeddingInit; // older states stay valid
    if (plan.peakLr != plan.preset.learningRate)
        identity["learning_rate"] = plan.peakLr; // the preset's is implied
    if (plan.electra) identity["objective"] = o.objective;
    return identity;
}

StateProgress loadState(const std::string& file, const json& identity, PretrainModules& m,
                        torch::optim::Optimizer& optimizer, const c10::Device& device) {
    try {
        torch::serialize::InputArchive ar;
        ar.load_from(file, device);
        c10::IValue meta;
        ar.read("meta", meta);
        const json saved = json::parse(meta.toStringRef());
        if (saved.at("identity") != identity)
            throw Error(file + " belongs to another pre-training (" + saved.at("identity").dump() +
                        "); use another --out folder or delete it");
        torch::serialize::InputArchive a, h, s;
        ar.read("model", a);
        ar.read("head", h);
        ar.read("optimizer", s);
        m.bert->load(a);
        m.head->load(h);
        if (hasElectra(m)) {
            torch::serialize::InputArchive g, d;
            ar.read("generator", g);
            ar.read("detector", d);
            m.generator->load(g);
            m.detector->load(d);
        }
        optimizer.load(s);
        return {saved.at("step").get<int64_t>(), saved.at("tokens").get<int64_t>()};
    } catch (const c10::Error& e) {
        throw Error(file + " is unreadable: " + firstLine(e.what()));
    } catch (const json::exception& e) {
        throw Error(file + " is damaged: " + e.what());
    }
}

void saveState(const std::string& file, const json& identity, const StateProgress& at,
               PretrainModules& m, torch::optim::Optimizer& optimizer) {
    torch::serialize::OutputArchive ar, a, h, s;
    ar.write(
        "meta",
        c10::IValue(
            json{{"identity", identity}, {"step", at.step}, {"tokens", at.tokensSeen}}.dump()));
    m.bert->save(a);
    m.head->save(h);
    optimizer.save(s);
    ar.write("model", a);
    ar.write("head", h);
    ar.write("optimizer", s);
    if (hasElectra(m)) {
        torch::serialize::OutputArchive g, d;
        m.generator->save(g);
        m.detector->save(d);
        ar.write("generator", g);
        ar.write("detector", d);
    }
    writeFileAtomically(file, [&](const std::string& tmp) { ar.save_to(tmp); });
}

} // namespace adapterlab::pretrain
