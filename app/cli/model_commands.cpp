// tokenize, predict and params: the model-level commands.
#include "commands.h"
#include "method_options.h"

#include "experiments/run_job.h"
#include "hub/hub.h"
#include "model/hf_import.h"
#include "store/store.h"
#include "text/tokenizer.h"
#include "text/tokenizer_files.h"
#include "train/adapter_formats.h"
#include "train/device.h"
#include "train/param_count.h"
#include "train/predictor.h"
#include "train/run_config.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>

namespace adapterlab::cli {
namespace {

using nlohmann::json;

struct TokenizeOptions {
    std::string vocab, model;
    bool cased = false;
    int maxLength = 512;
};

struct PredictOptions {
    std::string model, db, adapter;
    int64_t run = 0;
    int maxLength = -1; // default: min(128, the model's positions)
    int batchSize = 32;
    bool json = false;
};

struct ParamsOptions {
    std::string model, config;
    std::shared_ptr<MethodOptions> methodOptions;
    int numLabels = -1;
    bool json = false;
};

void runTokenize(const TokenizeOptions& o) {
    if (o.model.empty() == o.vocab.empty())
        throw CLI::ValidationError("give either --vocab FILE or --model DIR");
    if (o.cased && !o.model.empty())
        throw CLI::ValidationError("--cased goes with --vocab (a model folder says its casing)");
    const text::TokenizerPtr tok =
        o.model.empty() ? std::make_shared<text::WordPieceTokenizer>(
                              text::Vocab::load(o.vocab), text::TokenizerOptions{!o.cased})
                        : text::loadTokenizer(hub::resolveModelFolder(o.model));
    std::string line;
    while (std::getline(std::cin, line)) {
        const auto ex = train::parseTextLine(line);
        const auto e = ex.pair ? tok->encode(ex.text, std::string_view(*ex.pair), o.maxLength)
                               : tok->encode(ex.text, std::nullopt, o.maxLength);
        json tokens = json::array();
        for (auto id : e.inputIds)
            tokens.push_back(tok->token(static_cast<int32_t>(id)));
        std::cout << json{{"input_ids", e.inputIds},
                          {"token_type_ids", e.tokenTypeIds},
                          {"tokens", tokens}}
                         .dump(-1, ' ', false, json::error_handler_t::replace)
                  << '\n';
    }
}

// Reads stdin, predicts, prints one line per text.
void predictStdin(train::Predictor& predictor, const std::vector<std::string>& labels,
                  const PredictOptions& o) {
    std::vector<train::TextExample> examples;
    std::string line;
    while (std::getline(std::cin, line)) examples.push_back(train::parseTextLine(line));
    const auto preds = predictor.predict(examples, static_cast<size_t>(o.batchSize));
    for (const auto& p : preds) {
        if (o.json) {
            json j = {{"logits", p.logits}, {"probabilities", p.probabilities}};
            j["label"] = p.label >= 0 ? json(labels.at(static_cast<size_t>(p.label))) : json(nullptr);
            std::cout << j.dump() << '\n';
        } else {
            std::cout << (p.label >= 0 ? labels.at(static_cast<size_t>(p.label)) : "-");
            for (size_t i = 0; i < p.logits.size(); ++i)
                std::cout << '\t' << std::setprecision(6) << p.logits[i];
            for (size_t i = 0; i < p.probabilities.size(); ++i)
                std::cout << '\t' << std::setprecision(4) << p.probabilities[i];
            std::cout << '\n';
        }
    }
}

void runPredict(const PredictOptions& o) {
    if (o.model.empty() == o.db.empty())
        throw CLI::ValidationError("give either --model DIR or --db FILE --run ID");
    if (!o.adapter.empty() && o.model.empty())
        throw CLI::ValidationError("--adapter goes with --model (its backbone)");
    if (!o.db.empty()) {
        store::Store store(o.db, true);
        auto run = experiments::loadRun(store, o.run);
        train::setThreads(run.config.threads);
        train::Predictor predictor(run.model, run.tokenizer,
                                   o.maxLength > 0 ? o.maxLength : run.config.maxLength);
        predictStdin(predictor, run.regression ? std::vector<std::string>{} : run.labels, o);
        return;
    }
    const auto files = model::HfModelFiles::inDirectory(o.model, true);
    model::BertModel m{nullptr};
    std::vector<std::string> labels;
    if (!o.adapter.empty()) { // the backbone with an adapter folder's modules and head
        auto imported = train::importAdapter(files, o.adapter);
        m = imported.model;
        if (!imported.regression) labels = imported.labels;
    } else {
        model::ImportReport report;
        m = model::loadHfModel(files, std::nullopt, true, &report);
        if (!report.headLoaded)
            std::cerr << "warning: " << files.weights
                      << " has no classifier; predictions come from an untrained head\n";
        labels = m->config().labels;
    }
    // A shifted prefix takes the first positions.
    const int64_t positions = m->config().maxTokens() - m->positionOffset();
    const int maxLength = o.maxLength < 0 ? static_cast<int>(std::min<int64_t>(128, positions))
                                          : o.maxLength;
    if (maxLength < 3 || maxLength > positions)
        throw Error("--max-length " + std::to_string(maxLength) + " must be in [3, " +
                    std::to_string(positions) + "], the model's positions" +
                    (m->positionOffset() > 0 ? " after its prefix" : ""));
    train::Predictor predictor(m, experiments::folderTokenizer(files, m->config()), maxLength);
    predictStdin(predictor, labels, o);
}

void runParams(const ParamsOptions& o) {
    if (o.model.empty() == o.config.empty())
        throw CLI::ValidationError("give exactly one of --model or --config");
    model::BertConfig config = model::BertConfig::fromFile(
        o.config.empty() ? model::HfModelFiles::inDirectory(o.model).config : o.config);
    if (o.numLabels > 0) {
        config.labels.assign(static_cast<size_t>(o.numLabels), "");
        config.regression = o.numLabels == 1;
    }
    train::RunConfig run;
    run.task = run.backbone = "-"; // not needed for counting
    run.maxLength =
        static_cast<int>(std::min<int64_t>(run.maxLength, config.maxPositions)); // nor is this
    o.methodOptions->apply(run);
    for (const auto& problem : run.checkFor(config))
        throw Error(problem.message);
    const train::MethodSpec& method = run.method;
    const auto c = train::countParameters(config, run);
    if (o.json) {
        json j = c.toJson();
        j["method"] = train::toString(method.method);
        if (const auto& knob = train::methodInfo(method.method).knob)
            j[knob->setting] = knob->get(run);
        const json settings = run.toJson();
        for (const auto& [k, v] : settings.items()) // the method's own settings
            for (const auto& setting : train::methodInfo(method.method).settings)
                if (k == setting) j[k] = v;
        std::cout << j.dump() << '\n';
        return;
    }
    std::cout << "method      " << train::toString(method.method) << '\n'
              << "total       " << c.total << '\n'
              << "backbone    " << c.backbone << '\n'
              << "trainable   " << c.trainable << " (" << std::fixed << std::setprecision(3)
              << c.trainablePercent() << "% of the backbone)\n"
              << (c.trainingOnly > 0
                      ? "while training +" + std::to_string(c.trainingOnly) +
                            " (the prefix's reparameterisation MLP, folded away when saved)\n"
                      : std::string())
              << "group              total    trainable\n";
    for (int g = 0; g < model::kNumParamGroups; ++g)
        std::cout << std::left << std::setw(14) << model::toString(static_cast<model::ParamGroup>(g))
                  << std::right << std::setw(12) << c.byGroup[g] << std::setw(13)
                  << c.trainableByGroup[g] << '\n';
}

struct InitOptions {
    std::string out, vocab;
    model::BertConfig config;
    uint64_t seed = 1;
};

// A randomly initialised BERT folder: the "random initialisation" baseline, and small test backbones.
void runInitBackbone(InitOptions& o) {
    const auto vocab = text::Vocab::load(o.vocab);
    o.config.vocabSize = static_cast<int64_t>(vocab.size());
    o.config.validate("init-backbone");
    torch::manual_seed(o.seed);
    model::BertModel m(o.config, std::nullopt, false);
    model::saveHfModel(m, o.out);
    vocab.save((std::filesystem::path(o.out) / "vocab.txt").string());
    std::cout << "wrote " << o.out << " (" << o.config.numLayers << " layers, d=" << o.config.hiddenSize
              << ", vocab " << vocab.size() << ")\n";
}

} // namespace

void addInitBackbone(CLI::App& app) {
    auto o = std::make_shared<InitOptions>();
    auto* cmd = app.add_subcommand("init-backbone", "write a randomly initialised BERT folder");
    cmd->add_option("--out", o->out, "output folder")->required();
    cmd->add_option("--vocab", o->vocab, "vocab.txt")->required()->check(CLI::ExistingFile);
    cmd->add_option("--hidden", o->config.hiddenSize, "hidden size d");
    cmd->add_option("--layers", o->config.numLayers, "encoder layers L");
    cmd->add_option("--heads", o->config.numHeads, "attention heads");
    cmd->add_option("--ffn", o->config.intermediateSize, "feed-forward size");
    cmd->add_option("--positions", o->config.maxPositions, "maximum positions");
    cmd->add_option("--seed", o->seed, "random seed");
    cmd->callback([o] { runInitBackbone(*o); });
}

void addTokenize(CLI::App& app) {
    auto o = std::make_shared<TokenizeOptions>();
    auto* cmd = app.add_subcommand("tokenize", "tokenize stdin (one text per line, TAB separates a "
                                               "pair) to JSON lines");
    cmd->add_option("--vocab", o->vocab, "a WordPiece vocab.txt")->check(CLI::ExistingFile);
    cmd->add_option("--model", o->model,
                    "a model folder or hf:MODEL_ID[@REV]: its tokenizer (WordPiece, byte-level "
                    "BPE, SentencePiece or tokenizer.json)");
    cmd->add_flag("--cased", o->cased, "keep case and accents (cased vocabularies)");
    cmd->add_option("--max-length", o->maxLength, "truncate to N tokens incl. specials")
        ->check(CLI::Range(3, 1 << 20));
    cmd->callback([o] { runTokenize(*o); });
}

void addPredict(CLI::App& app) {
    auto o = std::make_shared<PredictOptions>();
    auto* cmd = app.add_subcommand("predict", "classify texts from stdin with a Hugging Face BERT "
                                              "folder that has a classifier");
    cmd->add_option("--model", o->model,
                    "backbone folder (config.json, vocab.txt, weights) or hf:ID[@REV]");
    cmd->add_option("--adapter", o->adapter,
                    "adapter folder on --model: AdapterHub save_adapter, PEFT or AdapterLab export")
        ->check(CLI::ExistingDirectory);
    cmd->add_option("--db", o->db, "experiment file (with --run)");
    cmd->add_option("--run", o->run, "a stored run's id");
    cmd->add_option("--max-length", o->maxLength, "maximum tokens per example");
    cmd->add_option("--batch-size", o->batchSize, "examples per forward pass")
        ->check(CLI::Range(1, 4096));
    cmd->add_flag("--json", o->json, "one JSON object per line");
    cmd->callback([o] { runPredict(*o); });
}

void addExportAdapter(CLI::App& app) {
    struct Options {
        std::string db, format = "adapterlab", out, name = "adapterlab";
        int64_t run = 0;
    };
    auto o = std::make_shared<Options>();
    auto* cmd = app.add_subcommand(
        "export-adapter",
        "write a run's trained parameters as an AdapterHub, PEFT or AdapterLab folder");
    cmd->add_option("--db", o->db, "experiment file")->required()->check(CLI::ExistingFile);
    cmd->add_option("--run", o->run, "the run's id")->required();
    cmd->add_option("--format", o->format, "adapterhub | peft | adapterlab")->required();
    cmd->add_option("--out", o->out, "a new folder")->required();
    cmd->add_option("--name", o->name, "the adapter's name (AdapterHub)");
    cmd->callback([o] {
        const auto format = train::parseAdapterFormat(o->format);
        store::Store store(o->db, true);
        auto run = experiments::loadRun(store, o->run);
        const auto report = train::exportAdapter(run.model, run.config, format, o->out, o->name);
        for (const auto& note : report.notes)
            std::cerr << "note: " << note << '\n';
        std::cout << o->out << '\n';
        for (const auto& f : report.files)
            std::cout << "  " << f << '\n';
    });
}

void addMethods(CLI::App& app) {
    auto asJson = std::make_shared<bool>(false);
    auto* cmd =
        app.add_subcommand("methods", "the training methods: id, size knob, parameter formula");
    cmd->add_flag("--json", *asJson, "JSON lines");
    cmd->callback([asJson] {
        for (const auto& m : train::methods()) {
            json knob = nullptr;
            if (m.knob)
                knob = {{"setting", m.knob->setting},
                        {"symbol", m.knob->symbol},
                        {"option", m.knob->option},
                        {"min", m.knob->min},
                        {"max", m.knob->max},
                        {"default", m.knob->defaultValue},
                        {"bounded_by_layers", m.knob->boundedByLayers}};
            if (*asJson) {
                // Trainable parameters of BERT-base (head excluded) at the knob's default.
                const train::Shape base;
                train::RunConfig defaults;
                defaults.method.method = m.method;
                if (m.knob) m.knob->set(defaults, m.knob->defaultValue);
                std::cout << json{{"id", m.id},
                                  {"name", m.name},
                                  {"aliases", m.aliases},
                                  {"knob", m.knob ? json(m.knob->symbol) : json(nullptr)},
                                  {"default", m.knob ? json(m.knob->defaultValue) : json(nullptr)},
                                  {"knob_detail", knob},
                                  {"formula", m.formula},
                                  {"trains", m.trains},
                                  {"settings", m.settings},
                                  {"uses_adapters", m.usesAdapters},
                                  {"layer_modules", m.layerModules},
                                  {"series", m.series},
                                  {"bert_base_trainable", m.count(base, defaults)}}
                                 .dump()
                          << '\n';
                continue;
            }
            std::cout << std::left << std::setw(11) << m.id << std::setw(20) << m.name
                      << std::setw(34)
                      << (m.knob ? m.knob->symbol + " (" + m.knob->option + ", default " +
                                       std::to_string(m.knob->defaultValue) + ")"
                                 : std::string("-"))
                      << "  " << m.formula << '\n';
        }
    });
}

void addParams(CLI::App& app) {
    auto o = std::make_shared<ParamsOptions>();
    auto* cmd = app.add_subcommand("params", "count total and trainable parameters per group");
    cmd->add_option("--model", o->model, "Hugging Face BERT folder");
    cmd->add_option("--config", o->config, "a config.json")->check(CLI::ExistingFile);
    o->methodOptions = addMethodOptions(cmd, true);
    cmd->add_option("--num-labels", o->numLabels, "classifier outputs (default: the config's)");
    cmd->add_flag("--json", o->json, "JSON output");
    cmd->callback([o] { runParams(*o); });
}

} // namespace adapterlab::cli
