#include "data/batching.h"

#include <ATen/Functions.h>

#include <algorithm>
#include <numeric>
#include <random>

namespace adapterlab::data {

EncodedSplit encodeSplit(const Split& split, const text::TextTokenizer& tokenizer, int maxLength) {
    EncodedSplit out;
    out.encodings.reserve(split.examples.size());
    for (const auto& e : split.examples) {
        out.encodings.push_back(e.pair ? tokenizer.encode(e.text, std::string_view(*e.pair), maxLength)
                                       : tokenizer.encode(e.text, std::nullopt, maxLength));
        out.labels.push_back(e.label);
        out.targets.push_back(e.target);
    }
    return out;
}

std::vector<std::vector<size_t>> makeBatches(const EncodedSplit& split, size_t batchSize,
                                             bool shuffle, uint64_t seed, size_t poolBatches) {
    std::vector<size_t> idx(split.size());
    std::iota(idx.begin(), idx.end(), 0);
    const auto len = [&](size_t i) { return split.encodings[i].inputIds.size(); };
    const auto byLength = [&](size_t a, size_t b) { return len(a) < len(b) || (len(a) == len(b) && a < b); };
    std::mt19937_64 rng(seed);
    if (shuffle) {
        std::shuffle(idx.begin(), idx.end(), rng);
        const size_t pool = batchSize * poolBatches;
        for (size_t start = 0; start < idx.size(); start += pool)
            std::sort(idx.begin() + static_cast<long>(start),
                      idx.begin() + static_cast<long>(std::min(idx.size(), start + pool)), byLength);
    } else {
        std::sort(idx.begin(), idx.end(), byLength);
    }
    std::vector<std::vector<size_t>> batches;
    for (size_t start = 0; start < idx.size(); start += batchSize)
        batches.emplace_back(idx.begin() + static_cast<long>(start),
                             idx.begin() + static_cast<long>(std::min(idx.size(), start + batchSize)));
    if (shuffle) std::shuffle(batches.begin(), batches.end(), rng);
    return batches;
}

namespace {

// B encodings, the i-th from get(i), padded to the longest.
template <typename Get>
Batch collateImpl(size_t count, Get get, int64_t padId) {
    const auto B = static_cast<int64_t>(count);
    int64_t T = 0;
    for (size_t i = 0; i < count; ++i) T = std::max<int64_t>(T, static_cast<int64_t>(get(i).inputIds.size()));
    Batch b{at::full({B, T}, padId, at::kLong), at::zeros({B, T}, at::kLong), at::zeros({B, T}, at::kLong)};
    int64_t* ids = b.ids.data_ptr<int64_t>();
    int64_t* types = b.typeIds.data_ptr<int64_t>();
    int64_t* mask = b.mask.data_ptr<int64_t>();
    for (int64_t i = 0; i < B; ++i) {
        const text::Encoding& e = get(static_cast<size_t>(i));
        std::copy(e.inputIds.begin(), e.inputIds.end(), ids + i * T);
        std::copy(e.tokenTypeIds.begin(), e.tokenTypeIds.end(), types + i * T);
        std::copy(e.attentionMask.begin(), e.attentionMask.end(), mask + i * T);
    }
    return b;
}

} // namespace

Batch collate(const std::vector<text::Encoding>& encodings, int64_t padId) {
    return collateImpl(encodings.size(), [&](size_t i) -> const text::Encoding& { return encodings[i]; }, padId);
}

Batch collate(const EncodedSplit& split, const std::vector<size_t>& indices, int64_t padId) {
    return collateImpl(indices.size(), [&](size_t i) -> const text::Encoding& { return split.encodings[indices[i]]; }, padId);
}

} // namespace adapterlab::data
