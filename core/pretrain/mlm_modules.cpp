// The modules pre-training trains, and how they start (initialiseModel of pretrain/stages.h).
#include "pretrain/mlm_modules.h"

#include "pretrain/stages.h"
#include "pretrain/word_vectors.h"

#include <torch/nn/functional/linear.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace adapterlab::pretrain {

MlmHeadImpl::MlmHeadImpl(int64_t d, int64_t vocab, double eps, double initRange) {
    dense = register_module("dense", torch::nn::Linear(d, d));
    norm = register_module("LayerNorm",
                           torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}).eps(eps)));
    bias = register_parameter("bias", torch::zeros({vocab}));
    torch::NoGradGuard guard;
    dense->weight.normal_(0, initRange);
    dense->bias.zero_();
}

torch::Tensor MlmHeadImpl::forward(const torch::Tensor& h, const torch::Tensor& embeddings) {
    // h: [N, d] -> [N, d] -> logits [N, V]
    return torch::nn::functional::linear(norm(torch::gelu(dense(h))), embeddings, bias);
}

void loadMlmHead(MlmHead& head, const model::Checkpoint& file) {
    const std::vector<std::pair<std::vector<std::string>, torch::Tensor*>> wanted{
        {{"cls.predictions.transform.dense.weight"}, &head->dense->weight},
        {{"cls.predictions.transform.dense.bias"}, &head->dense->bias},
        {{"cls.predictions.transform.LayerNorm.weight",
          "cls.predictions.transform.LayerNorm.gamma"},
         &head->norm->weight},
        {{"cls.predictions.transform.LayerNorm.bias", "cls.predictions.transform.LayerNorm.beta"},
         &head->norm->bias},
        {{"cls.predictions.bias"}, &head->bias}};
    torch::NoGradGuard guard;
    for (const auto& [names, param] : wanted) {
        for (const auto& name : names) {
            const auto* t = file.find(name);
            if (!t || t->shape != param->sizes().vec()) continue;
            param->copy_(file.tensor(*t));
            break;
        }
    }
}

GeneratorImpl::GeneratorImpl(const model::BertConfig& cfg, int64_t numLayers) {
    for (int64_t i = 0; i < numLayers; ++i)
        layers.push_back(
            register_module("layer_" + std::to_string(i), model::BertLayer(cfg, std::nullopt)));
}

torch::Tensor GeneratorImpl::forward(torch::Tensor hidden, const torch::Tensor& bias) {
    // hidden [B, T, d] -> [B, T, d]
    for (auto& l : layers)
        hidden = l->forward(hidden, bias);
    return hidden;
}

DetectorImpl::DetectorImpl(int64_t d, double initRange) {
    dense = register_module("dense", torch::nn::Linear(d, d));
    out = register_module("out", torch::nn::Linear(d, 1));
    torch::NoGradGuard guard;
    for (auto* l : {&dense, &out}) {
        (*l)->weight.normal_(0, initRange);
        (*l)->bias.zero_();
    }
}

torch::Tensor DetectorImpl::forward(const torch::Tensor& h) {
    // h: [B, T, d] -> [B, T, 1] -> logits [B, T]
    return out(torch::gelu(dense(h))).squeeze(-1);
}

namespace {

// The modules in the optimizer's order.
std::vector<std::shared_ptr<torch::nn::Module>> inOrder(const PretrainModules& m) {
    std::vector<std::shared_ptr<torch::nn::Module>> all{m.bert.ptr(), m.head.ptr()};
    if (!m.generator.is_empty()) all.insert(all.end(), {m.generator.ptr(), m.detector.ptr()});
    return all;
}

} // namespace

void PretrainModules::to(const c10::Device& device) {
    for (const auto& m : inOrder(*this)) {
        m->to(device);
        m->train();
    }
}

std::vector<std::pair<std::string, torch::Tensor>> PretrainModules::namedParameters() const {
    std::vector<std::pair<std::string, torch::Tensor>> named;
    for (const auto& m : inOrder(*this))
        for (const auto& p : m->named_parameters())
            named.emplace_back(p.key(), p.value());
    return named;
}

PretrainModules initialiseModel(const model::BertConfig& cfg, const PretrainPlan& plan,
                                const PretrainOptions& o, const std::vector<int64_t>& stream,
                                bool fromState) {
    torch::manual_seed(o.seed);
    PretrainModules m;
    m.bert = model::BertModel(cfg, std::nullopt, false);
    m.head = MlmHead(cfg.hiddenSize, cfg.vocabSize, cfg.layerNormEps, cfg.initializerRange);
    if (plan.continued() && !fromState) {
        const auto file = model::Checkpoint::load(plan.init->weights);
        model::loadHfWeights(m.bert, file, false);
        loadMlmHead(m.head, file);
    } else if (o.embeddingInit == "ppmi-svd" && !fromState) {
        const auto t0 = std::chrono::steady_clock::now();
        WordVectorOptions wo;
        wo.seed = o.seed;
        initEmbeddings(m.bert->wordEmbeddings->weight,
                       ppmiSvdVectors(stream, cfg.vocabSize, cfg.hiddenSize, wo),
                       cfg.initializerRange);
        m.wordVectorSeconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
    // Made after the MLM modules so that an MLM pre-training draws the same initial weights.
    if (plan.electra) {
        m.generator = Generator(cfg, 1);
        m.detector = Detector(cfg.hiddenSize, cfg.initializerRange);
    }
    return m;
}

} // namespace adapterlab::pretrain
