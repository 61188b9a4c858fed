#pragma once
// Hugging Face encoder folders (every family of model/family.h): config.json + model.safetensors (+
// vocab.txt), read and written.
#include "model/bert.h"
#include "model/checkpoint.h"
#include "model/param_spec.h"
#include "model/safetensors.h"

#include <string>
#include <vector>

namespace adapterlab::model {

struct HfModelFiles {
    std::string config;  ///< config.json
    std::string
        weights; ///< model.safetensors, pytorch_model.bin or a sharded index (weightsFileIn)
    std::string vocab;   ///< vocab.txt (WordPiece; other tokenizers: text/tokenizer_files.h)
    std::string dir;     ///< the folder (a Hub spec's cached snapshot)

    /// The standard file names inside `dir`, a folder or "hf:ID[@REV]" (its snapshot in the
    /// Hugging Face cache, downloaded on first use); throws Error when the folder or a file is
    /// missing (the tokenizer's files, text/tokenizer_files.h, only when requireTokenizer).
    static HfModelFiles inDirectory(const std::string& dir, bool requireTokenizer = false);
};

struct ImportReport {
    bool headLoaded = false;            ///< classifier.* found and loaded
    std::vector<std::string> unused;    ///< tensors in the file the model does not use
};

/// Copies the file's tensors into the model (the family's Hugging Face names, or ours; LayerNorm
/// gamma/beta accepted). Adapters are never read from a backbone file. A missing backbone tensor
/// or a shape mismatch throws Error naming the tensor; a missing classifier keeps its fresh init.
/// With loadHead false the classifier is never read (a new task gets a fresh head).
ImportReport loadHfWeights(BertModel& model, const Checkpoint& file, bool loadHead = true);

/// Builds a model from the folder's config and loads its weights.
BertModel loadHfModel(const HfModelFiles& files, const MethodModules& modules, bool withHead,
                      ImportReport* report = nullptr);

/// Writes config.json and model.safetensors (backbone and classifier, no adapters) into dir.
void saveHfModel(BertModel& model, const std::string& dir);

} // namespace adapterlab::model
