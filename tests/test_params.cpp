// Parameter accounting from the config: the paper's BERT-base numbers and every method.
#include "test_util.h"

#include "model/param_spec.h"
#include "train/param_count.h"
#include "util/error.h"

using namespace adapterlab;
using model::ParamGroup;
using train::Method;
using train::MethodSpec;

namespace {
int64_t group(const train::ParamCounts& c, ParamGroup g) { return c.byGroup[static_cast<size_t>(g)]; }
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
};

void TestParams::bertBaseBackbone() {
    const auto c = train::countParameters(model::BertConfig::base(), {Method::Full}, {}, false);
    QCOMPARE(c.backbone, int64_t(109'482'240));
    QCOMPARE(c.total, int64_t(109'482'240));
    QCOMPARE(group(c, ParamGroup::LayerNorm), int64_t(38'400));
    QCOMPARE(group(c, ParamGroup::Adapters), int64_t(0));
}

void TestParams::bertBaseAdapters() {
    model::AdapterConfig ad;
    ad.size = 64;
    const auto c = train::countParameters(model::BertConfig::base(), {Method::Adapter}, ad, true);
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
    const auto c = train::countParameters(cfg, {Method::Adapter}, ad, true);
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
    QCOMPARE(train::countParameters(cfg, {Method::HeadOnly}, ad).trainable, head);
    QCOMPARE(train::countParameters(cfg, {Method::LayerNorm}, ad).trainable, 38'400 + head);
    QCOMPARE(train::countParameters(cfg, {Method::Full}, ad).trainable, 109'482'240 + head);
    QCOMPARE(train::countParameters(cfg, {Method::TopK, 1}, ad).trainable, perLayer + pooler + head);
    QCOMPARE(train::countParameters(cfg, {Method::TopK, 3}, ad).trainable, 3 * perLayer + pooler + head);
    // Top-k over all layers trains everything but the embeddings.
    const auto all = train::countParameters(cfg, {Method::TopK, 12}, ad);
    QCOMPARE(all.trainable, all.total - group(all, ParamGroup::Embeddings) - 2 * 768); // - embedding LN
}

void TestParams::topKValidation() {
    const auto cfg = model::BertConfig::base();
    QVERIFY_THROWS_EXCEPTION(Error, train::countParameters(cfg, {Method::TopK, 13}, {}));
    QVERIFY_THROWS_EXCEPTION(Error, train::countParameters(cfg, {Method::TopK, 0}, {}));
    QVERIFY_THROWS_EXCEPTION(Error, train::parseMethod("lora"));
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

QTEST_APPLESS_MAIN(TestParams)
#include "test_params.moc"
