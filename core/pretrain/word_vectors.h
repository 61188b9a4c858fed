#pragma once
// Word vectors from the pre-training corpus, to start the embeddings of a small BERT from
// distributional similarity instead of noise: positive pointwise mutual information (PPMI) of
// co-occurrence counts in a window, factorised by a randomized truncated SVD (Levy & Goldberg
// 2014; Halko et al. 2011). Seconds of compute against the minutes MLM needs to learn the same.
#include "model/torch_modules.h"

#include <cstdint>
#include <vector>

namespace adapterlab::pretrain {

struct WordVectorOptions {
    int window = 4;               ///< neighbours on each side, weighted 1/distance
    double contextPower = 0.75;   ///< context-distribution smoothing of the PMI
    int64_t minCount = 5;         ///< rarer tokens keep their random vector
    int oversample = 32, powerIterations = 3;
    uint64_t seed = 1;
};

struct WordVectors {
    torch::Tensor vectors; ///< [V, dim] float, U·sqrt(S) of the PPMI matrix
    torch::Tensor known;   ///< [V] bool: token seen at least minCount times
    std::vector<double> singularValues;
};

/// stream: the corpus as token ids in [0, vocab). Needs V² floats of memory (256 MB at 8k).
WordVectors ppmiSvdVectors(const std::vector<int64_t>& stream, int64_t vocab, int64_t dim,
                           const WordVectorOptions& options = {});

/// Copies the known rows of `vectors` into `embeddings` ([V, d]), rescaled so that their
/// standard deviation equals `std` (the model's initializer range); unknown rows stay as they are.
void initEmbeddings(torch::Tensor embeddings, const WordVectors& vectors, double std);

} // namespace adapterlab::pretrain
