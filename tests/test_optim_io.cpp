// The pieces shared by training and pre-training: the weight-decay rule and the AdamW groups,
// the atomic file writer, and the pre-training stages that stand alone (options, packing, the
// resume identity).
#include "test_util.h"

#include "model/param_spec.h"
#include "pretrain/stages.h"
#include "train/optimizer.h"
#include "util/atomic_file.h"
#include "util/error.h"

#include <QTemporaryDir>

#include <filesystem>
#include <fstream>
#include <iterator>

using namespace adapterlab;

namespace {

std::string readAll(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

} // namespace

class TestOptimIo : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void decaysWeight_data();
    void decaysWeight();
    void decayRuleMatchesTheParameterGroups();
    void adamWGroupsKeepTheirOrder();
    void atomicWriteKeepsTheOldFileOnFailure();
    void atomicWriteRemakesAVanishedFolder();
    void optionsResolveAndRefuse_data();
    void optionsResolveAndRefuse();
    void packSequencesCutsCorpusIntoRows();
    void stateIdentityNamesWhatChangesTheRun();
};

void TestOptimIo::decaysWeight_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("decays");
    const std::pair<const char*, bool> rows[] = {
        {"embeddings.word_embeddings.weight", true},
        {"bert.embeddings.word_embeddings.weight", true},
        {"embeddings.LayerNorm.weight", false},
        {"bert.embeddings.LayerNorm.bias", false},
        {"encoder.layer.3.attention.self.query.weight", true},
        {"encoder.layer.3.attention.self.query.bias", false},
        {"bert.encoder.layer.0.output.LayerNorm.weight", false},
        {"encoder.layer.0.output.adapter.down.weight", true},
        {"encoder.layer.0.attention.output.adapter.up.bias", false},
        {"pooler.dense.weight", true},
        {"classifier.weight", true},
        {"classifier.bias", false},
        // The MLM head's own names, and ELECTRA's generator and detector.
        {"dense.weight", true},
        {"dense.bias", false},
        {"LayerNorm.weight", false},
        {"LayerNorm.bias", false},
        {"bias", false},
        {"layer_0.attention.output.LayerNorm.weight", false},
        {"out.weight", true},
        {"out.bias", false},
        // Neither a bias nor a LayerNorm parameter, whatever their names hold.
        {"biases.weight", true},
        {"dense.bias_scale", true},
    };
    for (const auto& [name, decays] : rows)
        QTest::newRow(name) << QString(name) << decays;
}

void TestOptimIo::decaysWeight() {
    QFETCH(QString, name);
    QFETCH(bool, decays);
    QCOMPARE(train::decaysWeight(name.toStdString()), decays);
}

void TestOptimIo::decayRuleMatchesTheParameterGroups() {
    // Fine-tuning's rule was "not the LayerNorm group, not a .bias": the same for every name a
    // model with adapters and a head has, with or without the checkpoint prefix.
    model::BertConfig c;
    c.numLayers = 2;
    c.labels = {"a", "b", "c"};
    for (const auto& spec : model::parameterSpecs(c, model::AdapterConfig{8, 1e-2}, true)) {
        const bool bias =
            spec.name.size() >= 5 && spec.name.substr(spec.name.size() - 5) == ".bias";
        const bool expected = spec.group != model::ParamGroup::LayerNorm && !bias;
        QVERIFY2(train::decaysWeight(spec.name) == expected, spec.name.c_str());
        QVERIFY2(train::decaysWeight("bert." + spec.name) == expected, spec.name.c_str());
    }
}

void TestOptimIo::adamWGroupsKeepTheirOrder() {
    const std::vector<std::string> names{"a.weight", "a.bias", "LayerNorm.weight",
                                         "b.weight", "bias",   "c.weight"};
    std::vector<std::pair<std::string, torch::Tensor>> named;
    for (size_t i = 0; i < names.size(); ++i)
        named.emplace_back(names[i], torch::full({2}, static_cast<float>(i)));
    const auto opt = train::makeAdamW(named, 3e-4, 0.05);
    const auto& groups = opt->param_groups();
    QCOMPARE(groups.size(), size_t(2));
    // Decaying parameters first, the others second, each in the given order (states load by
    // position).
    const auto values = [](const torch::optim::OptimizerParamGroup& g) {
        std::vector<float> v;
        for (const auto& p : g.params())
            v.push_back(p[0].item<float>());
        return v;
    };
    QCOMPARE(values(groups[0]), (std::vector<float>{0, 3, 5}));
    QCOMPARE(values(groups[1]), (std::vector<float>{1, 2, 4}));
    QVERIFY(groups[0].params()[0].is_same(named[0].second));
    const auto& decay = static_cast<const torch::optim::AdamWOptions&>(groups[0].options());
    const auto& plain = static_cast<const torch::optim::AdamWOptions&>(groups[1].options());
    QCOMPARE(decay.weight_decay(), 0.05);
    QCOMPARE(plain.weight_decay(), 0.0);
    for (const auto* o : {&decay, &plain}) {
        QCOMPARE(std::get<0>(o->betas()), 0.9);
        QCOMPARE(std::get<1>(o->betas()), 0.999);
        QCOMPARE(o->eps(), 1e-6);
        QCOMPARE(o->lr(), 3e-4);
    }
    train::setLearningRate(*opt, 1.5e-5);
    QCOMPARE(decay.lr(), 1.5e-5);
    QCOMPARE(plain.lr(), 1.5e-5);
}

void TestOptimIo::atomicWriteKeepsTheOldFileOnFailure() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("state.bin").toStdString();
    writeFileAtomically(path, std::string_view("old contents"));
    QCOMPARE(readAll(path), std::string("old contents"));
    // A writer that fails halfway: the old file stays whole, no temporary file is left, and the
    // error names the file and the reason (the first line of it).
    const std::string e = testutil::errorOf([&] {
        writeFileAtomically(
            path,
            [](const std::string& tmp) {
                std::ofstream(tmp) << "half";
                throw std::runtime_error("device full\nbacktrace follows");
            },
            "the state");
    });
    QCOMPARE(e, "cannot write the state '" + path + "': device full");
    QCOMPARE(readAll(path), std::string("old contents"));
    QVERIFY(!std::filesystem::exists(path + ".tmp"));
    // The writer's own Error passes unchanged.
    QCOMPARE(testutil::errorOf([&] {
                 writeFileAtomically(path, [](const std::string&) { throw Error("own words"); });
             }),
             std::string("own words"));
    writeFileAtomically(path, std::vector<char>{'n', 'e', 'w'});
    QCOMPARE(readAll(path), std::string("new"));
}

void TestOptimIo::atomicWriteRemakesAVanishedFolder() {
    QTemporaryDir dir;
    const std::filesystem::path folder = dir.filePath("checkpoints").toStdString();
    std::filesystem::create_directories(folder);
    const std::string path = (folder / "run-1.pt").string();
    // Another worker removes the shared folder while this one writes: made again, retried.
    int attempts = 0;
    writeFileAtomically(path, [&](const std::string& tmp) {
        if (++attempts == 1) std::filesystem::remove_all(folder);
        std::ofstream out(tmp);
        if (!(out << "weights")) throw std::runtime_error("cannot open " + tmp);
    });
    QCOMPARE(attempts, 2);
    QCOMPARE(readAll(path), std::string("weights"));
    // A folder that never existed is an error unless asked for.
    const std::string missing = dir.filePath("never/made.txt").toStdString();
    const std::string e = testutil::errorOf([&] { writeFileAtomically(missing, "x"); });
    QVERIFY2(e.find("cannot write '" + missing + "'") == 0, e.c_str());
    QVERIFY(!std::filesystem::exists(dir.filePath("never").toStdString()));
    writeFileAtomically(missing, "x", {}, MissingFolder::Create);
    QCOMPARE(readAll(missing), std::string("x"));
}

void TestOptimIo::optionsResolveAndRefuse_data() {
    QTest::addColumn<QString>("objective");
    QTest::addColumn<QString>("embeddingInit");
    QTest::addColumn<double>("learningRate");
    QTest::addColumn<QString>("error"); // empty: accepted
    QTest::newRow("defaults") << "mlm"
                              << "ppmi-svd" << 0.0 << "";
    QTest::newRow("electra, asked rate") << "electra"
                                         << "random" << 2e-4 << "";
    QTest::newRow("objective") << "bert"
                               << "random" << 0.0 << "unknown pre-training objective 'bert'";
    QTest::newRow("init") << "mlm"
                          << "glove" << 0.0 << "unknown embedding init 'glove'";
    QTest::newRow("rate") << "mlm"
                          << "random" << -1.0 << "the learning rate must be positive";
}

void TestOptimIo::optionsResolveAndRefuse() {
    QFETCH(QString, objective);
    QFETCH(QString, embeddingInit);
    QFETCH(double, learningRate);
    QFETCH(QString, error);
    pretrain::PretrainOptions o;
    o.outDir = "unused";
    o.maxSteps = 7;
    o.objective = objective.toStdString();
    o.embeddingInit = embeddingInit.toStdString();
    o.learningRate = learningRate;
    const std::string e = testutil::errorOf([&] {
        const auto plan = pretrain::validateOptions(o);
        QCOMPARE(plan.preset.steps, int64_t(7));
        QCOMPARE(plan.electra, objective == "electra");
        QVERIFY(!plan.continued());
        QCOMPARE(plan.peakLr,
                 learningRate > 0 ? learningRate : pretrain::pretrainPreset("mini").learningRate);
    });
    if (error.isEmpty())
        QCOMPARE(e, std::string());
    else
        QVERIFY2(e.find(error.toStdString()) != std::string::npos, e.c_str());
}

void TestOptimIo::packSequencesCutsCorpusIntoRows() {
    QTemporaryDir dir;
    const auto vocab = text::Vocab::fromTokens(
        {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "a", "b", "c", "d", "e"});
    const text::WordPieceTokenizer tok(vocab);
    const std::string corpus = dir.filePath("corpus.txt").toStdString();
    std::ofstream(corpus) << "a b c\nd\n\ne a\nb c d e a\n"; // 11 tokens; the blank line adds none
    const auto stream = pretrain::tokenizeCorpus(tok, corpus);
    QCOMPARE(stream, (std::vector<int64_t>{5, 6, 7, 8, 9, 5, 6, 7, 8, 9, 5}));
    // Rows of T = 5: [CLS] three tokens [SEP]; the 2 tokens left over fill no row.
    const auto rows = pretrain::packSequences(stream, vocab, 5, 3);
    QCOMPARE(rows.sizes().vec(), (std::vector<int64_t>{3, 5}));
    QVERIFY(rows.scalar_type() == torch::kLong);
    const std::vector<std::vector<int64_t>> expected{
        {2, 5, 6, 7, 3}, {2, 8, 9, 5, 3}, {2, 6, 7, 8, 3}};
    for (int64_t r = 0; r < 3; ++r)
        for (int64_t t = 0; t < 5; ++t)
            QCOMPARE(rows[r][t].item<int64_t>(),
                     expected[static_cast<size_t>(r)][static_cast<size_t>(t)]);
    // Three rows are too few for a batch of four.
    const std::string e = testutil::errorOf([&] { pretrain::packSequences(stream, vocab, 5, 4); });
    QVERIFY2(e.find("the corpus has 11 tokens: too few for one batch of 4 × 5") == 0, e.c_str());
    QVERIFY(!testutil::errorOf([&] { pretrain::packSequences(stream, vocab, 2, 1); }).empty());
}

void TestOptimIo::stateIdentityNamesWhatChangesTheRun() {
    pretrain::PretrainOptions o;
    o.outDir = "unused";
    o.seed = 3;
    o.embeddingInit = "random";
    auto plan = pretrain::validateOptions(o);
    const auto base = pretrain::stateIdentity(plan, o, 100, 40);
    const nlohmann::json expected = {{"preset", "mini"},
                                     {"seed", 3},
                                     {"vocab", 100},
                                     {"rows", 40},
                                     {"format", "adapterlab-pretrain-state"},
                                     {"version", 1}};
    QVERIFY2(base == expected, base.dump().c_str());
    // Only what differs from the defaults joins, so states written before those keys still load.
    o.embeddingInit = "ppmi-svd";
    o.objective = "electra";
    o.learningRate = 5e-4;
    plan = pretrain::validateOptions(o);
    auto more = base;
    more["embedding_init"] = "ppmi-svd";
    more["objective"] = "electra";
    more["learning_rate"] = 5e-4;
    const auto identity = pretrain::stateIdentity(plan, o, 100, 40);
    QVERIFY2(identity == more, identity.dump().c_str());
}

QTEST_APPLESS_MAIN(TestOptimIo)
#include "test_optim_io.moc"
