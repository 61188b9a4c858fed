// Parameter accounting from the config: the paper's BERT-base numbers and every method.
#include "test_util.h"

#include "model/param_spec.h"
#include "train/method.h"
#include "train/param_count.h"
#include "train/run_config.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

using namespace adapterlab;
using model::ParamGroup;
using train::Method;
using train::MethodSpec;

namespace {
int64_t group(const train::ParamCounts& c, ParamGroup g) { return c.byGroup[static_cast<size_t>(g)]; }

train::ParamCounts counts(const model::BertConfig& cfg, MethodSpec method,
                          const model::AdapterConfig& ad = {}, bool withHead = true) {
    train::RunConfig run;
    run.method = method;
    run.adapter = ad;
    return train::countParameters(cfg, run, withHead);
}

train::RunConfig runOf(Method m, int64_t knob = -1) {
    train::RunConfig run;
    run.method.method = m;
    const auto& k = train::methodInfo(m).knob;
    if (k && knob >= 0) k->set(run, knob);
    return run;
}
} // namespace

class TestParams : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void bertBaseBackbone();
    void bertBaseAdapters();
    void perAdapterFormula_data();
    void perAdapterFormula();
    void methods();
    void topKValidation();
    void specNamesAreUnique();
    void registryFormulas_data();
    void registryFormulas();
    void registryEntries();
};

void TestParams::bertBaseBackbone() {
    const auto c = counts(model::BertConfig::base(), {Method::Full}, {}, false);
    QCOMPARE(c.backbone, int64_t(109'482'240));
    QCOMPARE(c.total, int64_t(109'482'240));
    QCOMPARE(group(c, ParamGroup::LayerNorm), int64_t(38'400));
    QCOMPARE(group(c, ParamGroup::Adapters), int64_t(0));
}

void TestParams::bertBaseAdapters() {
    model::AdapterConfig ad;
    ad.size = 64;
    const auto c = counts(model::BertConfig::base(), {Method::Adapter}, ad, true);
    QCOMPARE(group(c, ParamGroup::Adapters), int64_t(2'379'264));
    QCOMPARE(c.backbone, int64_t(109'482'240));
    // Trainable: adapters + all LayerNorms + head (768·2 + 2).
    QCOMPARE(c.trainable, int64_t(2'379'264 + 38'400 + 1'538));
    QCOMPARE(c.trainableByGroup[static_cast<size_t>(ParamGroup::Attention)], int64_t(0));
    QVERIFY(qAbs(c.trainablePercent() - 2.2099) < 1e-3);
}

void TestParams::perAdapterFormula_data() {
    QTest::addColumn<int>("m");
    for (int m : {1, 8, 64, 256}) QTest::newRow(qPrintable(QString("m=%1").arg(m))) << m;
}

void TestParams::perAdapterFormula() {
    QFETCH(int, m);
    model::AdapterConfig ad;
    ad.size = m;
    model::BertConfig cfg = model::BertConfig::base();
    const auto c = counts(cfg, {Method::Adapter}, ad, true);
    const int64_t d = 768;
    QCOMPARE(group(c, ParamGroup::Adapters), 24 * (2 * m * d + d + m));
    QCOMPARE(model::adapterParams(d, m), 2 * m * d + d + m);
}

void TestParams::methods() {
    const auto cfg = model::BertConfig::base();
    const model::AdapterConfig ad;
    const int64_t head = 768 * 2 + 2;
    const int64_t pooler = 768 * 768 + 768;
    // One encoder layer: 4 d×d attention projections, the two FFN matrices, two LayerNorms.
    const int64_t perLayer = 4 * (768 * 768 + 768) + (768 * 3072 + 3072) + (3072 * 768 + 768) + 4 * 768;
    QCOMPARE(counts(cfg, {Method::HeadOnly}, ad).trainable, head);
    QCOMPARE(counts(cfg, {Method::LayerNorm}, ad).trainable, 38'400 + head);
    QCOMPARE(counts(cfg, {Method::Full}, ad).trainable, 109'482'240 + head);
    QCOMPARE(counts(cfg, {Method::TopK, 1}, ad).trainable, perLayer + pooler + head);
    QCOMPARE(counts(cfg, {Method::TopK, 3}, ad).trainable, 3 * perLayer + pooler + head);
    // Top-k over all layers trains everything but the embeddings.
    const auto all = counts(cfg, {Method::TopK, 12}, ad);
    QCOMPARE(all.trainable, all.total - group(all, ParamGroup::Embeddings) - 2 * 768); // - embedding LN
}

void TestParams::topKValidation() {
    const auto cfg = model::BertConfig::base();
    QVERIFY_THROWS_EXCEPTION(Error, counts(cfg, {Method::TopK, 13}, {}));
    QVERIFY_THROWS_EXCEPTION(Error, counts(cfg, {Method::TopK, 0}, {}));
    QVERIFY_THROWS_EXCEPTION(Error, train::parseMethod("dora"));
    QCOMPARE(train::parseMethod("head_only"), Method::HeadOnly);
}

void TestParams::specNamesAreUnique() {
    const auto specs = model::parameterSpecs(model::BertConfig::base(), model::AdapterConfig{}, true);
    QSet<QString> names;
    for (const auto& s : specs) names.insert(QString::fromStdString(s.name));
    QCOMPARE(names.size(), int(specs.size()));
    QCOMPARE(model::layerOf("encoder.layer.11.output.dense.weight"), 11);
    QCOMPARE(model::groupOf("encoder.layer.3.attention.output.LayerNorm.bias"), ParamGroup::LayerNorm);
    QCOMPARE(model::groupOf("encoder.layer.3.output.adapter.up.bias"), ParamGroup::Adapters);
    QCOMPARE(model::groupOf("encoder.layer.3.intermediate.dense.weight"), ParamGroup::FeedForward);
}

void TestParams::registryFormulas_data() {
    // Each method's closed-form formula against the accounting over the model's parameter list,
    // on BERT-base and on a small odd shape (so that d, L and f cannot be confused).
    // Variants: the run settings (beyond the knob) each row sets, as run.json.
    QTest::addColumn<int>("method");
    QTest::addColumn<int>("knob");
    QTest::addColumn<bool>("base");
    QTest::addColumn<QString>("settings");
    const std::vector<std::pair<Method, QString>> variants = {
        {Method::Adapter, R"({"adapter_placement": "attention"})"},
        {Method::Adapter,
         R"({"adapter_placement": "ffn", "adapter_norm": true, "adapter_layers": 3})"},
        {Method::Pfeiffer, R"({"adapter_norm": true, "adapter_layers": 2})"},
        {Method::Parallel, R"({"adapter_placement": "both"})"},
        {Method::Lora,
         R"({"lora_targets": "query,key,value,attention_output,intermediate,output"})"},
        {Method::Lora, R"({"lora_targets": "intermediate"})"},
        {Method::Prefix, R"({"prefix_hidden": 0})"}};
    for (const auto& m : train::methods()) {
        std::vector<QString> settings{"{}"};
        for (const auto& [method, v] : variants)
            if (method == m.method) settings.push_back(v);
        for (const auto& set : settings)
            for (bool base : {true, false})
                for (int knob : m.knob ? std::vector<int>{1, 2, 8} : std::vector<int>{0})
                    QTest::newRow(
                        qPrintable(QString("%1 %2=%3 %4 %5")
                                       .arg(QString::fromStdString(m.id))
                                       .arg(m.knob ? QString::fromStdString(m.knob->symbol) : "-")
                                       .arg(knob)
                                       .arg(base ? "bert-base" : "small")
                                       .arg(set)))
                        << static_cast<int>(m.method) << knob << base << set;
    }
}

void TestParams::registryFormulas() {
    QFETCH(int, method);
    QFETCH(int, knob);
    QFETCH(bool, base);
    QFETCH(QString, settings);
    model::BertConfig cfg = model::BertConfig::base();
    if (!base) {
        cfg.hiddenSize = 24;
        cfg.numLayers = 9;
        cfg.numHeads = 3;
        cfg.intermediateSize = 40;
        cfg.vocabSize = 101;
        cfg.maxPositions = 33;
        cfg.typeVocabSize = 3;
    }
    const auto& info = train::methodInfo(static_cast<Method>(method));
    auto j = nlohmann::json::parse(settings.toStdString());
    j["method"] = info.id;
    train::RunConfig run = train::RunConfig::fromJson(j);
    if (info.knob) info.knob->set(run, knob);
    QVERIFY(train::countParameters(cfg, run, false).trainable > 0 ||
            info.method == Method::HeadOnly);
    const auto counted = train::countParameters(cfg, run, false).trainable;
    const train::Shape shape{cfg.hiddenSize, cfg.numLayers,    cfg.intermediateSize,
                             cfg.vocabSize,  cfg.maxPositions, cfg.typeVocabSize};
    QCOMPARE(info.count(shape, run), counted);
}

void TestParams::registryEntries() {
    // The paper's BERT-base numbers from the formulas alone (head excluded).
    const train::Shape base;
    const auto formula = [&](Method m, int64_t knob = -1) {
        return train::methodInfo(m).count(base, runOf(m, knob));
    };
    QCOMPARE(formula(Method::Adapter, 64), int64_t(2'379'264 + 38'400));
    QCOMPARE(formula(Method::Full), int64_t(109'482'240));
    QCOMPARE(formula(Method::LayerNorm), int64_t(38'400));
    // The PEFT methods' BERT-base counts (issue 20): LoRA on query and value, r = 8: 4·L·d·r;
    // a folded prefix of l = 10: 2·L·l·d; (IA)³: L·(2·d + f); Pfeiffer, m = 48: L·(2·d·m + d + m).
    QCOMPARE(formula(Method::Lora, 8), int64_t(294'912));
    QCOMPARE(formula(Method::Prefix, 10), int64_t(184'320));
    QCOMPARE(formula(Method::Ia3), int64_t(55'296));
    QCOMPARE(formula(Method::Pfeiffer, 48), int64_t(894'528));
    QCOMPARE(formula(Method::Parallel, 64), int64_t(12 * (2 * 768 * 64 + 768 + 64)));
    // A prefix trains through its MLP (l·d + h·(d + 1) + (h + 1)·2·L·d), saved folded (2·L·l·d).
    const auto prefix =
        train::countParameters(model::BertConfig::base(), runOf(Method::Prefix, 10));
    QCOMPARE(prefix.trainable, int64_t(184'320 + 1'538));
    QCOMPARE(prefix.trainingOnly, int64_t(10 * 768 + 512 * 769 + 513 * 2 * 12 * 768 - 184'320));
    QCOMPARE(train::countParameters(model::BertConfig::base(), runOf(Method::Lora, 8)).trainingOnly,
             int64_t(0));
    // The counts as saved equal those of the model's parameter list, head included.
    QCOMPARE(train::countParameters(model::BertConfig::base(), runOf(Method::Lora, 8)).trainable,
             int64_t(294'912 + 1'538));
    // BitFit on BERT-base: 12 · (7 · 768 + 3072) encoder biases + the embeddings' LayerNorm β and
    // the pooler's bias (2 · 768) = 102,912, 0.094% of the backbone.
    QCOMPARE(formula(Method::BitFit), int64_t(102'912));
    const auto bitfit = counts(model::BertConfig::base(), {Method::BitFit}, {});
    QCOMPARE(bitfit.trainable, int64_t(102'912 + 768 * 2 + 2));
    QCOMPARE(bitfit.trainableByGroup[static_cast<size_t>(ParamGroup::LayerNorm)], int64_t(25 * 768));
    QCOMPARE(bitfit.trainableByGroup[static_cast<size_t>(ParamGroup::Embeddings)], int64_t(0));
    // Every method once, ids and aliases unique, each parses back to itself.
    QSet<QString> ids;
    for (const auto& m : train::methods()) {
        QCOMPARE(train::parseMethod(m.id), m.method);
        QCOMPARE(std::string(train::toString(m.method)), m.id);
        QVERIFY2(!ids.contains(QString::fromStdString(m.id)), m.id.c_str());
        ids.insert(QString::fromStdString(m.id));
        for (const auto& a : m.aliases) {
            QCOMPARE(train::parseMethod(a), m.method);
            QVERIFY(!ids.contains(QString::fromStdString(a)));
            ids.insert(QString::fromStdString(a));
        }
        QVERIFY(!m.name.empty() && !m.series.empty() && !m.formula.empty() && m.trainable &&
                m.count);
        if (m.knob) {
            QVERIFY(m.knob->min <= m.knob->defaultValue && m.knob->defaultValue <= m.knob->max);
            QVERIFY(std::find(m.settings.begin(), m.settings.end(), m.knob->setting) !=
                    m.settings.end());
            train::RunConfig c;
            c.method.method = m.method;
            m.knob->set(c, m.knob->defaultValue);
            QCOMPARE(train::knobValue(c), m.knob->defaultValue);
            // The knob's setting is the run.json key that holds it.
            QCOMPARE(c.toJson().at(m.knob->setting).get<int64_t>(), m.knob->defaultValue);
        }
    }
    QCOMPARE(train::methods().size(), size_t(11));
    QCOMPARE(train::methodIdList(),
             std::string("adapter | full | top_k | layernorm | head_only | bitfit | "
                         "lora | prefix | ia3 | pfeiffer | parallel"));
    QCOMPARE(train::parseMethod("adapters"), Method::Adapter);
    const std::string err = testutil::errorOf([] { train::parseMethod("dora"); });
    QVERIFY2(
        err.find("expected adapter, full, top_k, layernorm, head_only, bitfit, lora, prefix, ia3, "
                 "pfeiffer or parallel") != std::string::npos,
        err.c_str());
    train::RunConfig c;
    c.method = {Method::TopK, 3};
    QCOMPARE(train::knobText(c), std::string("k=3"));
    c.method.method = Method::Full;
    QCOMPARE(train::knobText(c), std::string());
    QCOMPARE(train::knobValue(c), int64_t(0));
}

QTEST_APPLESS_MAIN(TestParams)
#include "test_params.moc"
