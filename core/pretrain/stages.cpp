// The data stages of a pre-training (options, corpus, vocabulary, packed rows) and its last one
// (the backbone folder); the modules, the state and the loop are in mlm_modules.cpp,
// pretrain_state.cpp and mlm.cpp.
#include "pretrain/stages.h"

#include <filesystem>

#include "text/wordpiece_trainer.h"
#include "util/atomic_file.h"
#include "util/error.h"

#include <cmath>
#include <fstream>

namespace adapterlab::pretrain {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Checks the options and resolves what they ask for in one pass, so that the start folder is
// read once: every problem goes to the list, the plan is whole only when the list is empty.
std::vector<FieldError> resolveOptions(const PretrainOptions& o, PretrainPlan& plan) {
    std::vector<FieldError> out;
    if (o.outDir.empty()) out.push_back({"out", "pretrain: an output folder is needed"});
    bool havePreset = false;
    try {
        plan.preset = pretrainPreset(o.preset);
        havePreset = true;
    } catch (const Error& e) {
        out.push_back({"preset", e.what()});
    }
    if (o.maxSteps > 0) plan.preset.steps = o.maxSteps;
    if (o.embeddingInit != "random" && o.embeddingInit != "ppmi-svd")
        out.push_back({"embedding_init",
                       "unknown embedding init '" + o.embeddingInit + "' (random | ppmi-svd)"});
    if (o.objective != "mlm" && o.objective != "electra")
        out.push_back({"objective", "unknown pre-training objective '" + o.objective +
                                        "' (mlm | electra)"});
    plan.electra = o.objective == "electra";
    if (o.learningRate < 0 || !std::isfinite(o.learningRate))
        out.push_back({"learning_rate", "pretrain: the learning rate must be positive (got " +
                                            std::to_string(o.learningRate) + ")"});
    const bool continued = !o.initFrom.empty();
    plan.peakLr = o.learningRate > 0 ? o.learningRate
                  : continued        ? plan.preset.learningRate / 10
                                     : plan.preset.learningRate;
    if (!continued) return out;
    // A continued pre-training needs the whole folder, checked before anything is written.
    const auto refuse = [&](const std::string& why) {
        out.push_back({"init_from", "pretrain: cannot continue from " + o.initFrom + ": " + why});
    };
    try {
        plan.init = model::HfModelFiles::inDirectory(o.initFrom, true);
        plan.initConfig = model::BertConfig::fromFile(plan.init->config);
        const auto& config = *plan.initConfig;
        // MLM pre-training here is BERT's (WordPiece, its MLM head): other families are refused.
        if (config.family != model::Family::Bert)
            throw Error(config.info().modelType +
                        " folders cannot be continued yet (pre-training continues BERT folders)");
        if (!std::filesystem::exists(plan.init->vocab))
            throw Error("the folder has no vocab.txt (pre-training continues WordPiece models)");
        const auto vocabSize = static_cast<int64_t>(text::Vocab::load(plan.init->vocab).size());
        if (vocabSize != config.vocabSize)
            refuse("config.json has vocab_size " + std::to_string(config.vocabSize) +
                   " but vocab.txt holds " + std::to_string(vocabSize) + " tokens");
        else if (havePreset && plan.preset.sequenceLength > config.maxPositions)
            out.push_back({"init_from", "pretrain: " + o.initFrom + " takes sequences of at most " +
                                            std::to_string(config.maxPositions) +
                                            " positions, the preset needs " +
                                            std::to_string(plan.preset.sequenceLength)});
    } catch (const Error& e) {
        refuse(e.what());
    }
    return out;
}

} // namespace

std::vector<FieldError> checkPretrainOptions(const PretrainOptions& o) {
    PretrainPlan unused;
    return resolveOptions(o, unused);
}

PretrainPlan validateOptions(const PretrainOptions& o) {
    PretrainPlan plan;
    const auto problems = resolveOptions(o, plan);
    if (!problems.empty()) throw Error(problems.front().message);
    return plan;
}

PreparedCorpus prepareCorpus(const PretrainOptions& o, const fs::path& out,
                             const std::atomic<bool>* cancel) {
    // corpus.json keeps what the corpus was asked for and what went in (a resumed run reports
    // it too, and a run asking for other text in the same folder is refused, not ignored).
    const fs::path corpusFile = out / "corpus.txt", vocabFile = out / "vocab.txt",
                   corpusReport = out / "corpus.json";
    json asked = {{"paths", o.corpus.paths},
                  {"task_texts", o.corpus.taskTexts},
                  {"debian_text", o.corpus.debianText}};
    if (!o.initFrom.empty()) { // its vocabulary is this folder's; "dir" and "dir/" are the same
        const fs::path start = fs::weakly_canonical(o.initFrom).lexically_normal();
        asked["init_from"] = (start.has_filename() ? start : start.parent_path()).string();
    }
    PreparedCorpus prepared;
    if (!fs::exists(vocabFile) || !fs::exists(corpusFile)) {
        CorpusOptions co = o.corpus;
        co.cancel = cancel;
        prepared.report = buildCorpus(co, corpusFile.string());
        prepared.built = true;
        prepared.stopped = cancel && cancel->load();
        if (prepared.stopped) return prepared;
        json report = corpusReportJson(prepared.report);
        report["asked"] = asked;
        writeFileAtomically(corpusReport.string(), report.dump(2) + "\n");
    } else if (fs::exists(corpusReport)) {
        json report;
        try {
            std::ifstream in(corpusReport);
            report = json::parse(in);
            prepared.report = corpusReportFromJson(report);
        } catch (const json::exception&) {
            prepared.report = {}; // only a report: training does not depend on it
        }
        if (report.contains("asked") && report["asked"] != asked)
            throw Error(o.outDir + " already holds a corpus built from other text (" +
                        report["asked"].dump() +
                        "); choose another folder, or ask for the same text to continue");
    }
    return prepared;
}

void buildVocabulary(const PretrainPlan& plan, const fs::path& out) {
    const fs::path vocabFile = out / "vocab.txt";
    if (plan.continued()) {
        fs::copy_file(plan.init->vocab, vocabFile, fs::copy_options::overwrite_existing);
        return;
    }
    text::WordPieceTrainer trainer({static_cast<size_t>(plan.preset.vocabSize), 2, true});
    std::ifstream in(out / "corpus.txt");
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) trainer.addText(line);
    trainer.train().save(vocabFile.string());
}

std::vector<int64_t> tokenizeCorpus(const text::WordPieceTokenizer& tokenizer,
                                    const std::string& corpusFile) {
    std::vector<int64_t> stream;
    std::ifstream in(corpusFile);
    for (std::string line; std::getline(in, line);)
        if (!line.empty())
            for (int32_t id : tokenizer.tokenizeToIds(line))
                stream.push_back(id);
    return stream;
}

torch::Tensor packSequences(const std::vector<int64_t>& stream, const text::Vocab& vocab,
                            int64_t sequenceLength, int64_t batchSize) {
    if (sequenceLength < 3)
        throw Error("pretrain: sequences of " + std::to_string(sequenceLength) +
                    " positions hold no token beside [CLS] and [SEP]");
    const int64_t chunk = sequenceLength - 2;
    const int64_t rows = static_cast<int64_t>(stream.size()) / chunk;
    if (rows < batchSize)
        throw Error("the corpus has " + std::to_string(stream.size()) +
                    " tokens: too few for one batch of " + std::to_string(batchSize) + " × " +
                    std::to_string(sequenceLength));
    auto data = torch::empty({rows, sequenceLength}, torch::kLong); // [R, T]
    auto a = data.accessor<int64_t, 2>();
    for (int64_t r = 0; r < rows; ++r) {
        a[r][0] = vocab.clsId();
        for (int64_t k = 0; k < chunk; ++k)
            a[r][k + 1] = stream[static_cast<size_t>(r * chunk + k)];
        a[r][sequenceLength - 1] = vocab.sepId();
    }
    return data;
}

void writeBackbone(model::BertModel& bert, const PretrainPlan& plan, const PretrainOptions& o,
                   const PretrainResult& result) {
    bert->to(torch::kCPU);
    model::saveHfModel(bert, o.outDir);
    const json report = {{"preset", plan.preset.name},
                         {"cost", plan.preset.cost},
                         {"steps", result.steps},
                         {"tokens_seen", result.tokensSeen},
                         {"corpus_tokens", result.corpusTokens},
                         {"vocab_size", result.vocabSize},
                         {"final_mlm_loss", result.finalLoss},
                         {"embedding_init", result.embeddingInit},
                         {"learning_rate", plan.peakLr},
                         {"word_vector_seconds", result.wordVectorSeconds},
                         {"objective", o.objective},
                         {"final_detection_loss", result.finalDetectionLoss},
                         {"corpus", corpusReportJson(result.corpus)},
                         {"model", bert->config().toJson()},
                         {"seconds_last_session", result.seconds}};
    writeFileAtomically((fs::path(o.outDir) / "pretrain.json").string(), report.dump(2) + "\n");
}

} // namespace adapterlab::pretrain
