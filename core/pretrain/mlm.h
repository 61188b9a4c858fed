#pragma once
// Masked-language-model pre-training of a small BERT from a text corpus, on this machine: the
// offline backbone. Resumable (a checkpoint in the output folder), cancellable, and its result
// is a Hugging Face folder (config.json, vocab.txt, model.safetensors) the importer loads.
#include "model/torch_modules.h"
#include "pretrain/corpus.h"
#include "util/field_error.h"
#include "pretrain/presets.h"

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace adapterlab::pretrain {

struct PretrainOptions {
    std::string outDir;
    CorpusOptions corpus;
    std::string preset = "mini";
    int64_t maxSteps = 0; ///< overrides the preset's steps when > 0
    uint64_t seed = 1;
    std::string device = "auto";
    int threads = 0; ///< LibTorch threads; 0: every core (train::setThreads)
    /// "ppmi-svd": word embeddings start from PPMI-SVD word vectors of the corpus
    /// (pretrain/word_vectors.h; on the mini preset +3 points SST-2 accuracy after full
    /// fine-tuning, +5 with adapters, docs/pretraining.md) | "random" (BERT's own init).
    std::string embeddingInit = "ppmi-svd";
    /// "mlm": masked language modelling | "electra": replaced-token detection (Clark et al.
    /// 2020): a 1-layer generator sharing the backbone's embeddings fills the masked positions
    /// with its samples, and the backbone learns for every token whether it was replaced.
    std::string objective = "mlm";
    /// A Hugging Face BERT folder to continue pre-training (domain- or task-adaptive
    /// pre-training, Gururangan et al. 2020): its vocabulary, shape and weights are kept, the
    /// corpus is the asked text, the preset gives steps, batch and sequence length. The MLM head
    /// starts fresh unless the folder holds BERT's cls.predictions.* tensors. Empty: a new model.
    std::string initFrom;
    /// Peak learning rate; 0: the preset's, or a tenth of it when continuing from initFrom.
    double learningRate = 0;
};

struct PretrainProgress {
    int64_t step = 0, totalSteps = 0;
    double loss = 0;          ///< MLM loss (ELECTRA: the generator's)
    double detectionLoss = 0; ///< ELECTRA's replaced-token loss (0 for MLM)
    double tokensPerSecond = 0, etaSeconds = 0;
};

struct PretrainResult {
    int64_t steps = 0, tokensSeen = 0, corpusTokens = 0, vocabSize = 0;
    double finalLoss = 0; ///< mean MLM loss over the last 50 steps (ELECTRA: the generator's)
    double finalDetectionLoss = 0; ///< ELECTRA: mean replaced-token loss over the last 50 steps
    double seconds = 0;   ///< this session's training time
    double wordVectorSeconds = 0; ///< time to make the PPMI-SVD vectors (0 when not used)
    bool cancelled = false, resumed = false;
    std::string embeddingInit; ///< "ppmi-svd", "random", or "from DIR" when continued
    CorpusReport corpus;
};

/// Masks a batch for MLM. ids: [B, T] int64; special: [B, T] bool (never masked).
/// Each other token is chosen with probability `probability`; a chosen one becomes [MASK] 80%
/// of the time, a random token 10%, and stays 10%. Returns {inputs [B, T], labels [B, T]} with
/// label -100 where nothing is predicted. Draws from LibTorch's global generator.
std::pair<torch::Tensor, torch::Tensor> maskForMlm(const torch::Tensor& ids, const torch::Tensor& special,
                                                   int64_t maskId, int64_t vocabSize, double probability = 0.15);

/// Every problem of the options, by field ("out", "preset", "embedding_init", "objective",
/// "learning_rate", "init_from"; empty: they can run). Reads the initFrom folder's config and
/// vocabulary; writes nothing.
std::vector<FieldError> checkPretrainOptions(const PretrainOptions& options);

/// Builds (or reuses) corpus.txt and vocab.txt in outDir, pre-trains, and writes the HF folder.
/// Continues from outDir/pretrain-state.pt when one exists for the same preset and seed.
PretrainResult pretrainBackbone(const PretrainOptions& options,
                                const std::function<void(const PretrainProgress&)>& progress = {},
                                const std::atomic<bool>* cancel = nullptr);

} // namespace adapterlab::pretrain
