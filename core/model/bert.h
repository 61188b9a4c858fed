#pragma once
// BERT-family encoders (post-LayerNorm; RoBERTa, XLM-R, ELECTRA, DistilBERT) with the modules of
// parameter-efficient methods (bottleneck adapters, LoRA, prefix, (IA)³); parameter names as in
// Hugging Face (and PEFT for LoRA and (IA)³).
#include "model/config.h"
#include "model/modules.h"
#include "model/torch_modules.h"

#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace adapterlab::model {

/// Fills `t` from N(0, std²) truncated at ±2·std (std = 0 gives zeros).
void truncatedNormal_(torch::Tensor t, double std);

/// A bottleneck: delta(x) = W_up · act(… act(W_down · norm(x) + b_down) …) + b_up, the norm and
/// the middle m×m layers only when configured. Houlsby's serial adapter is h + delta(h).
class AdapterImpl : public torch::nn::Module {
public:
    AdapterImpl(int64_t hidden, const AdapterConfig& config);
    /// h: [B, T, d] -> [B, T, d]: h + delta(h)
    torch::Tensor forward(const torch::Tensor& h);
    /// x: [B, T, d] -> [B, T, d]
    torch::Tensor delta(const torch::Tensor& x);
    /// Near-identity init: weights ~ truncated N(0, std²), biases 0.
    void resetParameters(double initStd);

    torch::nn::LayerNorm norm{nullptr};
    torch::nn::Linear down{nullptr}, up{nullptr};
    std::vector<torch::nn::Linear> mid;

private:
    Activation activation_;
};
TORCH_MODULE(Adapter);

/// LoRA factors of one projection: A [r, in] ~ Kaiming-uniform, B [out, r] = 0.
struct LoraFactors {
    torch::nn::Linear A{nullptr}, B{nullptr};
};

/// One encoder layer: self-attention and feed-forward sub-layers, with the method's modules:
/// adapters (Houlsby: on each sub-layer's output before the residual add and LayerNorm;
/// Pfeiffer: after the feed-forward block; parallel: beside the sub-layer), LoRA on chosen
/// projections, (IA)³ scalings of keys, values and the feed-forward activations, and a prefix of
/// keys and values (given by the model) that every query attends to.
class BertLayerImpl : public torch::nn::Module {
public:
    BertLayerImpl(const BertConfig& config, const MethodModules& modules);
    /// x: [B, T, d], maskBias: [B, 1, 1, T] (0 keeps, very negative masks) -> [B, T, d].
    /// With queryRows = R > 0 only the first R positions attend and go through the feed-forward
    /// block (keys and values still come from all T): -> [B, R, d], equal to the first R rows of
    /// the full output, since everything after attention works row by row.
    /// prefixKey, prefixValue: [l, d] or undefined; prepended to the keys and values (unmasked).
    torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& maskBias,
                          int64_t queryRows = 0, const torch::Tensor& prefixKey = {},
                          const torch::Tensor& prefixValue = {});

    /// The layer's method modules on or off (layer ablation), weights untouched.
    bool modulesEnabled() const { return enabled_; }
    void setModulesEnabled(bool on); ///< not while LoRA is merged
    /// Adds (merge) or subtracts (unmerge) scale·B·A into the base weights of LoRA targets.
    void mergeLora(bool merge);
    bool loraMerged() const { return loraMerged_; }

    torch::nn::Linear query{nullptr}, key{nullptr}, value{nullptr}, attentionOut{nullptr};
    torch::nn::Linear intermediate{nullptr}, output{nullptr};
    torch::nn::LayerNorm attentionNorm{nullptr}, outputNorm{nullptr};
    torch::nn::Dropout hiddenDropout{nullptr}, attentionDropout{nullptr}, loraDropout{nullptr};
    Adapter attentionAdapter{nullptr}, outputAdapter{nullptr};
    std::array<LoraFactors, kNumLoraTargets> lora; ///< by LoraTarget; empty where not a target
    torch::Tensor ia3Key, ia3Value, ia3Ffn;        ///< [d, 1], [d, 1], [1, f]; undefined without

private:
    torch::nn::Linear& projection(LoraTarget t);
    /// x: [B, n, in] -> [B, n, out]: the projection, plus its LoRA update when active
    torch::Tensor project(LoraTarget t, const torch::Tensor& x);

    MethodModules modules_;
    int64_t numHeads_, headDim_;
    bool enabled_ = true;
    bool loraMerged_ = false;
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
    BertModelImpl(const BertConfig& config, const MethodModules& modules, bool withHead);

    /// ids, typeIds, mask: [B, T] int64 -> sequence, pooled, logits
    BertOutput forward(const torch::Tensor& ids, const torch::Tensor& typeIds,
                       const torch::Tensor& mask);

    /// ids, typeIds: [B, T] -> [B, T, d] (embeddings + LayerNorm + dropout, ELECTRA's projection)
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
    /// Layer i on hidden [B, T, d] with its prefix (if any); see BertLayerImpl::forward.
    /// `prefix`: prefixStates() when the caller has it (computed here otherwise).
    torch::Tensor layerForward(int64_t i, const torch::Tensor& hidden, const torch::Tensor& bias,
                               int64_t queryRows = 0, const torch::Tensor& prefix = {});
    /// The prefix's keys and values for every layer: [l, 2·L, d] (layer i: key 2i, value 2i+1),
    /// through the reparameterisation MLP when the model has one; undefined without a prefix.
    torch::Tensor prefixStates();
    /// Runs layers [from, to) on hidden [B, T, d].
    torch::Tensor runLayers(torch::Tensor hidden, const torch::Tensor& bias, int64_t from,
                            int64_t to, const torch::Tensor& prefix = {});
    /// sequence [B, T, d], mask [B, T] -> pooled [B, d]: the first token's state or the masked
    /// mean, through BERT's pooler (tanh(W · v)) in the BERT family
    torch::Tensor pool(const torch::Tensor& sequence, const torch::Tensor& mask);
    Pooling pooling() const { return pooling_; }
    void setPooling(Pooling p) { pooling_ = p; }
    /// pooled [B, d] -> logits [B, numLabels] through the family's head (model/family.h)
    torch::Tensor classify(const torch::Tensor& pooled);

    const BertConfig& config() const { return config_; }
    const MethodModules& modules() const { return modules_; }
    const std::optional<AdapterConfig>& adapterConfig() const { return modules_.adapter; }
    /// Whether a layer carries modules that layer ablation can switch off.
    bool hasLayerModules() const {
        return modules_.adapter || modules_.lora || modules_.prefix || modules_.ia3;
    }
    bool hasHead() const { return !classifier.is_empty(); }
    int64_t numLayers() const { return static_cast<int64_t>(layers.size()); }
    /// First token's position: the prefix length with PrefixConfig::shiftPositions, else 0.
    int64_t positionOffset() const;
    BertLayer layer(int64_t i) { return layers[static_cast<size_t>(i)]; }

    /// Switches the method's modules of one layer (or all) off or on without touching weights:
    /// its adapters, LoRA updates, (IA)³ scalings and its part of the prefix.
    void setModulesEnabled(int64_t layer, bool on);
    void setAllModulesEnabled(bool on);
    /// LoRA merged into the base weights (inference) or kept apart (training, ablation).
    void mergeLora(bool merge);

    /// Re-initialises the head (N(0, initializer_range²), bias 0).
    void resetHead();

    torch::nn::Embedding wordEmbeddings{nullptr}, positionEmbeddings{nullptr},
        tokenTypeEmbeddings{nullptr}; ///< no token types in DistilBERT
    torch::nn::LayerNorm embeddingNorm{nullptr};
    torch::nn::Linear embeddingProject{nullptr}; ///< ELECTRA with embedding_size != hidden_size
    torch::nn::Dropout dropout{nullptr}, headDropout{nullptr};
    std::vector<BertLayer> layers;
    torch::nn::Linear poolerDense{nullptr}; ///< BERT's pooler (none in the other families)
    /// The head: the layer before the last (RoBERTa/ELECTRA classifier.dense, DistilBERT
    /// pre_classifier; none in BERT) and the last (classifier, classifier.out_proj).
    torch::nn::Linear headDense{nullptr}, classifier{nullptr};
    /// Prefix: "prefix_encoder.embedding.weight" [l, d] (+ transform.0/2) or folded [l, 2·L·d].
    torch::Tensor prefixEmbedding;
    torch::nn::Linear prefixIn{nullptr},
        prefixOut{nullptr}; ///< transform.0, transform.2 (tanh between)

private:
    void checkIds(const torch::Tensor& ids) const; ///< [B, T] within the position table
    /// ids [B, T] -> position ids [1 or B, T] by the family's scheme, after positionOffset()
    torch::Tensor positionIds(const torch::Tensor& ids) const;
    static void sinusoidalTable_(torch::Tensor table); ///< [P, d] filled in place

    BertConfig config_;
    MethodModules modules_;
    Pooling pooling_ = Pooling::Cls;
};
TORCH_MODULE(BertModel);

} // namespace adapterlab::model
