#pragma once
// pretrainBackbone (pretrain/mlm.h) stage by stage: options -> corpus -> vocabulary -> packed
// sequences -> initial modules -> saved state -> training -> the backbone folder. Each stage
// can be run and tested on its own.
#include "model/bert.h"
#include "model/hf_import.h"
#include "pretrain/mlm.h"
#include "pretrain/mlm_modules.h"
#include "text/tokenizer.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace torch::optim {
class Optimizer;
}

namespace adapterlab::pretrain {

/// What the options ask for, resolved and checked before anything is written.
struct PretrainPlan {
    PretrainPreset preset; ///< the named preset, its steps replaced by maxSteps when given
    double peakLr = 0;     ///< the asked rate, else the preset's (a tenth of it when continuing)
    bool electra = false;
    std::optional<model::HfModelFiles> init;     ///< the folder continued from (initFrom)
    std::optional<model::BertConfig> initConfig; ///< its config.json

    bool continued() const { return init.has_value(); }
};

/// Checks the options (output folder, objective, embedding init, learning rate; for initFrom
/// its files, that its vocabulary matches its config and that it takes the preset's sequence
/// length) and resolves preset and peak rate. Throws Error saying what is wrong.
PretrainPlan validateOptions(const PretrainOptions& options);

/// A pre-training folder's corpus.
struct PreparedCorpus {
    CorpusReport report;  ///< what went in (empty when a reused folder has no corpus.json)
    bool built = false;   ///< made now: the vocabulary must be made from it
    bool stopped = false; ///< cancelled while it was built: nothing was written
};

/// Builds out/corpus.txt and out/corpus.json (its report and what was asked for) unless the
/// folder holds corpus.txt and vocab.txt already: a resumed run reuses them, but one asking for
/// other text than corpus.json records is refused with an Error, not silently given the old.
PreparedCorpus prepareCorpus(const PretrainOptions& options, const std::filesystem::path& out,
                             const std::atomic<bool>* cancel);

/// out/vocab.txt for a corpus just built: the continued backbone's own, else WordPiece trained
/// on out/corpus.txt with the preset's vocabulary size.
void buildVocabulary(const PretrainPlan& plan, const std::filesystem::path& out);

/// The tokens of every line of corpusFile, in order (empty lines, which end documents, add none).
std::vector<int64_t> tokenizeCorpus(const text::WordPieceTokenizer& tokenizer,
                                    const std::string& corpusFile);

/// stream [N] cut into rows [CLS] t ... t [SEP] of sequenceLength tokens, in order; the tail
/// that fills no row is dropped. -> [N / (T - 2), T] int64. Throws Error when the rows are
/// fewer than one batch.
torch::Tensor packSequences(const std::vector<int64_t>& stream, const text::Vocab& vocab,
                            int64_t sequenceLength, int64_t batchSize);

/// The modules a pre-training trains.
struct PretrainModules {
    model::BertModel bert{nullptr};
    MlmHead head{nullptr};
    Generator generator{nullptr}; ///< ELECTRA only
    Detector detector{nullptr};   ///< ELECTRA only
    /// Set when the word embeddings started from PPMI-SVD vectors: the seconds they took.
    std::optional<double> wordVectorSeconds;

    /// Moves every module to `device`, in training mode.
    void to(const c10::Device& device);
    /// Backbone, head, then (ELECTRA) generator and detector parameters: the optimizer's order.
    std::vector<std::pair<std::string, torch::Tensor>> namedParameters() const;
};

/// The modules for `cfg`, drawn after torch::manual_seed(options.seed) in a fixed order (the
/// MLM modules first, so an MLM pre-training draws the same weights as before ELECTRA existed).
/// Unless a saved state will replace them (`fromState`), a continued pre-training loads its
/// backbone's weights and MLM head (pretrain/mlm_modules.h), and "ppmi-svd" starts the word
/// embeddings from PPMI-SVD vectors of `stream` (pretrain/word_vectors.h).
PretrainModules initialiseModel(const model::BertConfig& cfg, const PretrainPlan& plan,
                                const PretrainOptions& options, const std::vector<int64_t>& stream,
                                bool fromState);

/// How far a pre-training got, as its state file records it beside the weights.
struct StateProgress {
    int64_t step = 0;
    int64_t tokensSeen = 0;
};

/// What a saved state must match to be continued: preset, seed, vocabulary size, row count and
/// state format, plus the start (the weights continued from, or a non-random embedding init),
/// the peak rate when not the preset's, and the objective when ELECTRA. Keys that are absent for
/// the default keep states written before them valid.
nlohmann::json stateIdentity(const PretrainPlan& plan, const PretrainOptions& options,
                             int64_t vocabSize, int64_t rows);

/// Loads a state file (pretrain-state.pt) into the modules and the optimizer, onto `device`.
/// Throws Error naming the file when it belongs to another identity, is unreadable or damaged.
StateProgress loadState(const std::string& file, const nlohmann::json& identity,
                        PretrainModules& modules, torch::optim::Optimizer& optimizer,
                        const c10::Device& device);

/// Writes the state file atomically; throws Error naming the file when it cannot.
void saveState(const std::string& file, const nlohmann::json& identity, const StateProgress& at,
               PretrainModules& modules, torch::optim::Optimizer& optimizer);

/// What a training session ended with.
struct LoopOutcome {
    bool cancelled = false;
    double finalLoss = 0;          ///< mean MLM (ELECTRA: generator) loss over the last 50 steps
    double finalDetectionLoss = 0; ///< ELECTRA: mean replaced-token loss over the last 50 steps
    double seconds = 0;            ///< this session's training time
};

/// Trains from at.step to the preset's steps, or until `cancel`, on rows [R, T] (packSequences)
/// with the modules' device: each epoch visits the rows in a seeded order, each step draws its
/// masks and dropout from a seed of its own (so a resumed run draws what an unbroken one would),
/// and the learning rate warms up and decays linearly. Advances `at`, reports every step and
/// calls `save` every 5 minutes.
LoopOutcome trainLoop(const PretrainPlan& plan, uint64_t seed, const torch::Tensor& rows,
                      int64_t maskId, PretrainModules& modules, torch::optim::Optimizer& optimizer,
                      StateProgress& at,
                      const std::function<void(const PretrainProgress&)>& progress,
                      const std::atomic<bool>* cancel, const std::function<void()>& save);

/// Writes the backbone (on the CPU) as a Hugging Face folder into options.outDir (config.json
/// and model.safetensors beside vocab.txt) and pretrain.json, the pre-training's report.
void writeBackbone(model::BertModel& bert, const PretrainPlan& plan, const PretrainOptions& options,
                   const PretrainResult& result);

} // namespace adapterlab::pretrain
