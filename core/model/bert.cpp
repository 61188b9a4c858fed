#include "model/bert.h"

#include "model/param_spec.h"

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

AdapterImpl::AdapterImpl(int64_t hidden, const AdapterConfig& config)
    : activation_(config.activation) {
    if (config.innerNorm)
        norm = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({hidden})));
    down = register_module("down", torch::nn::Linear(hidden, config.size));
    if (config.hiddenLayers > 1) {
        auto list = register_module("mid", torch::nn::ModuleList());
        for (int i = 1; i < config.hiddenLayers; ++i) {
            mid.emplace_back(config.size, config.size);
            list->push_back(mid.back());
        }
    }
    up = register_module("up", torch::nn::Linear(config.size, hidden));
    resetParameters(config.initStd);
}

void AdapterImpl::resetParameters(double initStd) {
    torch::NoGradGuard guard;
    truncatedNormal_(down->weight, initStd);
    for (auto& l : mid)
        truncatedNormal_(l->weight, initStd);
    truncatedNormal_(up->weight, initStd);
    down->bias.zero_();
    for (auto& l : mid)
        l->bias.zero_();
    up->bias.zero_();
}

torch::Tensor AdapterImpl::delta(const torch::Tensor& x) {
    const auto act = [&](const torch::Tensor& t) {
        switch (activation_) {
        case Activation::Relu:
            return torch::relu(t);
        case Activation::Tanh:
            return torch::tanh(t);
        case Activation::Swish:
            return torch::silu(t);
        case Activation::Gelu:
            break;
        }
        return torch::gelu(t);
    };
    auto h = act(down(norm.is_empty() ? x : norm(x)));
    for (auto& l : mid)
        h = act(l(h));
    return up(h);
}

torch::Tensor AdapterImpl::forward(const torch::Tensor& h) {
    return h + delta(h);
}

BertLayerImpl::BertLayerImpl(const BertConfig& c, const MethodModules& mods)
    : modules_(mods), numHeads_(c.numHeads), headDim_(c.headDim()) {
    const int64_t d = c.hiddenSize;
    const auto& ad = mods.adapter;
    auto attention = container(*this, "attention");
    auto self = container(*attention, "self");
    query = linear(*self, "query", d, d);
    key = linear(*self, "key", d, d);
    value = linear(*self, "value", d, d);
    auto attnOutput = container(*attention, "output");
    attentionOut = linear(*attnOutput, "dense", d, d);
    if (ad && ad->atAttention())
        attentionAdapter = attnOutput->register_module("adapter", Adapter(d, *ad));
    attentionNorm = layerNorm(*attnOutput, d, c.layerNormEps);
    auto inter = container(*this, "intermediate");
    intermediate = linear(*inter, "dense", d, c.intermediateSize);
    auto out = container(*this, "output");
    output = linear(*out, "dense", c.intermediateSize, d);
    if (ad && ad->atFeedForward()) outputAdapter = out->register_module("adapter", Adapter(d, *ad));
    outputNorm = layerNorm(*out, d, c.layerNormEps);
    hiddenDropout = register_module("hidden_dropout", torch::nn::Dropout(c.hiddenDropout));
    attentionDropout = register_module("attention_dropout", torch::nn::Dropout(c.attentionDropout));
    for (auto* l : {&query, &key, &value, &attentionOut, &intermediate, &output})
        initLinear(*l, c.initializerRange);
    if (mods.ia3) { // PEFT's shapes: [out, 1] scaling a projection's output, [1, in] its input
        ia3Key = key->register_parameter("ia3_l", torch::ones({d, 1}));
        ia3Value = value->register_parameter("ia3_l", torch::ones({d, 1}));
        ia3Ffn = output->register_parameter("ia3_l", torch::ones({1, c.intermediateSize}));
    }
    if (mods.lora) {
        loraDropout = register_module("lora_dropout", torch::nn::Dropout(mods.lora->dropout));
        for (int t = 0; t < kNumLoraTargets; ++t) {
            const auto target = static_cast<LoraTarget>(t);
            if (!mods.lora->hasTarget(target)) continue;
            const auto [in, outWidth] = loraTargetShape(c, target);
            auto& base = projection(target);
            auto& f = lora[static_cast<size_t>(t)];
            // Linear's own init is PEFT's for A: Kaiming-uniform with a = sqrt(5).
            f.A = base->register_module(
                "lora_A",
                torch::nn::Linear(torch::nn::LinearOptions(in, mods.lora->rank).bias(false)));
            f.B = base->register_module(
                "lora_B",
                torch::nn::Linear(torch::nn::LinearOptions(mods.lora->rank, outWidth).bias(false)));
            torch::NoGradGuard guard;
            f.B->weight.zero_();
        }
    }
}

torch::nn::Linear& BertLayerImpl::projection(LoraTarget t) {
    switch (t) {
    case LoraTarget::Query:
        return query;
    case LoraTarget::Key:
        return key;
    case LoraTarget::Value:
        return value;
    case LoraTarget::AttentionOutput:
        return attentionOut;
    case LoraTarget::Intermediate:
        return intermediate;
    case LoraTarget::Output:
        break;
    }
    return output;
}

torch::Tensor BertLayerImpl::project(LoraTarget t, const torch::Tensor& x) {
    auto y = projection(t)(x);
    auto& f = lora[static_cast<size_t>(t)];
    if (f.A.is_empty() || !enabled_ || loraMerged_) return y;
    const auto in = modules_.lora->dropout > 0 ? loraDropout(x) : x;
    return y + f.B(f.A(in)).mul(modules_.lora->scale());
}

void BertLayerImpl::setModulesEnabled(bool on) {
    TORCH_CHECK(on || !loraMerged_, "unmerge LoRA before switching a layer's modules off");
    enabled_ = on;
}

void BertLayerImpl::mergeLora(bool merge) {
    if (!modules_.lora || merge == loraMerged_) return;
    TORCH_CHECK(enabled_, "switch a layer's modules on before merging its LoRA");
    torch::NoGradGuard guard;
    for (int t = 0; t < kNumLoraTargets; ++t) {
        const auto& f = lora[static_cast<size_t>(t)];
        if (f.A.is_empty()) continue;
        const auto update =
            torch::matmul(f.B->weight, f.A->weight).mul(modules_.lora->scale()); // [out, in]
        auto& w = projection(static_cast<LoraTarget>(t))->weight;
        if (merge)
            w.add_(update);
        else
            w.sub_(update);
    }
    loraMerged_ = merge;
}

torch::Tensor BertLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& maskBias,
                                     int64_t queryRows, const torch::Tensor& prefixKey,
                                     const torch::Tensor& prefixValue) {
    const int64_t B = x.size(0), T = x.size(1), d = x.size(2);
    const int64_t R = queryRows > 0 ? std::min(queryRows, T) : T;
    const bool on = enabled_;
    const auto xq = R == T ? x : x.narrow(1, 0, R); // [B, R, d]: the rows that attend
    // [B, n, d] -> [B, H, n, dh]
    const auto heads = [&](const torch::Tensor& t, int64_t n) {
        return t.view({B, n, numHeads_, headDim_}).transpose(1, 2);
    };
    auto kx = project(LoraTarget::Key, x);   // [B, T, d]
    auto vx = project(LoraTarget::Value, x); // [B, T, d]
    if (ia3Key.defined() && on) {
        kx = kx * ia3Key.view({d});
        vx = vx * ia3Value.view({d});
    }
    auto bias = maskBias;
    int64_t S = T; // attended positions: the prefix's, then the sequence's
    if (prefixKey.defined() && on && prefixKey.size(0) > 0) {
        const int64_t l = prefixKey.size(0);
        kx = torch::cat({prefixKey.unsqueeze(0).expand({B, l, d}).to(kx.scalar_type()), kx}, 1);
        vx = torch::cat({prefixValue.unsqueeze(0).expand({B, l, d}).to(vx.scalar_type()), vx}, 1);
        bias = torch::cat({maskBias.new_zeros({maskBias.size(0), 1, 1, l}), maskBias}, -1);
        S += l;
    }
    const auto q = heads(project(LoraTarget::Query, xq), R);
    const auto k = heads(kx, S);
    const auto v = heads(vx, S);
    auto scores = torch::matmul(q, k.transpose(-1, -2)).div_(std::sqrt(static_cast<double>(headDim_)));
    scores = scores + bias;                                          // [B, H, R, S]
    const auto probs = attentionDropout(torch::softmax(scores, -1)); // [B, H, R, S]
    const auto context = torch::matmul(probs, v).transpose(1, 2).reshape({B, R, d});
    const auto& ad = modules_.adapter;
    const bool parallel = ad && ad->style == AdapterStyle::Parallel;
    const auto scaled = [&](torch::Tensor t) {
        return ad->scaling == 1.0 ? t : t.mul(ad->scaling);
    };
    auto h = hiddenDropout(project(LoraTarget::AttentionOutput, context));
    if (!attentionAdapter.is_empty() && on)
        h = parallel ? h + scaled(attentionAdapter->delta(xq))
                     : h + scaled(attentionAdapter->delta(h));
    const auto a = attentionNorm(h + xq);

    auto inner = torch::gelu(project(LoraTarget::Intermediate, a)); // [B, R, f]
    if (ia3Ffn.defined() && on) inner = inner * ia3Ffn.view({-1});
    auto f = hiddenDropout(project(LoraTarget::Output, inner));
    if (!outputAdapter.is_empty() && on) {
        if (parallel)
            f = f + scaled(outputAdapter->delta(a));
        else if (ad->style == AdapterStyle::Pfeiffer)
            f = f + scaled(outputAdapter->delta(outputNorm(f + a)));
        else
            f = f + scaled(outputAdapter->delta(f));
    }
    return outputNorm(f + a); // [B, R, d]
}

BertModelImpl::BertModelImpl(const BertConfig& c, const MethodModules& modules, bool withHead)
    : config_(c), modules_(modules) {
    c.validate();
    modules.validate();
    const int64_t d = c.hiddenSize, e = c.embeddingDim();
    auto emb = container(*this, "embeddings");
    wordEmbeddings = emb->register_module("word_embeddings", torch::nn::Embedding(c.vocabSize, e));
    positionEmbeddings =
        emb->register_module("position_embeddings", torch::nn::Embedding(c.maxPositions, e));
    if (c.typeVocabSize > 0)
        tokenTypeEmbeddings =
            emb->register_module("token_type_embeddings", torch::nn::Embedding(c.typeVocabSize, e));
    embeddingNorm = layerNorm(*emb, e, c.layerNormEps);
    dropout = register_module("dropout", torch::nn::Dropout(c.hiddenDropout));
    {
        torch::NoGradGuard guard;
        for (auto* t : {&wordEmbeddings, &positionEmbeddings, &tokenTypeEmbeddings})
            if (!t->is_empty()) (*t)->weight.normal_(0.0, c.initializerRange);
        if (c.sinusoidalPositions) sinusoidalTable_(positionEmbeddings->weight);
    }
    if (e != d) {
        embeddingProject = linear(*this, "embeddings_project", e, d);
        initLinear(embeddingProject, c.initializerRange);
    }
    auto encoder = container(*this, "encoder");
    auto list = encoder->register_module("layer", torch::nn::ModuleList());
    for (int64_t i = 0; i < c.numLayers; ++i) {
        layers.emplace_back(c, modules);
        list->push_back(layers.back());
    }
    if (const auto& pre = modules.prefix) {
        auto enc = container(*this, "prefix_encoder");
        const int64_t width = 2 * c.numLayers * d; // a key and a value per layer
        auto emb = container(*enc, "embedding");
        // nn.Embedding's init, as PEFT's prefix encoder has it: N(0, 1).
        prefixEmbedding = emb->register_parameter(
            "weight", torch::randn({pre->length, pre->hidden > 0 ? d : width}));
        if (pre->hidden > 0) { // PEFT's names: transform = Sequential(Linear, Tanh, Linear)
            auto transform = container(*enc, "transform");
            prefixIn = transform->register_module("0", torch::nn::Linear(d, pre->hidden));
            prefixOut = transform->register_module("2", torch::nn::Linear(pre->hidden, width));
        }
    }
    // The family's head, registered as parameterSpecs lists it.
    switch (c.info().head) {
    case HeadKind::BertPooler: {
        auto pooler = container(*this, "pooler");
        poolerDense = linear(*pooler, "dense", d, d);
        initLinear(poolerDense, c.initializerRange);
        if (withHead) classifier = linear(*this, "classifier", d, c.numLabels());
        break;
    }
    case HeadKind::DenseTanh:
    case HeadKind::DenseGelu:
        if (withHead) {
            auto head = container(*this, "classifier");
            headDense = linear(*head, "dense", d, d);
            classifier = linear(*head, "out_proj", d, c.numLabels());
        }
        break;
    case HeadKind::PreClassifier:
        if (withHead) {
            headDense = linear(*this, "pre_classifier", d, d);
            classifier = linear(*this, "classifier", d, c.numLabels());
        }
        break;
    }
    headDropout = register_module("head_dropout", torch::nn::Dropout(c.headDropout()));
    resetHead();
}

void BertModelImpl::sinusoidalTable_(torch::Tensor table) {
    // DistilBERT's create_sinusoidal_embeddings: angle(p, j) = p / 10000^(2·⌊j/2⌋ / d),
    // sin on even columns, cos on odd ones. table: [P, d]
    const int64_t P = table.size(0), dim = table.size(1);
    const auto pos = torch::arange(P, torch::kDouble).unsqueeze(1);                   // [P, 1]
    const auto j = torch::arange(dim, torch::kDouble).div(2, "floor").mul(2.0 / dim); // [d]
    const auto angle = pos / torch::pow(10000.0, j).unsqueeze(0);                     // [P, d]
    auto out = torch::empty({P, dim}, torch::kDouble);
    out.slice(1, 0, dim, 2).copy_(torch::sin(angle.slice(1, 0, dim, 2)));
    out.slice(1, 1, dim, 2).copy_(torch::cos(angle.slice(1, 1, dim, 2)));
    table.copy_(out);
}

void BertModelImpl::resetHead() {
    if (!hasHead()) return;
    if (!headDense.is_empty()) initLinear(headDense, config_.initializerRange);
    initLinear(classifier, config_.initializerRange);
}

torch::Tensor BertModelImpl::maskBias(const torch::Tensor& mask, const torch::Tensor& like) {
    // [B, T] -> [B, 1, 1, T]: 0 where attended, the dtype's lowest value at padding.
    const double lowest = like.scalar_type() == torch::kHalf ? -65504.0
                          : like.scalar_type() == torch::kBFloat16
                              ? -3.38e38
                              : static_cast<double>(std::numeric_limits<float>::lowest());
    return (1.0 - mask.to(like.scalar_type())).mul(lowest).unsqueeze(1).unsqueeze(2);
}

torch::Tensor BertModelImpl::positionIds(const torch::Tensor& ids) const {
    const int64_t T = ids.size(1), from = positionOffset();
    if (config_.info().positions == PositionScheme::Absolute)
        return torch::arange(from, from + T, ids.options()).unsqueeze(0); // [1, T]
    // RoBERTa's create_position_ids_from_input_ids: pad + 1 + (offset + rank among non-padding),
    // padding itself at pad.
    const int64_t pad = config_.padTokenId;
    const auto keep = ids.ne(pad).to(ids.scalar_type()); // [B, T]
    return (keep.cumsum(1) + from).mul(keep).add(pad);   // [B, T]
}

torch::Tensor BertModelImpl::embed(const torch::Tensor& ids, const torch::Tensor& typeIds) {
    auto e = wordEmbeddings(ids) + positionEmbeddings(positionIds(ids)); // [B, T, e]
    if (!tokenTypeEmbeddings.is_empty()) e = e + tokenTypeEmbeddings(typeIds);
    e = dropout(embeddingNorm(e));
    return embeddingProject.is_empty() ? e : embeddingProject(e); // [B, T, d]
}

torch::Tensor BertModelImpl::prefixStates() {
    if (!prefixEmbedding.defined()) return {};
    const auto p =
        prefixIn.is_empty() ? prefixEmbedding : prefixOut(torch::tanh(prefixIn(prefixEmbedding)));
    return p.view({prefixEmbedding.size(0), 2 * numLayers(), config_.hiddenSize}); // [l, 2L, d]
}

torch::Tensor BertModelImpl::layerForward(int64_t i, const torch::Tensor& hidden,
                                          const torch::Tensor& bias, int64_t queryRows,
                                          const torch::Tensor& prefix) {
    auto& layer = layers.at(static_cast<size_t>(i));
    if (!prefixEmbedding.defined() || !layer->modulesEnabled())
        return layer->forward(hidden, bias, queryRows);
    const auto p = prefix.defined() ? prefix : prefixStates();
    return layer->forward(hidden, bias, queryRows, p.select(1, 2 * i), p.select(1, 2 * i + 1));
}

torch::Tensor BertModelImpl::runLayers(torch::Tensor hidden, const torch::Tensor& bias,
                                       int64_t from, int64_t to, const torch::Tensor& prefix) {
    // The prefix (through its MLP while training) once for all layers.
    const auto p = prefix.defined() || from >= to ? prefix : prefixStates();
    for (int64_t i = from; i < to; ++i)
        hidden = layerForward(i, hidden, bias, 0, p);
    return hidden;
}

void BertModelImpl::checkIds(const torch::Tensor& ids) const {
    TORCH_CHECK(ids.dim() == 2, "input ids must be [batch, time]");
    const int64_t from = positionOffset();
    TORCH_CHECK(from + ids.size(1) <= config_.maxTokens(), "sequence of ", ids.size(1), " tokens",
                from > 0 ? " after a prefix of " + std::to_string(from) : "",
                " exceeds the model's ", config_.maxTokens(), " positions");
}

int64_t BertModelImpl::positionOffset() const {
    return modules_.prefix ? modules_.prefix->positionsTaken() : 0;
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
    const auto prefix = prefixStates();
    hidden = runLayers(std::move(hidden), bias, from, L - 1, prefix);
    // Mean pooling reads every position, [CLS] pooling only position 0.
    hidden = layerForward(L - 1, hidden, bias, pooling_ == Pooling::Cls ? 1 : 0, prefix);
    return classify(pool(hidden, mask));
}

torch::Tensor BertModelImpl::pool(const torch::Tensor& sequence, const torch::Tensor& mask) {
    torch::Tensor v; // [B, d]: the first token's state or the masked mean
    if (pooling_ == Pooling::Cls) {
        v = sequence.select(1, 0);
    } else {
        const auto m = mask.to(sequence.scalar_type()).unsqueeze(-1); // [B, T, 1]
        v = (sequence * m).sum(1) / m.sum(1).clamp_min(1.0);
    }
    return poolerDense.is_empty() ? v : torch::tanh(poolerDense(v));
}

torch::Tensor BertModelImpl::classify(const torch::Tensor& pooled) {
    switch (config_.info().head) { // pooled [B, d] -> [B, numLabels]
    case HeadKind::BertPooler:
        break;
    case HeadKind::DenseTanh:
        return classifier(headDropout(torch::tanh(headDense(headDropout(pooled)))));
    case HeadKind::DenseGelu:
        return classifier(headDropout(torch::gelu(headDense(headDropout(pooled)))));
    case HeadKind::PreClassifier:
        return classifier(headDropout(torch::relu(headDense(pooled))));
    }
    return classifier(headDropout(pooled));
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

void BertModelImpl::setModulesEnabled(int64_t layer, bool on) {
    layers.at(static_cast<size_t>(layer))->setModulesEnabled(on);
}

void BertModelImpl::setAllModulesEnabled(bool on) {
    for (auto& l : layers)
        l->setModulesEnabled(on);
}

void BertModelImpl::mergeLora(bool merge) {
    for (auto& l : layers)
        l->mergeLora(merge);
}

} // namespace adapterlab::model
