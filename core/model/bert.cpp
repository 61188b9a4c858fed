#include "model/bert.h"

#include <torch/nn/functional/activation.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace adapterlab::model {
namespace {

using torch::nn::Module;

// An empty module that only names a level of the Hugging Face hierarchy.
std::shared_ptr<Module> container(Module& parent, const std::string& name) {
    return parent.register_module(name, std::make_shared<Module>());
}

torch::nn::Linear linear(Module& parent, const std::string& name, int64_t in, int64_t out) {
    return parent.register_module(name, torch::nn::Linear(in, out));
}

torch::nn::LayerNorm layerNorm(Module& parent, int64_t d, double eps) {
    return parent.register_module(
        "LayerNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}).eps(eps)));
}

// BERT's own init: weights N(0, range²), biases 0, LayerNorm (1, 0).
void initLinear(torch::nn::Linear& l, double range) {
    torch::NoGradGuard guard;
    l->weight.normal_(0.0, range);
    l->bias.zero_();
}

} // namespace

void truncatedNormal_(torch::Tensor t, double std) {
    torch::NoGradGuard guard;
    if (std == 0.0) {
        t.zero_();
        return;
    }
    // Inverse-CDF sampling restricted to [-2, 2] standard deviations.
    const double lo = 0.5 * (1.0 + std::erf(-2.0 / std::sqrt(2.0)));
    const double hi = 0.5 * (1.0 + std::erf(2.0 / std::sqrt(2.0)));
    t.uniform_(2 * lo - 1, 2 * hi - 1);
    t.erfinv_();
    t.mul_(std * std::sqrt(2.0));
    t.clamp_(-2 * std, 2 * std);
}

AdapterImpl::AdapterImpl(int64_t hidden, const AdapterConfig& config) {
    down = register_module("down", torch::nn::Linear(hidden, config.size));
    up = register_module("up", torch::nn::Linear(config.size, hidden));
    resetParameters(config.initStd);
}

void AdapterImpl::resetParameters(double initStd) {
    torch::NoGradGuard guard;
    truncatedNormal_(down->weight, initStd);
    truncatedNormal_(up->weight, initStd);
    down->bias.zero_();
    up->bias.zero_();
}

torch::Tensor AdapterImpl::forward(const torch::Tensor& h) {
    return h + up(torch::gelu(down(h)));
}

BertLayerImpl::BertLayerImpl(const BertConfig& c, const std::optional<AdapterConfig>& adapter)
    : numHeads_(c.numHeads), headDim_(c.headDim()) {
    const int64_t d = c.hiddenSize;
    auto attention = container(*this, "attention");
    auto self = container(*attention, "self");
    query = linear(*self, "query", d, d);
    key = linear(*self, "key", d, d);
    value = linear(*self, "value", d, d);
    auto attnOutput = container(*attention, "output");
    attentionOut = linear(*attnOutput, "dense", d, d);
    if (adapter) attentionAdapter = attnOutput->register_module("adapter", Adapter(d, *adapter));
    attentionNorm = layerNorm(*attnOutput, d, c.layerNormEps);
    auto inter = container(*this, "intermediate");
    intermediate = linear(*inter, "dense", d, c.intermediateSize);
    auto out = container(*this, "output");
    output = linear(*out, "dense", c.intermediateSize, d);
    if (adapter) outputAdapter = out->register_module("adapter", Adapter(d, *adapter));
    outputNorm = layerNorm(*out, d, c.layerNormEps);
    hiddenDropout = register_module("hidden_dropout", torch::nn::Dropout(c.hiddenDropout));
    attentionDropout = register_module("attention_dropout", torch::nn::Dropout(c.attentionDropout));
    for (auto* l : {&query, &key, &value, &attentionOut, &intermediate, &output})
        initLinear(*l, c.initializerRange);
}

torch::Tensor BertLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& maskBias,
                                     int64_t queryRows) {
    const int64_t B = x.size(0), T = x.size(1), d = x.size(2);
    const int64_t R = queryRows > 0 ? std::min(queryRows, T) : T;
    const auto xq = R == T ? x : x.narrow(1, 0, R); // [B, R, d]: the rows that attend
    // [B, n, d] -> [B, H, n, dh]
    const auto heads = [&](const torch::Tensor& t, int64_t n) {
        return t.view({B, n, numHeads_, headDim_}).transpose(1, 2);
    };
    const auto q = heads(query(xq), R);
    const auto k = heads(key(x), T);
    const auto v = heads(value(x), T);
    auto scores = torch::matmul(q, k.transpose(-1, -2)).div_(std::sqrt(static_cast<double>(headDim_)));
    scores = scores + maskBias;                                      // [B, H, R, T]
    const auto probs = attentionDropout(torch::softmax(scores, -1)); // [B, H, R, T]
    const auto context = torch::matmul(probs, v).transpose(1, 2).reshape({B, R, d});
    auto h = hiddenDropout(attentionOut(context));
    if (hasAdapters() && adaptersEnabled_) h = attentionAdapter(h);
    const auto a = attentionNorm(h + xq);

    auto f = hiddenDropout(output(torch::gelu(intermediate(a))));
    if (hasAdapters() && adaptersEnabled_) f = outputAdapter(f);
    return outputNorm(f + a); // [B, R, d]
}

BertModelImpl::BertModelImpl(const BertConfig& c, const std::optional<AdapterConfig>& adapter,
                             bool withHead)
    : config_(c), adapterConfig_(adapter) {
    c.validate();
    if (adapter) adapter->validate();
    const int64_t d = c.hiddenSize;
    auto emb = container(*this, "embeddings");
    wordEmbeddings = emb->register_module("word_embeddings", torch::nn::Embedding(c.vocabSize, d));
    positionEmbeddings =
        emb->register_module("position_embeddings", torch::nn::Embedding(c.maxPositions, d));
    tokenTypeEmbeddings =
        emb->register_module("token_type_embeddings", torch::nn::Embedding(c.typeVocabSize, d));
    embeddingNorm = layerNorm(*emb, d, c.layerNormEps);
    dropout = register_module("dropout", torch::nn::Dropout(c.hiddenDropout));
    {
        torch::NoGradGuard guard;
        for (auto* e : {&wordEmbeddings, &positionEmbeddings, &tokenTypeEmbeddings})
            (*e)->weight.normal_(0.0, c.initializerRange);
    }
    auto encoder = container(*this, "encoder");
    auto list = encoder->register_module("layer", torch::nn::ModuleList());
    for (int64_t i = 0; i < c.numLayers; ++i) {
        layers.emplace_back(c, adapter);
        list->push_back(layers.back());
    }
    auto pooler = container(*this, "pooler");
    poolerDense = linear(*pooler, "dense", d, d);
    initLinear(poolerDense, c.initializerRange);
    if (withHead) {
        classifier = register_module("classifier", torch::nn::Linear(d, c.numLabels()));
        resetHead();
    }
}

void BertModelImpl::resetHead() {
    if (hasHead()) initLinear(classifier, config_.initializerRange);
}

torch::Tensor BertModelImpl::maskBias(const torch::Tensor& mask, const torch::Tensor& like) {
    // [B, T] -> [B, 1, 1, T]: 0 where attended, the dtype's lowest value at padding.
    const double lowest = like.scalar_type() == torch::kHalf ? -65504.0
                          : like.scalar_type() == torch::kBFloat16
                              ? -3.38e38
                              : static_cast<double>(std::numeric_limits<float>::lowest());
    return (1.0 - mask.to(like.scalar_type())).mul(lowest).unsqueeze(1).unsqueeze(2);
}

torch::Tensor BertModelImpl::embed(const torch::Tensor& ids, const torch::Tensor& typeIds) {
    const int64_t T = ids.size(1);
    const auto positions = torch::arange(T, ids.options()).unsqueeze(0); // [1, T]
    auto e = wordEmbeddings(ids) + positionEmbeddings(positions) + tokenTypeEmbeddings(typeIds);
    return dropout(embeddingNorm(e)); // [B, T, d]
}

torch::Tensor BertModelImpl::runLayers(torch::Tensor hidden, const torch::Tensor& bias,
                                       int64_t from, int64_t to) {
    for (int64_t i = from; i < to; ++i) hidden = layers[static_cast<size_t>(i)]->forward(hidden, bias);
    return hidden;
}

void BertModelImpl::checkIds(const torch::Tensor& ids) const {
    TORCH_CHECK(ids.dim() == 2, "input ids must be [batch, time]");
    TORCH_CHECK(ids.size(1) <= config_.maxPositions, "sequence of ", ids.size(1),
                " tokens exceeds the model's ", config_.maxPositions, " positions");
}

torch::Tensor BertModelImpl::logits(const torch::Tensor& ids, const torch::Tensor& typeIds,
                                    const torch::Tensor& mask) {
    TORCH_CHECK(hasHead(), "logits need a classifier head");
    checkIds(ids);
    const auto hidden = embed(ids, typeIds);
    return logitsFrom(hidden, maskBias(mask, hidden), mask, 0);
}

torch::Tensor BertModelImpl::logitsFrom(torch::Tensor hidden, const torch::Tensor& bias,
                                        const torch::Tensor& mask, int64_t from) {
    const int64_t L = numLayers();
    TORCH_CHECK(from >= 0 && from < L, "logitsFrom: layer ", from, " is outside [0, ", L, ")");
    hidden = runLayers(std::move(hidden), bias, from, L - 1);
    // Mean pooling reads every position, [CLS] pooling only position 0.
    hidden = layers.back()->forward(hidden, bias, pooling_ == Pooling::Cls ? 1 : 0);
    return classify(pool(hidden, mask));
}

torch::Tensor BertModelImpl::pool(const torch::Tensor& sequence, const torch::Tensor& mask) {
    if (pooling_ == Pooling::Cls) return torch::tanh(poolerDense(sequence.select(1, 0))); // [B, d]
    const auto m = mask.to(sequence.scalar_type()).unsqueeze(-1);                         // [B, T, 1]
    const auto mean = (sequence * m).sum(1) / m.sum(1).clamp_min(1.0);                    // [B, d]
    return torch::tanh(poolerDense(mean));
}

torch::Tensor BertModelImpl::classify(const torch::Tensor& pooled) {
    return classifier(dropout(pooled)); // [B, numLabels]
}

BertOutput BertModelImpl::forward(const torch::Tensor& ids, const torch::Tensor& typeIds,
                                  const torch::Tensor& mask) {
    checkIds(ids);
    BertOutput out;
    auto hidden = embed(ids, typeIds);
    out.sequence = runLayers(hidden, maskBias(mask, hidden), 0, numLayers());
    out.pooled = pool(out.sequence, mask);
    if (hasHead()) out.logits = classify(out.pooled);
    return out;
}

void BertModelImpl::setAdaptersEnabled(int64_t layer, bool on) {
    layers.at(static_cast<size_t>(layer))->setAdaptersEnabled(on);
}

void BertModelImpl::setAllAdaptersEnabled(bool on) {
    for (auto& l : layers) l->setAdaptersEnabled(on);
}

} // namespace adapterlab::model
