// Adapter folders other tools read: AdapterHub (save_adapter), PEFT (LoRA, (IA)³) and
// AdapterLab's own. Each round trip must give the same logits; names and configs are checked
// against the libraries' published layouts; foreign folders that cannot be held are refused.
#include "model/checkpoint.h"
#include "model/hf_import.h"
#include "test_util.h"
#include "train/adapter_formats.h"
#include "train/method.h"
#include "train/task_params.h"
#include "train_fixture.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

using namespace adapterlab;
using train::AdapterFormat;
using train::Method;
namespace fs = std::filesystem;
using nlohmann::json;

// QCOMPARE cannot print nlohmann::json; this says what was found instead.
#define JSON_EQ(actual, expected)                                                                  \
    QVERIFY2((actual) == (expected), (json(actual).dump() + " != " + json(expected).dump()).c_str())

namespace {

json readJson(const std::string& path) {
    std::ifstream in(path);
    return json::parse(in);
}

void writeJson(const std::string& path, const json& j) {
    std::ofstream(path) << j.dump(2);
}

// Fixed inputs: two sequences, one padded.
torch::Tensor logitsOf(model::BertModel m) { // a shared handle
    m->eval();
    torch::NoGradGuard g;
    const auto ids = torch::tensor({{2, 7, 9, 11, 3}, {2, 5, 8, 3, 0}}, torch::kLong);
    const auto mask = torch::tensor({{1, 1, 1, 1, 1}, {1, 1, 1, 1, 0}}, torch::kLong);
    return m->logits(ids, torch::zeros_like(ids), mask);
}

} // namespace

class TestAdapterFormats : public QObject {
    Q_OBJECT

    std::unique_ptr<testutil::Fixture> fixture_;
    QTemporaryDir tmp_;
    int folders_ = 0;

    std::string newFolder() {
        return tmp_.filePath("out" + QString::number(++folders_)).toStdString();
    }
    model::HfModelFiles backbone() const {
        return model::HfModelFiles::inDirectory(fixture_->backbone, true);
    }

    // A "trained" run: the backbone with the method's modules, every trained tensor random.
    model::BertModel trained(const train::RunConfig& rc, uint64_t seed = 3) {
        auto c = model::BertConfig::fromFile(backbone().config);
        c.labels = {"neg", "pos", "mixed"};
        model::BertModel m(c, train::methodModules(rc, false), true);
        m->setPooling(rc.pooling);
        model::loadHfWeights(m, model::Checkpoint::load(backbone().weights), false);
        torch::manual_seed(seed);
        auto params = m->named_parameters();
        torch::NoGradGuard g;
        for (const auto& name : train::trainableParameterNames(m, rc.method))
            params[name].uniform_(-0.5, 0.5);
        return m;
    }

    // Export, import, compare: the same logits (copied weights: within 1e-6).
    void roundTrip(const train::RunConfig& rc, AdapterFormat format, const char* what) {
        auto m = trained(rc);
        const std::string dir = newFolder();
        const auto report = train::exportAdapter(m, rc, format, dir);
        QVERIFY2(!report.files.empty(), what);
        QCOMPARE(train::detectAdapterFormat(dir), format);
        auto imported = train::importAdapter(backbone(), dir);
        QCOMPARE(imported.config.method.method, rc.method.method);
        QCOMPARE(imported.labels, (std::vector<std::string>{"neg", "pos", "mixed"}));
        const auto a = logitsOf(m), b = logitsOf(imported.model);
        const double diff = (a - b).abs().max().item<double>();
        QVERIFY2(diff < 1e-6, (std::string(what) + ": " + std::to_string(diff)).c_str());
        // The untouched backbone gives other logits: the adapter was really loaded.
        QVERIFY2((a - logitsOf(trained(rc, 77))).abs().max().item<double>() > 1e-3, what);
    }

private Q_SLOTS:
    void initTestCase() { fixture_ = std::make_unique<testutil::Fixture>(); }

    void roundTrips() {
        auto houlsby = fixture_->config(Method::Adapter);
        roundTrip(houlsby, AdapterFormat::AdapterHub, "houlsby/adapterhub");
        roundTrip(houlsby, AdapterFormat::AdapterLab, "houlsby/adapterlab");
        auto variant = houlsby;
        variant.adapter.innerNorm = true;
        variant.adapter.placement = model::AdapterPlacement::Attention;
        variant.adapter.activation = model::Activation::Swish;
        roundTrip(variant, AdapterFormat::AdapterHub, "houlsby variant/adapterhub");
        roundTrip(fixture_->config(Method::Pfeiffer), AdapterFormat::AdapterHub,
                  "pfeiffer/adapterhub");
        auto parallel = fixture_->config(Method::Parallel);
        parallel.adapterScaling = 2.5;
        roundTrip(parallel, AdapterFormat::AdapterHub, "parallel/adapterhub");
        auto lora = fixture_->config(Method::Lora);
        roundTrip(lora, AdapterFormat::Peft, "lora/peft");
        lora.lora.targets = {model::LoraTarget::Key, model::LoraTarget::Output};
        lora.lora.alpha = 5;
        roundTrip(lora, AdapterFormat::Peft, "lora key,output/peft");
        roundTrip(lora, AdapterFormat::AdapterLab, "lora/adapterlab");
        roundTrip(fixture_->config(Method::Ia3), AdapterFormat::Peft, "ia3/peft");
        auto prefix = fixture_->config(Method::Prefix);
        prefix.prefix.hidden = 0;
        roundTrip(prefix, AdapterFormat::AdapterLab, "prefix/adapterlab");
        auto pm = trained(prefix);
        const auto e = testutil::errorOf(
            [&] { train::exportAdapter(pm, prefix, AdapterFormat::Peft, newFolder()); });
        QVERIFY2(e.find("shifts the token positions") != std::string::npos &&
                     e.find("--prefix-shift-positions") != std::string::npos,
                 e.c_str());
        prefix.prefix.shiftPositions = true;
        roundTrip(prefix, AdapterFormat::Peft, "prefix shifted/peft");
        roundTrip(prefix, AdapterFormat::AdapterLab, "prefix shifted/adapterlab");
        roundTrip(fixture_->config(Method::BitFit), AdapterFormat::AdapterLab, "bitfit/adapterlab");
    }

    // PEFT's key names and config, as save_pretrained writes them.
    void peftLayout() {
        auto rc = fixture_->config(Method::Lora);
        auto m = trained(rc);
        const std::string dir = newFolder();
        train::exportAdapter(m, rc, AdapterFormat::Peft, dir);
        const json c = readJson(dir + "/adapter_config.json");
        JSON_EQ(c["peft_type"], json("LORA"));
        JSON_EQ(c["task_type"], json("SEQ_CLS"));
        JSON_EQ(c["r"], json(4));
        JSON_EQ(c["lora_alpha"], json(16.0));
        JSON_EQ(c["target_modules"], json({"query", "value"}));
        JSON_EQ(c["modules_to_save"], json({"classifier"}));
        const auto f = model::SafetensorsFile::load(dir + "/adapter_model.safetensors");
        auto params = m->named_parameters();
        const auto same = [&](const std::string& peft, const std::string& ours) {
            const auto* t = f.find(peft);
            QVERIFY2(t, peft.c_str());
            const auto v = f.toFloat(*t);
            QVERIFY(torch::equal(
                torch::from_blob(const_cast<float*>(v.data()), t->shape, torch::kFloat),
                params[ours].detach()));
        };
        same("base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight",
             "encoder.layer.0.attention.self.query.lora_A.weight");
        same("base_model.model.bert.encoder.layer.1.attention.self.value.lora_B.weight",
             "encoder.layer.1.attention.self.value.lora_B.weight");
        same("base_model.model.classifier.weight", "classifier.weight");
        QCOMPARE(f.tensors().size(), size_t(2 * 2 * 2 + 2)); // 2 layers × q,v × A,B + head
        QCOMPARE(f.metadata().at("format"), std::string("pt"));

        // (IA)³: PEFT's shapes, and targets written so that PEFT scales exactly these.
        auto ia = fixture_->config(Method::Ia3);
        auto mi = trained(ia);
        const std::string d2 = newFolder();
        train::exportAdapter(mi, ia, AdapterFormat::Peft, d2);
        const auto g = model::SafetensorsFile::load(d2 + "/adapter_model.safetensors");
        QCOMPARE(g.find("base_model.model.bert.encoder.layer.0.attention.self.key.ia3_l")->shape,
                 (std::vector<int64_t>{32, 1}));
        QCOMPARE(g.find("base_model.model.bert.encoder.layer.1.output.dense.ia3_l")->shape,
                 (std::vector<int64_t>{1, 64}));
        QVERIFY(!g.find("base_model.model.bert.encoder.layer.0.attention.output.dense.ia3_l"));
        JSON_EQ(readJson(d2 + "/adapter_config.json")["peft_type"], json("IA3"));
    }

    // PEFT's prefix tuning: prompt_embeddings [l, 2·L·d], the classifier on the bare base model,
    // PromptLearningConfig's fields; the tokens' positions shifted as transformers does.
    void peftPrefix() {
        auto rc = fixture_->config(Method::Prefix);
        rc.prefix.length = 3;
        rc.prefix.shiftPositions = true;
        auto m = trained(rc);
        const std::string dir = newFolder();
        train::exportAdapter(m, rc, AdapterFormat::Peft, dir);
        const json c = readJson(dir + "/adapter_config.json");
        JSON_EQ(c["peft_type"], json("PREFIX_TUNING"));
        JSON_EQ(c["num_virtual_tokens"], json(3));
        JSON_EQ(c["num_layers"], json(2));
        JSON_EQ(c["token_dim"], json(32));
        JSON_EQ(c["num_attention_heads"], json(m->config().numHeads));
        JSON_EQ(c["prefix_projection"], json(false));
        QVERIFY(!c.contains("modules_to_save")); // PromptLearningConfig has no such field
        const auto f = model::SafetensorsFile::load(dir + "/adapter_model.safetensors");
        QCOMPARE(f.tensors().size(), size_t(3));
        QCOMPARE(f.find("prompt_embeddings")->shape, (std::vector<int64_t>{3, 2 * 2 * 32}));
        QVERIFY(f.find("base_model.classifier.weight") && f.find("base_model.classifier.bias"));

        // The shift, against the backbone's own embedding: shifting the position table by l
        // rows gives the unshifted model the shifted one's logits.
        auto plain = rc;
        plain.prefix.shiftPositions = false;
        auto unshifted = trained(plain); // same seed: the same prefix and head
        const auto shiftedLogits = logitsOf(m);
        QVERIFY((shiftedLogits - logitsOf(unshifted)).abs().max().item<double>() > 1e-4);
        {
            torch::NoGradGuard g;
            auto& table = unshifted->positionEmbeddings->weight;
            const int64_t P = table.size(0);
            table.narrow(0, 0, P - 3).copy_(table.narrow(0, 3, P - 3).clone());
        }
        QVERIFY((shiftedLogits - logitsOf(unshifted)).abs().max().item<double>() < 1e-6);

        // A sequence that fits the table alone but not after the prefix is refused.
        const int64_t P = m->config().maxPositions;
        const auto ids = torch::full({1, P - 1}, 5, torch::kLong);
        std::string e;
        try {
            m->logits(ids, torch::zeros_like(ids), torch::ones_like(ids));
        } catch (const c10::Error& x) {
            e = x.what_without_backtrace();
        }
        QVERIFY2(e.find("after a prefix of 3") != std::string::npos, e.c_str());

        // Another backbone shape is named; the projection's bare input is refused.
        json wrong = c;
        wrong["num_layers"] = 4;
        writeJson(dir + "/adapter_config.json", wrong);
        auto err = testutil::errorOf([&] { train::importAdapter(backbone(), dir); });
        QVERIFY2(err.find("num_layers = 4 but the backbone has 2") != std::string::npos,
                 err.c_str());
        const std::string d2 = newFolder();
        fs::create_directories(d2);
        json projected = c;
        projected["prefix_projection"] = true;
        writeJson(d2 + "/adapter_config.json", projected);
        const auto image =
            model::encodeTensors({{"prompt_embeddings", torch::zeros({3, 32})},
                                  {"base_model.classifier.weight", torch::zeros({3, 32})},
                                  {"base_model.classifier.bias", torch::zeros({3})}},
                                 {});
        std::ofstream(d2 + "/adapter_model.safetensors", std::ios::binary)
            .write(image.data(), static_cast<std::streamsize>(image.size()));
        err = testutil::errorOf([&] { train::importAdapter(backbone(), d2); });
        QVERIFY2(err.find("inference_mode false") != std::string::npos, err.c_str());
    }

    // AdapterHub's save_adapter layout: names, config, head = pooler + classifier.
    void adapterHubLayout() {
        auto rc = fixture_->config(Method::Adapter);
        auto m = trained(rc);
        const std::string dir = newFolder();
        const auto report = train::exportAdapter(m, rc, AdapterFormat::AdapterHub, dir, "sst2");
        QVERIFY(
            !report.notes.empty()); // the trained LayerNorms have no place in AdapterHub's format
        const json c = readJson(dir + "/adapter_config.json");
        JSON_EQ(c["name"], json("sst2"));
        JSON_EQ(c["model_class"], json("BertAdapterModel"));
        JSON_EQ(c["config"]["mh_adapter"], json(true));
        JSON_EQ(c["config"]["output_adapter"], json(true));
        JSON_EQ(c["config"]["reduction_factor"], json(4.0)); // d 32 / m 8
        JSON_EQ(c["config"]["non_linearity"], json("gelu"));
        JSON_EQ(c["config"]["original_ln_after"], json(true));
        JSON_EQ(c["config"]["residual_before_ln"], json(true));
        auto params = m->named_parameters();
        for (const char* file : {"/adapter.safetensors", "/pytorch_adapter.bin"}) {
            const auto f = model::Checkpoint::load(dir + file);
            const auto* e =
                f.find("bert.encoder.layer.1.attention.output.adapters.sst2.adapter_down.0.weight");
            QVERIFY2(e, file);
            QVERIFY(torch::equal(
                f.tensor(*e),
                params["encoder.layer.1.attention.output.adapter.down.weight"].detach()));
            e = f.find("bert.encoder.layer.0.output.adapters.sst2.adapter_up.bias");
            QVERIFY2(e, file);
            QVERIFY(torch::equal(f.tensor(*e),
                                 params["encoder.layer.0.output.adapter.up.bias"].detach()));
            QCOMPARE(f.entries().size(), size_t(2 * 2 * 4)); // 2 layers × 2 adapters × down, up
        }
        const json h = readJson(dir + "/head_config.json");
        JSON_EQ(h["config"]["head_type"], json("classification"));
        JSON_EQ(h["config"]["num_labels"], json(3));
        JSON_EQ(h["config"]["label2id"]["mixed"], json(2));
        const auto head = model::Checkpoint::load(dir + "/model_head.safetensors");
        QVERIFY(torch::equal(head.tensor(*head.find("heads.sst2.1.weight")),
                             params["pooler.dense.weight"].detach()));
        QVERIFY(torch::equal(head.tensor(*head.find("heads.sst2.4.bias")),
                             params["classifier.bias"].detach()));
        QVERIFY(fs::exists(dir + "/adapterlab_layernorms.safetensors"));

        // Pfeiffer: only the output adapter, the original LayerNorm before it.
        auto pf = fixture_->config(Method::Pfeiffer);
        auto mp = trained(pf);
        const std::string d2 = newFolder();
        QVERIFY(train::exportAdapter(mp, pf, AdapterFormat::AdapterHub, d2).notes.empty());
        const json pc = readJson(d2 + "/adapter_config.json")["config"];
        JSON_EQ(pc["mh_adapter"], json(false));
        JSON_EQ(pc["original_ln_before"], json(true));
        QVERIFY(!fs::exists(d2 + "/adapterlab_layernorms.safetensors"));
    }

    // PyTorch's own torch.load reads the *.bin files (python3-torch when installed).
    void torchLoadReadsBinFiles() {
        const QString py = testutil::pythonWithTorch();
        if (py.isEmpty()) QSKIP("no python3 with PyTorch (Debian: python3-torch)");
        auto rc = fixture_->config(Method::Pfeiffer);
        auto m = trained(rc);
        const std::string dir = newFolder();
        train::exportAdapter(m, rc, AdapterFormat::AdapterHub, dir, "x");
        QProcess p;
        p.start(py, {"-c",
                     // weights_only=True: PyTorch 2.6's default, which refuses unknown globals
                     "import sys, torch; sd = torch.load(sys.argv[1], weights_only=True); "
                     "print(len(sd), "
                     "float(sd['bert.encoder.layer.0.output.adapters.x.adapter_up.weight'].sum()))",
                     QString::fromStdString(dir + "/pytorch_adapter.bin")});
        QVERIFY(p.waitForFinished(60000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        const auto out = QString(p.readAllStandardOutput()).split(' ');
        QCOMPARE(out[0], QString("8"));
        const double sum =
            m->named_parameters()["encoder.layer.0.output.adapter.up.weight"].sum().item<double>();
        QVERIFY(std::abs(out[1].toDouble() - sum) < 1e-4);
    }

    // Folders written by the libraries themselves (in their default styles) and what is refused.
    void foreignFoldersAndRefusals() {
        auto rc = fixture_->config(Method::Lora);
        auto m = trained(rc);
        const std::string dir = newFolder();
        train::exportAdapter(m, rc, AdapterFormat::Peft, dir);
        const auto expected = logitsOf(m);
        // Older PEFT kept the adapter name in the keys; a minimal config has only peft_type & co.
        {
            const auto f = model::Checkpoint::load(dir + "/adapter_model.safetensors");
            std::vector<torch::Tensor> keep;
            std::vector<model::TensorToWrite> out;
            for (const auto& e : f.entries()) {
                keep.push_back(f.tensor(e));
                std::string n = e.name;
                if (n.find("lora_") != std::string::npos) n.insert(n.size() - 7, ".default");
                out.push_back({n, e.shape, keep.back().data_ptr<float>()});
            }
            const std::string old = newFolder();
            fs::create_directories(old);
            model::writeSafetensors(old + "/adapter_model.safetensors", out, {});
            writeJson(
                old + "/adapter_config.json",
                {{"peft_type", "LORA"}, {"task_type", "SEQ_CLS"}, {"r", 4}, {"lora_alpha", 16}});
            auto imported = train::importAdapter(backbone(), old);
            QVERIFY((logitsOf(imported.model) - expected).abs().max().item<double>() < 1e-6);
            QCOMPARE(imported.labels, (std::vector<std::string>{"LABEL_0", "LABEL_1", "LABEL_2"}));
        }
        const auto refused = [&](const json& patch, const std::string& needle) {
            json c = readJson(dir + "/adapter_config.json");
            c.merge_patch(patch);
            writeJson(dir + "/adapter_config.json", c);
            const auto e = testutil::errorOf([&] { train::importAdapter(backbone(), dir); });
            QVERIFY2(e.find(needle) != std::string::npos, (patch.dump() + ": " + e).c_str());
        };
        refused({{"use_dora", true}}, "use_dora is not supported");
        refused({{"use_dora", false}, {"target_modules", ".*layer\\.0\\.attention\\.self\\.query"}},
                "in some layers only");
        refused({{"target_modules", {"query", "value"}}, {"rank_pattern", {{"query", 2}}}},
                "rank_pattern");
        refused({{"rank_pattern", json::object()}, {"peft_type", "LOHA"}},
                "\"LOHA\" is not read here");
        // PEFT's default (IA)³ targets for BERT also scale attention.output.dense.
        refused({{"peft_type", "IA3"},
                 {"target_modules", {"key", "value", "output.dense"}},
                 {"feedforward_modules", {"output.dense"}}},
                "scales attention.output.dense");

        // An adapter that does not fit the backbone: fewer layers, another width.
        const auto other = [&](int64_t layers, int64_t d) {
            const std::string bb = newFolder();
            auto c = model::BertConfig::fromFile(backbone().config);
            c.numLayers = layers;
            c.hiddenSize = d;
            c.numHeads = 2;
            model::BertModel b(c, std::nullopt, false);
            model::saveHfModel(b, bb);
            fs::copy_file(fixture_->backbone + "/vocab.txt", bb + "/vocab.txt");
            return model::HfModelFiles::inDirectory(bb, true);
        };
        auto hub = fixture_->config(Method::Pfeiffer);
        auto mh = trained(hub);
        const std::string hubDir = newFolder();
        train::exportAdapter(mh, hub, AdapterFormat::AdapterHub, hubDir);
        auto e = testutil::errorOf([&] { train::importAdapter(other(1, 32), hubDir); });
        QVERIFY2(e.find("'encoder.layer.1.output.adapter.") != std::string::npos &&
                     e.find("has no place in the backbone (it has 1 layers)") != std::string::npos,
                 e.c_str());
        e = testutil::errorOf([&] { train::importAdapter(other(2, 16), hubDir); });
        QVERIFY2(e.find("has shape [8, 32] but the backbone needs [8, 16]") != std::string::npos,
                 e.c_str());

        // Exports a format cannot hold are refused, and leave nothing behind.
        const std::string no = newFolder();
        e = testutil::errorOf([&] { train::exportAdapter(m, rc, AdapterFormat::AdapterHub, no); });
        QVERIFY2(e.find("can be exported as: peft, adapterlab") != std::string::npos, e.c_str());
        QVERIFY(!fs::exists(no) && !fs::exists(no + ".partial"));
        auto two = fixture_->config(Method::Adapter);
        two.adapter.hiddenLayers = 2;
        auto m2 = trained(two);
        e = testutil::errorOf(
            [&] { train::exportAdapter(m2, two, AdapterFormat::AdapterHub, no); });
        QVERIFY2(e.find("one hidden layer") != std::string::npos, e.c_str());
        QVERIFY(!fs::exists(no) && !fs::exists(no + ".partial"));
        e = testutil::errorOf([&] { train::exportAdapter(m, rc, AdapterFormat::Peft, dir); });
        QVERIFY2(e.find("not empty") != std::string::npos, e.c_str());
        e = testutil::errorOf([&] { train::detectAdapterFormat(fixture_->backbone); });
        QVERIFY2(e.find("no adapter_config.json") != std::string::npos, e.c_str());
    }

    // The command line: train, export-adapter, predict --adapter gives the run's predictions.
    void commandLine() {
        const QString db = tmp_.filePath("lab.alab");
        QProcess cli;
        const auto run = [&](const QStringList& args, const QByteArray& input = {}) {
            cli.start(ADAPTERLAB_CLI, args);
            cli.write(input);
            cli.closeWriteChannel();
            cli.waitForFinished(300000);
            return cli.exitCode();
        };
        QCOMPARE(run({"train", "--db", db, "--task", QString::fromStdString(fixture_->taskSpec),
                      "--backbone", QString::fromStdString(fixture_->backbone), "--method", "lora",
                      "--lora-rank", "4", "--epochs", "1", "--max-length", "32", "--threads", "1"}),
                 0);
        const QString out = QString::fromStdString(newFolder());
        QVERIFY2(run({"export-adapter", "--db", db, "--run", "1", "--format", "peft", "--out",
                      out}) == 0,
                 cli.readAllStandardError().constData());
        const QByteArray texts = "the film was good\na bad plot\n";
        QCOMPARE(run({"predict", "--db", db, "--run", "1", "--json"}, texts), 0);
        const QByteArray fromRun = cli.readAllStandardOutput();
        QCOMPARE(run({"predict", "--model", QString::fromStdString(fixture_->backbone), "--adapter",
                      out, "--json"},
                     texts),
                 0);
        const QByteArray fromFolder = cli.readAllStandardOutput();
        QCOMPARE(fromFolder.count('\n'), 2);
        QCOMPARE(fromFolder, fromRun);
        QCOMPARE(run({"export-adapter", "--db", db, "--run", "1", "--format", "adapterhub", "--out",
                      QString::fromStdString(newFolder())}),
                 1);
        QVERIFY(cli.readAllStandardError().contains("can be exported as: peft, adapterlab"));
    }
};

QTEST_GUILESS_MAIN(TestAdapterFormats)
#include "test_adapter_formats.moc"
