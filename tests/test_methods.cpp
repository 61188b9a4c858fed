// Every parameter-efficient method against an independent re-implementation: identity at its
// identity initialisation, the forward pass in float64, gradients only where the method trains,
// the parameter lists and counts, LoRA merging and the folded prefix.
#include "test_util.h"

#include "model/bert.h"
#include "model/param_spec.h"
#include "train/method.h"
#include "train/optimizer.h"
#include "train/param_count.h"
#include "train/run_config.h"
#include "train/task_params.h"
#include "train/trainer.h"

#include <torch/nn/functional/normalization.h>
#include <torch/optim/optimizer.h>

#include <nlohmann/json.hpp>

#include <cmath>

using namespace adapterlab;
using model::AdapterConfig;
using model::MethodModules;
using train::Method;
using Params = std::map<std::string, torch::Tensor>;

namespace {

model::BertConfig tinyConfig(int64_t layers = 2) {
    model::BertConfig c;
    c.vocabSize = 30;
    c.hiddenSize = 8;
    c.numLayers = layers;
    c.numHeads = 2;
    c.intermediateSize = 12;
    c.maxPositions = 16;
    c.hiddenDropout = c.attentionDropout = 0.1; // eval mode switches them off
    return c;
}

// A run of `method` with settings from JSON (the knob and variants), as the CLI would build it.
train::RunConfig run(Method m, const std::string& settings = "{}") {
    auto j = nlohmann::json::parse(settings);
    j["method"] = train::toString(m);
    return train::RunConfig::fromJson(j);
}

struct Case {
    const char* name;
    Method method;
    const char* settings;
};

// Every method with modules, and the paper's variants of the bottleneck adapters.
const std::vector<Case>& cases() {
    static const std::vector<Case> c = {
        {"houlsby", Method::Adapter, R"({"adapter_size": 3})"},
        {"houlsby attention relu norm 2 layers", Method::Adapter,
         R"({"adapter_size": 3, "adapter_placement": "attention", "adapter_activation": "relu",
             "adapter_norm": true, "adapter_layers": 2})"},
        {"houlsby ffn swish", Method::Adapter,
         R"({"adapter_size": 2, "adapter_placement": "ffn", "adapter_activation": "swish"})"},
        {"houlsby tanh", Method::Adapter, R"({"adapter_size": 2, "adapter_activation": "tanh"})"},
        {"pfeiffer", Method::Pfeiffer, R"({"adapter_size": 3})"},
        {"parallel both", Method::Parallel,
         R"({"adapter_size": 3, "adapter_placement": "both", "adapter_scaling": 2.5})"},
        {"parallel ffn", Method::Parallel, R"({"adapter_size": 4})"},
        {"lora q,v", Method::Lora, R"({"lora_rank": 2, "lora_alpha": 6})"},
        {"lora all", Method::Lora,
         R"({"lora_rank": 3, "lora_targets": "query,key,value,attention_output,intermediate,output"})"},
        {"prefix reparameterised", Method::Prefix, R"({"prefix_length": 3, "prefix_hidden": 5})"},
        {"prefix direct", Method::Prefix, R"({"prefix_length": 4, "prefix_hidden": 0})"},
        {"prefix shifted positions", Method::Prefix,
         R"({"prefix_length": 3, "prefix_hidden": 5, "prefix_shift_positions": true})"},
        {"ia3", Method::Ia3, "{}"},
    };
    return c;
}

void addCases() {
    QTest::addColumn<int>("index");
    for (size_t i = 0; i < cases().size(); ++i)
        QTest::newRow(cases()[i].name) << int(i);
}

Params byName(model::BertModel& m) {
    Params p;
    for (const auto& item : m->named_parameters())
        p[item.key()] = item.value();
    return p;
}

// Every parameter random (modules included: LoRA's B, the (IA)³ scalings, the adapters).
void randomise(model::BertModel& m, double scale) {
    torch::NoGradGuard g;
    for (auto& p : m->parameters())
        p.copy_(torch::randn_like(p) * scale);
}

// Same weights in `dst` as in `src` (names and shapes they share).
void copyShared(model::BertModel& src, model::BertModel& dst) {
    torch::NoGradGuard g;
    auto from = src->named_parameters();
    for (auto& p : dst->named_parameters())
        if (const auto* s = from.find(p.key()); s && s->sizes() == p.value().sizes())
            p.value().copy_(*s);
}

// ---- the reference: BERT and each method written out with plain tensor operations ----------

struct Reference {
    const model::BertConfig& c;
    const MethodModules& mods;
    Params p;

    torch::Tensor linear(const std::string& n, const torch::Tensor& x) const {
        const auto it = p.find(n + ".bias");
        auto y = torch::matmul(x, p.at(n + ".weight").t());
        return it == p.end() ? y : y + it->second;
    }
    torch::Tensor norm(const std::string& n, const torch::Tensor& x, double eps) const {
        const auto mean = x.mean(-1, true);
        const auto var = (x - mean).pow(2).mean(-1, true);
        return (x - mean) / torch::sqrt(var + eps) * p.at(n + ".weight") + p.at(n + ".bias");
    }
    // W x + b + (alpha / r)·B A x where the projection is a LoRA target.
    torch::Tensor projection(const std::string& n, const torch::Tensor& x) const {
        auto y = linear(n, x);
        if (mods.lora && p.count(n + ".lora_A.weight"))
            y = y + torch::matmul(torch::matmul(x, p.at(n + ".lora_A.weight").t()),
                                  p.at(n + ".lora_B.weight").t()) *
                        mods.lora->scale();
        return y;
    }
    torch::Tensor act(const torch::Tensor& x) const {
        switch (mods.adapter->activation) {
        case model::Activation::Relu:
            return x.clamp_min(0);
        case model::Activation::Tanh:
            return torch::tanh(x);
        case model::Activation::Swish:
            return x * torch::sigmoid(x);
        case model::Activation::Gelu:
            break;
        }
        return 0.5 * x * (1 + torch::erf(x / std::sqrt(2.0)));
    }
    torch::Tensor adapter(const std::string& n, torch::Tensor x) const {
        if (mods.adapter->innerNorm) x = norm(n + ".norm", x, 1e-5);
        auto h = act(linear(n + ".down", x));
        for (int i = 1; i < mods.adapter->hiddenLayers; ++i)
            h = act(linear(n + ".mid." + std::to_string(i - 1), h));
        return linear(n + ".up", h);
    }
    torch::Tensor gelu(const torch::Tensor& x) const {
        return 0.5 * x * (1 + torch::erf(x / std::sqrt(2.0)));
    }

    // ids [B, T] -> logits [B, C]
    torch::Tensor logits(const torch::Tensor& ids, const torch::Tensor& mask) const {
        const int64_t B = ids.size(0), T = ids.size(1), d = c.hiddenSize, H = c.numHeads,
                      dh = d / H;
        // transformers' position ids after a prefix of l cached keys: l … l + T − 1
        const int64_t first = mods.prefix && mods.prefix->shiftPositions ? mods.prefix->length : 0;
        auto h = p.at("embeddings.word_embeddings.weight")
                     .index_select(0, ids.flatten())
                     .view({B, T, d}) +
                 p.at("embeddings.position_embeddings.weight").narrow(0, first, T).unsqueeze(0) +
                 p.at("embeddings.token_type_embeddings.weight")[0];
        h = norm("embeddings.LayerNorm", h, c.layerNormEps);
        const auto bias = (1 - mask.to(torch::kDouble)).mul(-1e30).view({B, 1, 1, T});
        torch::Tensor prefix; // [l, 2L, d]
        if (mods.prefix) {
            prefix = p.at("prefix_encoder.embedding.weight");
            if (mods.prefix->hidden > 0)
                prefix = linear("prefix_encoder.transform.2",
                                torch::tanh(linear("prefix_encoder.transform.0", prefix)));
            prefix = prefix.view({mods.prefix->length, 2 * c.numLayers, d});
        }
        const auto& ad = mods.adapter;
        const bool parallel = ad && ad->style == model::AdapterStyle::Parallel;
        for (int64_t i = 0; i < c.numLayers; ++i) {
            const std::string L = "encoder.layer." + std::to_string(i);
            auto k = projection(L + ".attention.self.key", h);
            auto v = projection(L + ".attention.self.value", h);
            if (mods.ia3) {
                k = k * p.at(L + ".attention.self.key.ia3_l").view({d});
                v = v * p.at(L + ".attention.self.value.ia3_l").view({d});
            }
            auto b = bias;
            if (mods.prefix) {
                const int64_t l = mods.prefix->length;
                k = torch::cat({prefix.select(1, 2 * i).unsqueeze(0).expand({B, l, d}), k}, 1);
                v = torch::cat({prefix.select(1, 2 * i + 1).unsqueeze(0).expand({B, l, d}), v}, 1);
                b = torch::cat({torch::zeros({B, 1, 1, l}, torch::kDouble), bias}, -1);
            }
            const int64_t S = k.size(1);
            const auto q = projection(L + ".attention.self.query", h)
                               .view({B, T, H, dh})
                               .permute({0, 2, 1, 3});
            const auto kh = k.view({B, S, H, dh}).permute({0, 2, 3, 1});
            const auto vh = v.view({B, S, H, dh}).permute({0, 2, 1, 3});
            const auto probs = torch::softmax(torch::matmul(q, kh) / std::sqrt(double(dh)) + b, -1);
            const auto ctx = torch::matmul(probs, vh).permute({0, 2, 1, 3}).reshape({B, T, d});
            auto attn = projection(L + ".attention.output.dense", ctx);
            if (ad && ad->atAttention())
                attn = attn + (parallel ? ad->scaling * adapter(L + ".attention.output.adapter", h)
                                        : adapter(L + ".attention.output.adapter", attn));
            const auto a = norm(L + ".attention.output.LayerNorm", attn + h, c.layerNormEps);
            auto inner = gelu(projection(L + ".intermediate.dense", a));
            if (mods.ia3) inner = inner * p.at(L + ".output.dense.ia3_l").view({-1});
            auto f = projection(L + ".output.dense", inner);
            const std::string outAdapter = L + ".output.adapter";
            if (ad && ad->atFeedForward()) {
                if (parallel)
                    f = f + ad->scaling * adapter(outAdapter, a);
                else if (ad->style == model::AdapterStyle::Pfeiffer)
                    f = f +
                        adapter(outAdapter, norm(L + ".output.LayerNorm", f + a, c.layerNormEps));
                else
                    f = f + adapter(outAdapter, f);
            }
            h = norm(L + ".output.LayerNorm", f + a, c.layerNormEps);
        }
        return linear("classifier", torch::tanh(linear("pooler.dense", h.select(1, 0))));
    }
};

// A batch of 3 sequences of 6 tokens, the last two padded in part.
std::pair<torch::Tensor, torch::Tensor> batch() {
    const auto ids =
        torch::tensor({1, 5, 9, 2, 7, 3, 1, 4, 4, 8, 0, 0, 1, 6, 2, 0, 0, 0}, torch::kLong)
            .view({3, 6});
    return {ids, (ids != 0).to(torch::kLong)};
}

torch::Tensor modelLogits(model::BertModel& m, const torch::Tensor& ids,
                          const torch::Tensor& mask) {
    return m->logits(ids, torch::zeros_like(ids), mask);
}

double maxDiff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

} // namespace

class TestMethods : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void forwardEqualsReference_data() { addCases(); }
    void forwardEqualsReference();
    void identityInitIsTheBackbone_data() { addCases(); }
    void identityInitIsTheBackbone();
    void gradientsOnlyForTheMethod_data() { addCases(); }
    void gradientsOnlyForTheMethod();
    void parameterListsAndCounts();
    void loraMergeEqualsUnmerged();
    void prefixIsSavedFolded();
    void modulesMismatchIsRefused();
    void badMethodSettingsAreNamed();
};

void TestMethods::forwardEqualsReference() {
    // Random weights everywhere, float64: the model and the written-out reference agree to 1e-10.
    QFETCH(int, index);
    const Case& k = cases()[static_cast<size_t>(index)];
    const auto cfg = tinyConfig();
    const auto mods = train::methodModules(run(k.method, k.settings));
    torch::manual_seed(11);
    model::BertModel m(cfg, mods, true);
    m->to(torch::kDouble);
    randomise(m, 0.5);
    m->eval();
    const auto [ids, mask] = batch();
    torch::NoGradGuard g;
    const Reference ref{cfg, mods, byName(m)};
    const double diff = maxDiff(modelLogits(m, ids, mask), ref.logits(ids, mask));
    QVERIFY2(diff < 1e-10, qPrintable(QString("max |model - reference| = %1").arg(diff)));
    // The forward pass with every position (mean pooling reads them all) agrees as well.
    const auto full = m->forward(ids, torch::zeros_like(ids), mask).logits;
    QVERIFY(maxDiff(full, ref.logits(ids, mask)) < 1e-10);
    // And the modules change the output: the reference without them differs.
    const Reference plain{cfg, MethodModules{}, byName(m)};
    QVERIFY(maxDiff(ref.logits(ids, mask), plain.logits(ids, mask)) > 1e-3);
}

void TestMethods::identityInitIsTheBackbone() {
    // At the identity initialisation (adapters σ = 0, LoRA B = 0, (IA)³ ones, prefix of length 0)
    // every method gives the backbone's logits within 1e-6.
    QFETCH(int, index);
    const Case& k = cases()[static_cast<size_t>(index)];
    auto r = run(k.method, k.settings);
    r.adapter.initStd = 0;
    r.prefix.length = 0;
    const auto cfg = tinyConfig(3);
    torch::manual_seed(5);
    model::BertModel backbone(cfg, std::nullopt, true);
    randomise(backbone, 0.3);
    model::BertModel m(cfg, train::methodModules(r), true);
    copyShared(backbone, m);
    backbone->eval();
    m->eval();
    const auto [ids, mask] = batch();
    torch::NoGradGuard g;
    const double diff = maxDiff(modelLogits(m, ids, mask), modelLogits(backbone, ids, mask));
    QVERIFY2(diff < 1e-6, qPrintable(QString("max |method - backbone| = %1").arg(diff)));
}

void TestMethods::gradientsOnlyForTheMethod() {
    // After a step, the method's parameters (and the head) have gradients and optimizer state;
    // every other parameter has neither and has not moved.
    QFETCH(int, index);
    const Case& k = cases()[static_cast<size_t>(index)];
    const auto r = run(k.method, k.settings);
    torch::manual_seed(7);
    model::BertModel m(tinyConfig(), train::methodModules(r), true);
    randomise(m, 0.3);
    const auto names = train::freezeForMethod(m, r.method);
    const auto before = byName(m);
    Params frozen;
    for (const auto& [n, t] : before)
        if (std::find(names.begin(), names.end(), n) == names.end()) frozen[n] = t.detach().clone();
    std::vector<std::pair<std::string, torch::Tensor>> trainable;
    for (const auto& n : names)
        trainable.emplace_back(n, before.at(n));
    const auto opt = train::makeAdamW(trainable, 1e-2, 0.01);
    m->train();
    const auto [ids, mask] = batch();
    modelLogits(m, ids, mask).pow(2).sum().backward();
    opt->step();
    for (const auto& n : names) {
        const auto& grad = before.at(n).grad();
        QVERIFY2(grad.defined() && grad.abs().sum().item<double>() > 0, n.c_str());
    }
    for (const auto& [n, t] : frozen) {
        QVERIFY2(!before.at(n).grad().defined(), n.c_str());
        QVERIFY2(torch::equal(before.at(n), t), n.c_str());
    }
    QCOMPARE(opt->state().size(), names.size());
    // The method's own modules are what trains (beyond the head and, for Houlsby, LayerNorms).
    const auto& info = train::methodInfo(k.method);
    for (const auto& n : names) {
        const auto g = model::groupOf(n);
        QVERIFY2(g == model::ParamGroup::Adapters || g == model::ParamGroup::Head ||
                     (info.method == Method::Adapter && g == model::ParamGroup::LayerNorm),
                 n.c_str());
    }
}

void TestMethods::parameterListsAndCounts() {
    // The config-only parameter list equals the torch model's own (names, shapes, order), and
    // the registry's formula equals the torch model's trainable count without the head, for
    // every method at two model sizes, as trained and as saved.
    for (const auto& k : cases())
        for (int64_t layers : {2, 5}) {
            auto cfg = tinyConfig(layers);
            if (layers == 5) {
                cfg.hiddenSize = 12;
                cfg.numHeads = 3;
                cfg.intermediateSize = 20;
            }
            const auto r = run(k.method, k.settings);
            for (bool training : {true, false}) {
                const auto mods = train::methodModules(r, training);
                model::BertModel m(cfg, mods, true);
                const auto specs = model::parameterSpecs(cfg, mods, true);
                const auto named = m->named_parameters();
                QCOMPARE(named.size(), specs.size());
                for (size_t i = 0; i < specs.size(); ++i) {
                    QCOMPARE(named[i].key(), specs[i].name);
                    QCOMPARE(named[i].value().sizes().vec(), specs[i].shape);
                }
                int64_t trainable = 0;
                for (const auto& n : train::freezeForMethod(m, r.method))
                    if (model::groupOf(n) != model::ParamGroup::Head) trainable += named[n].numel();
                const train::Shape shape{cfg.hiddenSize, cfg.numLayers,    cfg.intermediateSize,
                                         cfg.vocabSize,  cfg.maxPositions, cfg.typeVocabSize};
                const auto& pre = r.prefix;
                // The prefix's MLP exists only while training: l·d + h·(d + 1) + (h + 1)·2·L·d.
                const int64_t mlp =
                    training && k.method == Method::Prefix && pre.hidden > 0
                        ? pre.length * cfg.hiddenSize + pre.hidden * (cfg.hiddenSize + 1) +
                              (pre.hidden + 1) * 2 * cfg.numLayers * cfg.hiddenSize -
                              2 * cfg.numLayers * pre.length * cfg.hiddenSize
                        : 0;
                QCOMPARE(trainable, train::methodInfo(k.method).count(shape, r) + mlp);
                if (!training) QCOMPARE(train::countParameters(cfg, r, false).trainable, trainable);
            }
        }
}

void TestMethods::loraMergeEqualsUnmerged() {
    // LoRA merged into the base weights gives the same logits within 1e-5; unmerging restores them.
    const auto r =
        run(Method::Lora, R"({"lora_rank": 4, "lora_targets": "query,value,intermediate,output"})");
    torch::manual_seed(3);
    model::BertModel m(tinyConfig(3), train::methodModules(r), true);
    randomise(m, 0.4);
    m->eval();
    const auto [ids, mask] = batch();
    torch::NoGradGuard g;
    const auto weights = m->layer(1)->query->weight.clone();
    const auto unmerged = modelLogits(m, ids, mask);
    m->mergeLora(true);
    QVERIFY(m->layer(1)->loraMerged());
    QVERIFY(maxDiff(weights, m->layer(1)->query->weight) > 1e-3); // merged: the weights moved
    QVERIFY(maxDiff(unmerged, modelLogits(m, ids, mask)) < 1e-5);
    QVERIFY(!testutil::errorOf([&] {
                 try {
                     m->setModulesEnabled(0, false);
                 } catch (const c10::Error& e) {
                     throw Error(e.what());
                 }
             }).empty()); // ablation of merged LoRA would be wrong: refused
    m->mergeLora(false);
    QVERIFY(maxDiff(weights, m->layer(1)->query->weight) < 1e-6);
    QVERIFY(maxDiff(unmerged, modelLogits(m, ids, mask)) < 1e-5);
}

void TestMethods::prefixIsSavedFolded() {
    // A prefix trained through its MLP is saved as the MLP's output ([l, 2·L·d], no MLP) and,
    // loaded into the saved form's model, gives the trained model's logits.
    const auto r = run(Method::Prefix, R"({"prefix_length": 3, "prefix_hidden": 6})");
    const auto cfg = tinyConfig(3);
    torch::manual_seed(9);
    model::BertModel trained(cfg, train::methodModules(r, true), true);
    randomise(trained, 0.4);
    trained->eval();
    const auto bytes = train::encodeTaskParameters(trained, r.method);
    model::BertModel saved(cfg, train::methodModules(r, false), true);
    QVERIFY(saved->prefixIn.is_empty());
    copyShared(trained, saved); // the backbone (and head) weights; the prefix comes from the file
    {
        torch::NoGradGuard g;
        saved->prefixEmbedding.zero_();
    }
    train::loadTaskParameters(saved, bytes, "memory");
    QCOMPARE(saved->prefixEmbedding.sizes().vec(), (std::vector<int64_t>{3, 2 * 3 * 8}));
    saved->eval();
    const auto [ids, mask] = batch();
    torch::NoGradGuard g;
    QVERIFY(maxDiff(modelLogits(trained, ids, mask), modelLogits(saved, ids, mask)) < 1e-6);
}

void TestMethods::modulesMismatchIsRefused() {
    // Task parameters of LoRA on query,value cannot load into a LoRA model on query,key.
    const auto qv = run(Method::Lora, R"({"lora_rank": 2})");
    const auto qk = run(Method::Lora, R"({"lora_rank": 2, "lora_targets": "query,key"})");
    model::BertModel a(tinyConfig(), train::methodModules(qv), true);
    model::BertModel b(tinyConfig(), train::methodModules(qk), true);
    const auto bytes = train::encodeTaskParameters(a, qv.method);
    const std::string err =
        testutil::errorOf([&] { train::loadTaskParameters(b, bytes, "run 7"); });
    QVERIFY2(err.find("run 7: trained with other method modules") != std::string::npos,
             err.c_str());
    QVERIFY(testutil::errorOf([&] { train::loadTaskParameters(a, bytes, "run 7"); }).empty());
}

void TestMethods::badMethodSettingsAreNamed() {
    const auto problem = [](const std::string& settings) {
        auto j = nlohmann::json::parse(settings);
        j["task"] = "t";
        j["backbone"] = "b";
        const auto c = train::RunConfig::fromJson(j);
        const auto all = c.check();
        return all.empty() ? std::string() : all.front().field + ": " + all.front().message;
    };
    QVERIFY(problem(R"({"method": "lora", "lora_rank": 4})").empty());
    QVERIFY(problem(R"({"method": "lora", "lora_rank": 0})").rfind("lora_rank:", 0) == 0);
    QVERIFY(problem(R"({"method": "lora", "lora_alpha": -1})").rfind("lora_alpha:", 0) == 0);
    QVERIFY(problem(R"({"method": "lora", "lora_dropout": 1.5})").rfind("lora_dropout:", 0) == 0);
    QVERIFY(problem(R"({"method": "prefix", "prefix_length": 0})").rfind("prefix_length:", 0) == 0);
    QVERIFY(problem(R"({"method": "prefix", "prefix_hidden": -3})").rfind("prefix_hidden:", 0) ==
            0);
    // The shifted prefix: a boolean, stored only when set, and its l positions count.
    const std::string notBool = testutil::errorOf([] {
        train::RunConfig::fromJson(
            nlohmann::json::parse(R"({"method": "prefix", "prefix_shift_positions": 1})"));
    });
    QVERIFY2(notBool.find("'prefix_shift_positions' must be true or false") != std::string::npos,
             notBool.c_str());
    auto shifted = run(Method::Prefix, R"({"prefix_length": 4})");
    shifted.task = "t";
    shifted.backbone = "b";
    QVERIFY(!shifted.toJson().contains("prefix_shift_positions")); // earlier runs' stored form
    QCOMPARE(train::variantText(shifted), std::string());
    shifted.prefix.shiftPositions = true;
    QCOMPARE(train::variantText(shifted), std::string("shifted positions")); // plotted apart
    QVERIFY(train::RunConfig::fromJson(shifted.toJson()).prefix.shiftPositions);
    auto backbone = tinyConfig(); // 16 positions
    shifted.maxLength = 12;       // 4 + 12 fit
    QVERIFY(shifted.checkFor(backbone).empty());
    shifted.maxLength = 13;
    const auto tooLong = shifted.checkFor(backbone);
    QVERIFY(!tooLong.empty() && tooLong.front().field == "max_length");
    QVERIFY2(tooLong.front().message.find("after a prefix of 4") != std::string::npos,
             tooLong.front().message.c_str());
    shifted.prefix.shiftPositions = false;
    QVERIFY(shifted.checkFor(backbone).empty());
    QVERIFY(problem(R"({"method": "adapter", "adapter_layers": 0})").rfind("adapter_layers:", 0) ==
            0);
    QVERIFY(
        problem(R"({"method": "parallel", "adapter_scaling": 0})").rfind("adapter_scaling:", 0) ==
        0);
    // A variant setting the method does not read (left from another method) is not built: what
    // trains is what the stored settings, which hold only the method's own, rebuild.
    const auto pfeiffer =
        run(Method::Pfeiffer, R"({"adapter_placement": "attention", "adapter_scaling": 2})");
    QVERIFY(train::methodModules(pfeiffer).adapter->placement == model::AdapterPlacement::Default);
    QCOMPARE(train::methodModules(pfeiffer).adapter->scaling, 1.0);
    const auto parallel = run(Method::Parallel, R"({"adapter_norm": true, "adapter_layers": 3})");
    QVERIFY(!train::methodModules(parallel).adapter->innerNorm);
    QCOMPARE(train::methodModules(parallel).adapter->hiddenLayers, 1);
    QVERIFY(train::methodModules(train::RunConfig::fromJson(parallel.toJson())).toJson() ==
            train::methodModules(parallel).toJson());
    // Unknown names are refused as they are read, naming the accepted ones.
    const std::string err = testutil::errorOf([] {
        train::RunConfig::fromJson(
            nlohmann::json::parse(R"({"method": "lora", "lora_targets": "query,keys"})"),
            "run.json");
    });
    QVERIFY2(err.find("run.json: unknown LoRA target 'keys' (query | key | value") !=
                 std::string::npos,
             err.c_str());
    QVERIFY(!testutil::errorOf([] {
                 train::RunConfig::fromJson(
                     nlohmann::json::parse(R"({"adapter_activation": "sigmoid"})"));
             }).empty());
    // A method's settings round-trip through run.json; another method's are not stored.
    const auto lora =
        run(Method::Lora, R"({"lora_rank": 5, "lora_alpha": 10, "lora_targets": "value,query"})");
    QVERIFY(train::RunConfig::fromJson(lora.toJson()).toJson() == lora.toJson());
    QCOMPARE(lora.toJson().at("lora_targets").get<std::string>(), std::string("query,value"));
    QVERIFY(!run(Method::Full).toJson().contains("lora_rank"));
    QVERIFY(!run(Method::Lora).toJson().contains("adapter_placement"));
}

QTEST_APPLESS_MAIN(TestMethods)
#include "test_methods.moc"
