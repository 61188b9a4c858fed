#pragma once
// The modules pre-training trains beside the backbone: BERT's MLM head, and ELECTRA's generator
// body and replaced-token detector.
#include "model/bert.h"
#include "model/checkpoint.h"
#include "model/torch_modules.h"

#include <vector>

namespace adapterlab::pretrain {

/// BERT's MLM head: transform (dense, GELU, LayerNorm), decoder tied to the word embeddings.
/// Parameters: dense.weight, dense.bias, LayerNorm.weight, LayerNorm.bias, bias.
struct MlmHeadImpl : torch::nn::Module {
    MlmHeadImpl(int64_t d, int64_t vocab, double eps, double initRange);
    /// h: [N, d], embeddings: [V, d] -> logits [N, V]
    torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& embeddings);
    torch::nn::Linear dense{nullptr};
    torch::nn::LayerNorm norm{nullptr};
    torch::Tensor bias;
};
TORCH_MODULE(MlmHead);

/// BERT checkpoints keep their MLM head as cls.predictions.*; a continued pre-training takes
/// the tensors that are there and fit (the decoder is tied to the word embeddings, so only these
/// remain); the others keep their fresh values.
void loadMlmHead(MlmHead& head, const model::Checkpoint& file);

/// ELECTRA's generator body: encoder layers over the discriminator's own embeddings (shared, as
/// in the paper), so it needs the same width; it is kept weak by depth (1 layer of L).
struct GeneratorImpl : torch::nn::Module {
    GeneratorImpl(const model::BertConfig& cfg, int64_t numLayers);
    /// hidden [B, T, d], bias [B, 1, 1, T] -> [B, T, d]
    torch::Tensor forward(torch::Tensor hidden, const torch::Tensor& bias);
    std::vector<model::BertLayer> layers;
};
TORCH_MODULE(Generator);

/// ELECTRA's discriminator head: dense, GELU, one logit per token ("was this token replaced?").
struct DetectorImpl : torch::nn::Module {
    DetectorImpl(int64_t d, double initRange);
    /// h: [B, T, d] -> logits [B, T]
    torch::Tensor forward(const torch::Tensor& h);
    torch::nn::Linear dense{nullptr}, out{nullptr};
};
TORCH_MODULE(Detector);

} // namespace adapterlab::pretrain
