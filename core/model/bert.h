#pragma once
// BERT (post-LayerNorm) with Houlsby bottleneck adapters, parameter names as in Hugging Face.
#include "model/config.h"
#include "model/torch_modules.h"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace adapterlab::model {

/// Fills `t` from N(0, std²) truncated at ±2·std (std = 0 gives zeros).
void truncatedNormal_(torch::Tensor t, double std);

/// adapter(h) = h + W_up · GELU(W_down · h + b_down) + b_up.
class AdapterImpl : public torch::nn::Module {
public:
    AdapterImpl(int64_t hidden, const AdapterConfig& config);
    /// h: [B, T, d] -> [B, T, d]
    torch::Tensor forward(const torch::Tensor& h);
    /// Near-identity init: weights ~ truncated N(0, std²), biases 0.
    void resetParameters(double initStd);

    torch::nn::Linear down{nullptr}, up{nullptr};
};
TORCH_MODULE(Adapter);

/// One encoder layer: self-attention and feed-forward sub-layers, each followed by an optional
/// adapter (on the sub-layer output, before the residual add and LayerNorm).
class BertLayerImpl : public torch::nn::Module {
public:
    BertLayerImpl(const BertConfig& config, const std::optional<AdapterConfig>& adapter);
    /// x: [B, T, d], maskBias: [B, 1, 1, T] (0 keeps, very negative masks) -> [B, T, d].
    /// With queryRows = R > 0 only the first R positions attend and go through the feed-forward
    /// block (keys and values still come from all T): -> [B, R, d], equal to the first R rows of
    /// the full output, since everything after attention works row by row.
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& maskBias,
                          int64_t queryRows = 0);

    bool hasAdapters() const { return !attentionAdapter.is_empty(); }
    bool adaptersEnabled() const { return adaptersEnabled_; }
    void setAdaptersEnabled(bool on) { adaptersEnabled_ = on; }

    torch::nn::Linear query{nullptr}, key{nullptr}, value{nullptr}, attentionOut{nullptr};
    torch::nn::Linear intermediate{nullptr}, output{nullptr};
    torch::nn::LayerNorm attentionNorm{nullptr}, outputNorm{nullptr};
    torch::nn::Dropout hiddenDropout{nullptr}, attentionDropout{nullptr};
    Adapter attentionAdapter{nullptr}, outputAdapter{nullptr};

private:
    int64_t numHeads_, headDim_;
    bool adaptersEnabled_ = true;
};
TORCH_MODULE(BertLayer);

struct BertOutput {
    torch::Tensor sequence; ///< [B, T, d] last hidden state
    torch::Tensor pooled;   ///< [B, d] tanh pooler over [CLS] (or the masked mean, see Pooling)
    torch::Tensor logits;   ///< [B, numLabels]; undefined without a head
};

/// Embeddings + encoder + pooler (+ classifier). Names: "embeddings.word_embeddings.weight",
/// "encoder.layer.N.attention.output.adapter.down.weight", "classifier.bias", ...
class BertModelImpl : public torch::nn::Module {
public:
    BertModelImpl(const BertConfig& config, const std::optional<AdapterConfig>& adapter,
                  bool withHead);

    /// ids, typeIds, mask: [B, T] int64 -> sequence, pooled, logits
    BertOutput forward(const torch::Tensor& ids, const torch::Tensor& typeIds,
                       const torch::Tensor& mask);

    /// ids, typeIds: [B, T] -> [B, T, d] (embeddings + LayerNorm + dropout)
    torch::Tensor embed(const torch::Tensor& ids, const torch::Tensor& typeIds);
    /// mask: [B, T] of 0/1 -> additive bias [B, 1, 1, T] in the dtype of `like`
    static torch::Tensor maskBias(const torch::Tensor& mask, const torch::Tensor& like);
    /// The classifier's logits [B, numLabels] for ids, typeIds, mask [B, T]; the same function as
    /// forward(...).logits, but with [CLS] pooling the last layer computes only position 0 (its
    /// other outputs never reach the head): about 1/L less work in training and evaluation.
    torch::Tensor logits(const torch::Tensor& ids, const torch::Tensor& typeIds,
                         const torch::Tensor& mask);
    /// hidden [B, T, d] entering layer `from`, bias [B, 1, 1, T], mask [B, T] -> logits [B, C]:
    /// layers [from, L), the last one restricted as in logits(), then pooler and classifier.
    torch::Tensor logitsFrom(torch::Tensor hidden, const torch::Tensor& bias,
                             const torch::Tensor& mask, int64_t from);
    /// Runs layers [from, to) on hidden [B, T, d].
    torch::Tensor runLayers(torch::Tensor hidden, const torch::Tensor& bias, int64_t from,
                            int64_t to);
    /// sequence [B, T, d], mask [B, T] -> pooled [B, d]: tanh(W · [CLS]) or tanh(W · masked mean)
    torch::Tensor pool(const torch::Tensor& sequence, const torch::Tensor& mask);
    Pooling pooling() const { return pooling_; }
    void setPooling(Pooling p) { pooling_ = p; }
    /// pooled [B, d] -> logits [B, numLabels]
    torch::Tensor classify(const torch::Tensor& pooled);

    const BertConfig& config() const { return config_; }
    const std::optional<AdapterConfig>& adapterConfig() const { return adapterConfig_; }
    bool hasHead() const { return !classifier.is_empty(); }
    int64_t numLayers() const { return static_cast<int64_t>(layers.size()); }
    BertLayer layer(int64_t i) { return layers[static_cast<size_t>(i)]; }

    /// Switches the adapters of one layer (or all) off or on without touching weights.
    void setAdaptersEnabled(int64_t layer, bool on);
    void setAllAdaptersEnabled(bool on);

    /// Re-initialises the classifier (N(0, initializer_range²), bias 0).
    void resetHead();

    torch::nn::Embedding wordEmbeddings{nullptr}, positionEmbeddings{nullptr},
        tokenTypeEmbeddings{nullptr};
    torch::nn::LayerNorm embeddingNorm{nullptr};
    torch::nn::Dropout dropout{nullptr};
    std::vector<BertLayer> layers;
    torch::nn::Linear poolerDense{nullptr}, classifier{nullptr};

private:
    void checkIds(const torch::Tensor& ids) const; ///< [B, T] within the position table

    BertConfig config_;
    std::optional<AdapterConfig> adapterConfig_;
    Pooling pooling_ = Pooling::Cls;
};
TORCH_MODULE(BertModel);

} // namespace adapterlab::model
