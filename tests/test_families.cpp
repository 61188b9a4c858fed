// Encoder families beyond BERT (RoBERTa, XLM-R, ELECTRA, DistilBERT): each one against an
// independent float64 re-implementation of its Hugging Face forward pass (write_hf_family.py),
// its parameter names and counts, its config keys, and the refusal of other architectures.
#include "experiments/run_job.h"
#include "model/hf_import.h"
#include "model/param_spec.h"
#include "test_util.h"
#include "text/tokenizer_files.h"
#include "train/adapter_formats.h"
#include "train/param_count.h"
#include "train/predictor.h"
#include "train_fixture.h"

#include <nlohmann/json.hpp>

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace adapterlab;
using nlohmann::json;

namespace {

const char* const kFamilies[] = {"roberta", "xlm-roberta", "electra", "distilbert"};

torch::Tensor tensorOf(const json& j, torch::ScalarType type) {
    // nested lists -> tensor (via float64)
    std::vector<int64_t> shape;
    for (const json* p = &j; p->is_array(); p = &(*p)[0])
        shape.push_back(int64_t(p->size()));
    std::vector<double> flat;
    std::function<void(const json&)> walk = [&](const json& v) {
        if (v.is_array())
            for (const auto& e : v)
                walk(e);
        else
            flat.push_back(v.get<double>());
    };
    walk(j);
    return torch::tensor(flat, torch::kDouble).view(shape).to(type);
}

// A byte-level BPE vocabulary whose merges build each word whole, with and without its space
// ("Ġgood", "good"), over single characters.
void writeWordBpe(const QString& dir, const QStringList& words) {
    json vocab = {{"<s>", 0}, {"<pad>", 1}, {"</s>", 2}, {"<unk>", 3}, {"<mask>", 4}};
    std::vector<std::string> merges;
    const auto add = [&](const std::string& t) {
        if (!vocab.contains(t)) vocab[t] = vocab.size();
    };
    for (const auto& w : words) {
        for (const std::string& start : {std::string(), std::string("\u0120")}) {
            // "\u0120" is Ġ, the byte-level character of a space
            std::string cur = start.empty() ? std::string(1, w.toStdString()[0]) : "\u0120";
            add(cur);
            for (size_t i = start.empty() ? 1 : 0; i < size_t(w.size()); ++i) {
                const std::string c(1, w.toStdString()[i]);
                add(c);
                merges.push_back(cur + " " + c);
                cur += c;
                add(cur);
            }
        }
    }
    std::ofstream(QString(dir + "/vocab.json").toStdString()) << vocab.dump();
    std::ofstream m(QString(dir + "/merges.txt").toStdString());
    m << "#version: 0.2\n";
    for (const auto& x : merges)
        m << x << "\n";
}

double maxDiff(const torch::Tensor& a, const torch::Tensor& b) {
    return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

// Max |logits a - logits b| on [CLS] 7 8 [SEP] (the tokenizer's specials), both in eval mode.
double logitDiff(model::BertModel a, model::BertModel b, const text::TextTokenizer& tok) {
    a->eval();
    b->eval();
    const auto ids = torch::tensor(
        {{int64_t(tok.special().cls), int64_t(7), int64_t(8), int64_t(tok.special().sep)}});
    const auto ones = torch::ones({1, 4}, torch::kLong);
    torch::NoGradGuard guard;
    return maxDiff(a->logits(ids, ones * 0, ones), b->logits(ids, ones * 0, ones));
}

} // namespace

class TestFamilies : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    QString python_;

    std::string folder(const char* family) {
        const QString dir = tmp_.filePath(family);
        if (!QFileInfo::exists(dir + "/reference.json")) {
            QProcess p;
            p.start(python_, {QFINDTESTDATA("write_hf_family.py"), family, dir});
            if (!p.waitForFinished(120000) || p.exitCode() != 0)
                qFatal("write_hf_family.py %s failed: %s", family,
                       p.readAllStandardError().constData());
        }
        return dir.toStdString();
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(tmp_.isValid());
        python_ = testutil::pythonWithTorch();
    }

    // Hidden states and logits equal the reference within 1e-4, for every family; the parameter
    // count is the reference's; the fast [CLS]-only logits path agrees.
    void matchesReference_data() {
        QTest::addColumn<QString>("family");
        for (const char* f : kFamilies)
            QTest::newRow(f) << QString(f);
    }
    void matchesReference() {
        if (python_.isEmpty()) QSKIP("no python3 with PyTorch (Debian: python3-torch)");
        QFETCH(QString, family);
        const std::string dir = folder(family.toUtf8().constData());
        const json ref = json::parse(std::ifstream(dir + "/reference.json"));
        model::ImportReport report;
        auto m = model::loadHfModel(model::HfModelFiles::inDirectory(dir), {}, true, &report);
        m->eval();
        QVERIFY(report.headLoaded);
        // Only transformers' position_ids buffer is left over.
        QCOMPARE(report.unused.size(), size_t(1));
        QVERIFY(report.unused[0].find("position_ids") != std::string::npos);
        QCOMPARE(m->config().info().modelType, family.toStdString());

        int64_t total = 0;
        for (const auto& p : model::parameterSpecs(m->config(), {}, true))
            total += p.numel();
        QCOMPARE(total, ref["parameters"].get<int64_t>());
        int64_t registered = 0;
        for (const auto& p : m->parameters())
            registered += p.numel();
        QCOMPARE(registered, total);

        torch::NoGradGuard guard;
        const auto ids = tensorOf(ref["input_ids"], torch::kLong);
        const auto mask = tensorOf(ref["attention_mask"], torch::kLong);
        const auto types = tensorOf(ref["token_type_ids"], torch::kLong);
        const auto out = m->forward(ids, types, mask);
        const double dh = maxDiff(out.sequence, tensorOf(ref["last_hidden_state"], torch::kDouble));
        const double dl = maxDiff(out.logits, tensorOf(ref["logits"], torch::kDouble));
        qInfo("%s: max |hidden - reference| = %.3g, max |logits - reference| = %.3g",
              qPrintable(family), dh, dl);
        QVERIFY2(dh < 1e-4, qPrintable(QString::number(dh)));
        QVERIFY2(dl < 1e-4, qPrintable(QString::number(dl)));
        QVERIFY(maxDiff(m->logits(ids, types, mask), out.logits) < 1e-5);

        // A folded prefix of 3 keys and values per layer, the tokens numbered after it (as
        // transformers numbers them after 3 cached keys: PEFT's prefix tuning).
        if (ref["prefix"].is_null()) return; // DistilBERT takes no past keys and values
        model::PrefixConfig pre;
        pre.length = 3;
        pre.hidden = 0;
        pre.shiftPositions = true;
        model::MethodModules modules;
        modules.prefix = pre;
        auto p = model::loadHfModel(model::HfModelFiles::inDirectory(dir), modules, true);
        p->eval();
        p->prefixEmbedding.copy_(tensorOf(ref["prefix"], torch::kFloat));
        const double dp =
            maxDiff(p->logits(ids, types, mask), tensorOf(ref["prefix_logits"], torch::kDouble));
        qInfo("%s with a shifted prefix: max |logits - reference| = %.3g", qPrintable(family), dp);
        QVERIFY2(dp < 1e-4, qPrintable(QString::number(dp)));
        QVERIFY(maxDiff(p->forward(ids, types, mask).logits, p->logits(ids, types, mask)) < 1e-5);
    }

    // Saved in the family's own layout (names and config keys) and read back the same.
    void roundTrip() {
        if (python_.isEmpty()) QSKIP("no python3 with PyTorch (Debian: python3-torch)");
        for (const char* family : kFamilies) {
            const std::string dir = folder(family);
            auto m = model::loadHfModel(model::HfModelFiles::inDirectory(dir), {}, true);
            m->eval();
            const std::string out = tmp_.filePath(QString(family) + "-saved").toStdString();
            model::saveHfModel(m, out);
            const auto original = model::Checkpoint::load(dir + "/pytorch_model.bin");
            const auto saved = model::Checkpoint::load(out + "/model.safetensors");
            std::set<std::string> a, b;
            for (const auto& e : original.entries())
                if (e.name.find("position_ids") == std::string::npos) a.insert(e.name);
            for (const auto& e : saved.entries())
                b.insert(e.name);
            QVERIFY2(a == b, family);
            const json cfg = json::parse(std::ifstream(out + "/config.json"));
            QCOMPARE(cfg["model_type"].get<std::string>(), std::string(family));
            QCOMPARE(model::BertConfig::fromJson(cfg).toJson(), m->config().toJson());
            auto back = model::loadHfModel(model::HfModelFiles::inDirectory(out), {}, true);
            back->eval();
            const auto ids = torch::tensor({{5, 6, 7, 8}}, torch::kLong);
            const auto ones = torch::ones({1, 4}, torch::kLong);
            torch::NoGradGuard guard;
            QVERIFY(torch::equal(m->forward(ids, ones * 0, ones).logits,
                                 back->forward(ids, ones * 0, ones).logits));
        }
    }

    // The family comes from model_type, else from architectures; anything else is refused
    // naming it and the supported model types.
    void architectureDetection() {
        const json base = {{"vocab_size", 50},
                           {"hidden_size", 8},
                           {"num_hidden_layers", 1},
                           {"num_attention_heads", 2},
                           {"intermediate_size", 16}};
        json j = base;
        j["architectures"] = {"RobertaForMaskedLM"};
        QVERIFY(model::BertConfig::fromJson(j).family == model::Family::Roberta);
        j["architectures"] = {"XLMRobertaModel"};
        QVERIFY(model::BertConfig::fromJson(j).family == model::Family::XlmRoberta);
        j["architectures"] = {"BertForPreTraining"};
        QVERIFY(model::BertConfig::fromJson(j).family == model::Family::Bert);
        j["architectures"] = {"DebertaV2ForSequenceClassification"};
        std::string e = testutil::errorOf([&] { model::BertConfig::fromJson(j, "x/config.json"); });
        QVERIFY2(e.find("x/config.json") != std::string::npos &&
                     e.find("DebertaV2ForSequenceClassification") != std::string::npos &&
                     e.find("roberta, xlm-roberta, electra, distilbert") != std::string::npos,
                 e.c_str());
        j = base;
        j["model_type"] = "modernbert";
        e = testutil::errorOf([&] { model::BertConfig::fromJson(j); });
        QVERIFY2(e.find("\"modernbert\" is not supported") != std::string::npos, e.c_str());
        // RoBERTa's position table must leave room after pad_token_id + 1.
        j = base;
        j.update({{"model_type", "roberta"}, {"max_position_embeddings", 3}, {"pad_token_id", 1}});
        e = testutil::errorOf([&] { model::BertConfig::fromJson(j); });
        QVERIFY2(e.find("pad_token_id + 1") != std::string::npos, e.c_str());
        // ELECTRA's embedding width and DistilBERT's own keys.
        j = base;
        j.update({{"model_type", "electra"}, {"embedding_size", 4}});
        auto c = model::BertConfig::fromJson(j);
        QCOMPARE(c.embeddingDim(), int64_t(4));
        int64_t project = 0;
        for (const auto& p : model::parameterSpecs(c, {}, false))
            if (p.name.rfind("embeddings_project.", 0) == 0) project += p.numel();
        QCOMPARE(project, int64_t(4 * 8 + 8));
        const json distil = {{"model_type", "distilbert"},
                             {"vocab_size", 50},
                             {"dim", 8},
                             {"n_layers", 1},
                             {"n_heads", 2},
                             {"hidden_dim", 16},
                             {"activation", "relu"}};
        e = testutil::errorOf([&] { model::BertConfig::fromJson(distil); });
        QVERIFY2(e.find("activation \"relu\" is not supported") != std::string::npos, e.c_str());
    }

    // A full, an adapter and a LoRA run on a backbone of every family finish and are stored; the
    // stored counts are the model's, the run predicts through its family's tokenizer, and the layer
    // ablation runs.
    void trainEachFamily() {
        testutil::Fixture fx;
        const QStringList words{"good", "great", "fine", "nice", "bad", "awful", "poor", "sad",
                                "the",  "a",     "film", "plot", "is",  "was",   "very", "and"};
        store::Store store(fx.path("runs.db"));
        for (const char* family : {"bert", "roberta", "xlm-roberta", "electra", "distilbert"}) {
            const QString dir = fx.dir.filePath(QString("bb-") + family);
            QDir().mkpath(dir);
            model::BertConfig c;
            c.family = model::BertConfig::familyOf(json{{"model_type", family}}, "test");
            c.hiddenSize = 32;
            c.numLayers = 2;
            c.numHeads = 2;
            c.intermediateSize = 64;
            c.maxPositions = 64;
            const std::string f = family;
            if (f == "roberta" || f == "xlm-roberta") {
                c.typeVocabSize = 1;
                c.padTokenId = 1;
                c.layerNormEps = 1e-5;
                c.maxPositions = 66;
            }
            if (f == "distilbert") c.typeVocabSize = 0;
            if (f == "electra") c.embeddingSize = 16;
            if (f == "roberta") {
                writeWordBpe(dir, words);
            } else if (f == "xlm-roberta") {
                const QString train = QStandardPaths::findExecutable("spm_train");
#if defined(__SANITIZE_ADDRESS__)
                qWarning("sanitizer build: no XLM-R run (SentencePiece needs RTLD_DEEPBIND)");
                continue;
#endif
                if (train.isEmpty()) {
                    qWarning("spm_train absent (Debian: sentencepiece): no XLM-R run");
                    continue;
                }
                // A corpus of the task's words, so that most of them become pieces.
                QByteArray corpus;
                for (int i = 0; i < 400; ++i) {
                    QStringList line;
                    for (int j = 1; j < 8; ++j)
                        line << words[(i * j + i) % words.size()];
                    corpus += line.join(' ').toUtf8() + "\n";
                }
                fx.writeFile("words.txt", corpus);
                QProcess p;
                p.start(train,
                        {"--input=" + fx.dir.filePath("words.txt"), "--model_prefix=" + dir + "/sp",
                         "--vocab_size=60", "--hard_vocab_limit=false", "--minloglevel=2"});
                QVERIFY(p.waitForFinished(120000) && p.exitCode() == 0);
                QVERIFY(QFile::rename(dir + "/sp.model", dir + "/sentencepiece.bpe.model"));
            } else {
                QVERIFY(QFile::copy(fx.dir.filePath("bb/vocab.txt"), dir + "/vocab.txt"));
            }
            c.vocabSize = int64_t(text::loadTokenizer(dir.toStdString())->size());
            torch::manual_seed(11);
            model::BertModel m(c, model::MethodModules{}, false);
            model::saveHfModel(m, dir.toStdString());
            // Full fine-tuning learns the word-level task from the random backbone in every
            // family (adapters on a random backbone stay near chance: test_train says why).
            for (auto method : {train::Method::Full, train::Method::Adapter, train::Method::Lora}) {
                auto cfg = fx.config(method, method == train::Method::Full ? 6 : 2);
                cfg.backbone = dir.toStdString();
                const int64_t id = experiments::runTraining(store, cfg);
                const auto rec = store.run(id);
                QVERIFY2(rec.status == store::RunStatus::Finished, family);
                const auto counts =
                    train::countParameters(experiments::loadRun(store, id).model->config(), cfg);
                QCOMPARE(rec.paramsTrainable, counts.trainable);
                auto run = experiments::loadRun(store, id);
                int64_t registered = 0;
                for (const auto& p : run.model->parameters())
                    registered += p.numel();
                QCOMPARE(rec.paramsTotal, registered);
                qInfo("%s %s: best dev %s", family, train::toString(method),
                      rec.bestMetrics.dump().c_str());
                if (method == train::Method::Full)
                    QVERIFY2(rec.bestScore > 0.9, qPrintable(QString::number(rec.bestScore)));
                train::Predictor predictor(run.model, run.tokenizer, 32);
                const auto preds = predictor.predict(
                    {{"the film was good", std::nullopt}, {"a bad plot", std::string("very sad")}});
                QCOMPARE(preds.size(), size_t(2));
                QCOMPARE(preds[0].probabilities.size(), size_t(2));
                if (method == train::Method::Lora) {
                    // PEFT's layout in the family's names, and read back to the same logits.
                    const std::string out = fx.path(QString("peft-") + family);
                    train::exportAdapter(run.model, cfg, train::AdapterFormat::Peft, out, "task");
                    const json pc = json::parse(std::ifstream(out + "/adapter_config.json"));
                    const auto st = model::Checkpoint::load(out + "/adapter_model.safetensors");
                    const bool distil = f == "distilbert";
                    const std::string base = "base_model.model." + c.info().prefix;
                    QVERIFY2(st.find(base +
                                     (distil ? ".transformer.layer.1.attention.v_lin"
                                             : ".encoder.layer.1.attention.self.value") +
                                     ".lora_B.weight"),
                             family);
                    QVERIFY2(pc["target_modules"] ==
                                 (distil ? json{"q_lin", "v_lin"} : json{"query", "value"}),
                             pc.dump().c_str());
                    const char* head =
                        f == "bert" || distil ? "classifier.weight" : "classifier.out_proj.weight";
                    QVERIFY2(st.find(std::string("base_model.model.") + head), family);
                    if (distil) QVERIFY(st.find("base_model.model.pre_classifier.weight"));
                    QVERIFY(pc["modules_to_save"] ==
                            (distil ? json{"pre_classifier", "classifier"} : json{"classifier"}));
                    auto back = train::importAdapter(
                        model::HfModelFiles::inDirectory(dir.toStdString()), out);
                    QVERIFY(back.config.lora.targets == cfg.lora.targets);
                    QVERIFY(logitDiff(back.model, run.model, *run.tokenizer) < 1e-6);
                }
                if (method == train::Method::Adapter) {
                    const auto rows = experiments::ablateRun(store, id);
                    QVERIFY(rows.size() > size_t(c.numLayers));
                    // AdapterLab's own format holds any family.
                    const std::string out = fx.path(QString("export-") + family);
                    train::exportAdapter(run.model, cfg, train::AdapterFormat::AdapterLab, out,
                                         "task");
                    auto back = train::importAdapter(
                        model::HfModelFiles::inDirectory(dir.toStdString()), out);
                    QVERIFY(logitDiff(back.model, run.model, *run.tokenizer) < 1e-6);
                    if (f != "bert") { // AdapterHub's layout names BERT's modules
                        const std::string e = testutil::errorOf([&] {
                            train::exportAdapter(run.model, cfg, train::AdapterFormat::AdapterHub,
                                                 out + "-hub", "task");
                        });
                        QVERIFY2(e.find("peft, adapterlab") != std::string::npos, e.c_str());
                    }
                }
            }
        }
    }

    // DistilBERT's sinusoidal table: sin on even columns, cos on odd, angle p / 10000^(2⌊j/2⌋/d).
    void sinusoidalPositions() {
        model::BertConfig c;
        c.family = model::Family::DistilBert;
        c.typeVocabSize = 0;
        c.hiddenSize = 8;
        c.numHeads = 2;
        c.numLayers = 1;
        c.intermediateSize = 16;
        c.vocabSize = 20;
        c.maxPositions = 10;
        c.sinusoidalPositions = true;
        model::BertModel m(c, model::MethodModules{}, false);
        const auto w = m->positionEmbeddings->weight;
        QVERIFY(std::abs(w[3][4].item<double>() - std::sin(3 / std::pow(10000.0, 4.0 / 8))) < 1e-6);
        QVERIFY(std::abs(w[3][5].item<double>() - std::cos(3 / std::pow(10000.0, 4.0 / 8))) < 1e-6);
        QVERIFY(std::abs(w[0][1].item<double>() - 1.0) < 1e-6);
    }
};

QTEST_GUILESS_MAIN(TestFamilies)
#include "test_families.moc"
