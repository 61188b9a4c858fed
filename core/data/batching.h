#pragma once
// Tokenized splits, length-bucketed batches and dynamic padding (pad to the batch's longest).
#include "data/task_data.h"
#include "text/text_tokenizer.h"

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace adapterlab::data {

struct EncodedSplit {
    std::vector<text::Encoding> encodings;
    std::vector<int64_t> labels;  ///< class ids (classification)
    std::vector<float> targets;   ///< regression targets
    size_t size() const { return encodings.size(); }
};

EncodedSplit encodeSplit(const Split& split, const text::TextTokenizer& tokenizer, int maxLength);

/// Batches of example indices. Training (shuffle): indices are shuffled with the seed, grouped in
/// pools of `poolBatches` batches, sorted by length inside each pool so batches hold similar
/// lengths, and the batch order is shuffled. Evaluation (no shuffle): sorted by length.
std::vector<std::vector<size_t>> makeBatches(const EncodedSplit& split, size_t batchSize,
                                             bool shuffle, uint64_t seed, size_t poolBatches = 50);

/// [B, T] int64 tensors on the CPU, T = the longest encoding in the batch.
struct Batch {
    at::Tensor ids, typeIds, mask;
};
Batch collate(const std::vector<text::Encoding>& encodings, int64_t padId);
Batch collate(const EncodedSplit& split, const std::vector<size_t>& indices, int64_t padId);

} // namespace adapterlab::data
