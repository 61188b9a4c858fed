// tasks list: the tasks a SPEC can name, built-in ones with their sizes; pretrain: the offline
// backbone.
#include "commands.h"

#include "data/builtin_tasks.h"
#include "data/task_loader.h"
#include "pretrain/mlm.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <memory>

namespace adapterlab::cli {
namespace {

using nlohmann::json;

json describe(const data::BuiltinTaskInfo& info) {
    json j = {{"name", info.name},         {"spec", "builtin:" + info.name},
              {"kind", "builtin"},         {"description", info.description},
              {"package", info.package},   {"source", info.source},
              {"available", info.available}};
    if (!info.available) return j;
    try {
        const data::TaskData t = data::loadBuiltinTask(info.name);
        j["classes"] = t.labels.size();
        j["labels"] = t.labels;
        j["train"] = t.train.examples.size();
        j["dev"] = t.dev.examples.size();
        j["test"] = t.test ? t.test->examples.size() : 0;
    } catch (const Error& e) {
        j["available"] = false;
        j["error"] = e.what();
    }
    return j;
}

void runTasksList(bool asJson) {
    std::vector<json> rows;
    for (const auto& info : data::builtinTasks()) rows.push_back(describe(info));
    for (const auto& name : data::glueTaskNames())
        rows.push_back({{"name", name}, {"spec", "glue:" + name + ":DIR"}, {"kind", "glue"},
                        {"description", "GLUE " + name + " from a folder in its original format"}});
    if (asJson) {
        for (const auto& r : rows) std::cout << r.dump() << '\n';
        return;
    }
    std::cout << std::left << std::setw(30) << "spec" << std::setw(32) << "size (train/dev/test)"
              << "description\n";
    for (const auto& r : rows) {
        std::string size;
        if (r.contains("train"))
            size = std::to_string(r["train"].get<size_t>()) + "/" + std::to_string(r["dev"].get<size_t>()) +
                   "/" + std::to_string(r["test"].get<size_t>()) + ", " +
                   std::to_string(r["classes"].get<size_t>()) + " classes";
        else if (r["kind"] == "builtin")
            size = "needs " + r["package"].get<std::string>();
        std::cout << std::left << std::setw(30) << r["spec"].get<std::string>() << std::setw(32) << size
                  << r["description"].get<std::string>() << '\n';
    }
}

std::atomic<bool> gStopPretrain{false};
void onSignal(int) { gStopPretrain.store(true); }

void runPretrain(pretrain::PretrainOptions& o, bool asJson) {
    std::signal(SIGINT, onSignal);
    std::signal(SIGTERM, onSignal);
    const auto preset = pretrain::pretrainPreset(o.preset);
    const auto steps = static_cast<long long>(o.maxSteps > 0 ? o.maxSteps : preset.steps);
    const auto length = static_cast<long long>(preset.sequenceLength);
    if (o.initFrom.empty())
        std::fprintf(
            stderr, "pretrain preset %s: d=%lld, %lld layers, sequences of %lld, %lld steps (%s)\n",
            preset.name.c_str(), static_cast<long long>(preset.model.hiddenSize),
            static_cast<long long>(preset.model.numLayers), length, steps, preset.cost.c_str());
    else
        std::fprintf(stderr, "continuing %s with preset %s's budget: sequences of %lld, %lld steps\n",
                     o.initFrom.c_str(), preset.name.c_str(), length, steps);
    const bool electra = o.objective == "electra";
    const auto r = pretrain::pretrainBackbone(
        o,
        [electra](const pretrain::PretrainProgress& p) {
            std::fprintf(stderr, "\rstep %lld/%lld  mlm loss %.3f", static_cast<long long>(p.step),
                         static_cast<long long>(p.totalSteps), p.loss);
            if (electra) std::fprintf(stderr, "  replaced-token loss %.4f", p.detectionLoss);
            std::fprintf(stderr, "  %.0f tokens/s  ETA %.0f min   ", p.tokensPerSecond,
                         p.etaSeconds / 60);
        },
        &gStopPretrain);
    std::fprintf(stderr, "\n");
    json j = {{"out", o.outDir},
              {"preset", o.preset},
              {"steps", r.steps},
              {"tokens_seen", r.tokensSeen},
              {"corpus_tokens", r.corpusTokens},
              {"vocab_size", r.vocabSize},
              {"final_mlm_loss", r.finalLoss},
              {"seconds", r.seconds},
              {"word_vector_seconds", r.wordVectorSeconds},
              {"embedding_init", r.embeddingInit},
              {"init_from", o.initFrom},
              {"objective", o.objective},
              {"final_detection_loss", r.finalDetectionLoss},
              {"resumed", r.resumed},
              {"cancelled", r.cancelled}};
    j["corpus_sources"] = pretrain::corpusReportJson(r.corpus).at("sources");
    if (asJson) {
        std::cout << j.dump() << '\n';
    } else {
        for (const auto& s : r.corpus.sources)
            std::cout << "corpus: " << s.name << ": " << s.documents << " documents, " << s.sentences
                      << " sentences, " << s.words << " words\n";
        std::cout << (r.cancelled ? "stopped at step " : "pre-trained ") << r.steps << " steps, "
                  << r.tokensSeen << " tokens (corpus " << r.corpusTokens << " tokens, vocabulary "
                  << r.vocabSize << "), MLM loss " << r.finalLoss
                  << (electra ? ", replaced-token loss " + std::to_string(r.finalDetectionLoss)
                              : std::string())
                  << "\n"
                  << (r.cancelled ? "run the same command again to continue\n"
                                  : "backbone written to " + o.outDir + "\n");
    }
    if (r.cancelled) throw Error("pre-training stopped at step " + std::to_string(r.steps) +
                                 "; the same command continues it");
}

} // namespace

void addPretrain(CLI::App& app) {
    auto o = std::make_shared<pretrain::PretrainOptions>();
    auto asJson = std::make_shared<bool>(false);
    auto noDebian = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand("pretrain", "pre-train a small BERT offline (MLM) into a Hugging Face folder");
    cmd->add_option("--out", o->outDir, "output folder (also holds corpus, vocabulary and the resumable state)")->required();
    cmd->add_option("--corpus", o->corpus.paths, "text files or folders (*.txt, *.md) to add to the corpus");
    cmd->add_option("--task-text", o->corpus.taskTexts,
                    "task SPEC whose training text (labels not read) joins the corpus: "
                    "task-adaptive pre-training");
    cmd->add_flag("--no-debian-text", *noDebian, "leave out the Debian text (WordNet, fortunes)");
    cmd->add_option("--preset", o->preset, "mini (~30 min on 2 cores) | small (~70 min on 2 cores) | gpu")
        ->check(CLI::IsMember(pretrain::pretrainPresetNames()));
    cmd->add_option("--max-steps", o->maxSteps, "optimizer steps (default: the preset's)")->check(CLI::PositiveNumber);
    cmd->add_option("--embedding-init", o->embeddingInit,
                    "ppmi-svd (default: word embeddings start from the corpus's PPMI-SVD word vectors) | random")
        ->check(CLI::IsMember({"random", "ppmi-svd"}));
    cmd->add_option(
           "--objective", o->objective,
           "mlm (default: masked language modelling) | electra (replaced-token detection with a "
           "1-layer generator)")
        ->check(CLI::IsMember({"mlm", "electra"}));
    cmd->add_option(
        "--init-from", o->initFrom,
        "continue pre-training this Hugging Face BERT folder on the corpus (its vocabulary "
        "and shape are kept): domain- or task-adaptive pre-training");
    cmd->add_option("--lr", o->learningRate,
                    "peak learning rate (default: the preset's; a tenth of it with --init-from)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--seed", o->seed, "random seed (default 1)");
    cmd->add_option("--device", o->device, "auto | cpu | cuda | cuda:N");
    cmd->add_option("--threads", o->threads, "LibTorch threads (default: all cores)");
    cmd->add_flag("--json", *asJson, "print the result as JSON");
    cmd->callback([o, asJson, noDebian] {
        o->corpus.debianText = !*noDebian;
        runPretrain(*o, *asJson);
    });
}

void addTasks(CLI::App& app) {
    auto asJson = std::make_shared<bool>(false);
    auto* tasks = app.add_subcommand("tasks", "the tasks a SPEC can name");
    tasks->require_subcommand(1);
    auto* list = tasks->add_subcommand("list", "built-in tasks (with sizes) and GLUE tasks");
    list->add_flag("--json", *asJson, "one JSON object per task");
    list->callback([asJson] { runTasksList(*asJson); });
}

} // namespace adapterlab::cli
