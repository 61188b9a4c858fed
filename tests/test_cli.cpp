// adapterlab-cli as scripts use it: exit codes, tokenize, params and predict output.
#include "test_util.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include "store/store.h"

#include <algorithm>
#include <csignal>
#include <functional>
#include <thread>

namespace {

using testutil::runCli;

QJsonObject parseLine(const QByteArray& line) { return QJsonDocument::fromJson(line).object(); }

// Polls `ready` (every 100 ms, up to ten minutes: sanitizer builds are slow) while `p` runs,
// then kills it without warning.
// Returns false when the process ended first or `ready` never held.
bool killWhen(QProcess& p, const std::function<bool()>& ready) {
    for (int i = 0; i < 6000; ++i) {
        if (p.state() != QProcess::Running) return false;
        bool ok = false;
        try {
            ok = ready();
        } catch (const std::exception&) {
            // The store may be mid-creation; poll again.
        }
        if (ok) {
            ::kill(static_cast<pid_t>(p.processId()), SIGKILL);
            p.waitForFinished(10000);
            return true;
        }
        QTest::qWait(100);
    }
    return false;
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void versionAndUsage();
    void tokenize();
    void params();
    void predict();
    void trainStoreAndInspect();
    void sigkillMidRunLeavesInterruptedRun();
    void sigkillThenResumeFromEpochCheckpoint();
    void sigkillMidSweepThenResume();
    void sigkillMidAblationLeavesNoHalfMatrix();
    void pretrainOnTaskText();

private:
    // A small random backbone with the bert-base-uncased vocabulary, made once.
    QString backbone();
    QString rte() const { return "glue:RTE:" + testutil::sharedData() + "/glue/RTE"; }
    QTemporaryDir work_;
};

QString TestCli::backbone() {
    const QString dir = work_.filePath("bb");
    if (!QFile::exists(dir + "/model.safetensors")) {
        const auto r = runCli({"init-backbone", "--out", dir, "--vocab",
                               testutil::sharedData() + "/vocab/bert-base-uncased-vocab.txt",
                               "--hidden", "32", "--layers", "2", "--heads", "2", "--ffn", "64",
                               "--positions", "128"});
        if (r.code != 0) qWarning() << r.err;
    }
    return dir;
}

void TestCli::versionAndUsage() {
    auto r = runCli({"--version"});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains("adapterlab-cli") && r.out.contains("LibTorch"));
    QCOMPARE(runCli({}).code, 2);
    QCOMPARE(runCli({"no-such-command"}).code, 2);
    QCOMPARE(runCli({"params", "--method", "adapter", "--bogus"}).code, 2);
    for (const char* cmd : {"tokenize", "predict", "params"}) {
        r = runCli({cmd, "--help"});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("--"));
    }
}

void TestCli::tokenize() {
    REQUIRE_SHARED_DATA("vocab/bert-base-uncased-vocab.txt");
    const QString vocab = QString::fromStdString(testutil::dataPath("vocab/bert-base-uncased-vocab.txt"));
    auto r = runCli({"tokenize", "--vocab", vocab}, "Hello world\nthe cat\tsat down\n");
    QCOMPARE(r.code, 0);
    const auto lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    const auto first = parseLine(lines[0]);
    QCOMPARE(first["input_ids"].toArray(), (QJsonArray{101, 7592, 2088, 102}));
    QCOMPARE(first["tokens"].toArray().at(1).toString(), QString("hello"));
    const auto pair = parseLine(lines[1]);
    QCOMPARE(pair["token_type_ids"].toArray(), (QJsonArray{0, 0, 0, 0, 1, 1, 1}));
    r = runCli({"tokenize", "--vocab", vocab, "--max-length", "3"}, "Hello world\n");
    QCOMPARE(parseLine(r.out.trimmed())["input_ids"].toArray(), (QJsonArray{101, 7592, 102}));
    QCOMPARE(runCli({"tokenize", "--vocab", "/nonexistent"}).code, 2); // option check: usage
}

void TestCli::params() {
    QTemporaryDir dir;
    QFile f(dir.filePath("config.json"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(R"({"vocab_size":30522,"hidden_size":768,"num_hidden_layers":12,"num_attention_heads":12,)"
            R"("intermediate_size":3072,"max_position_embeddings":512,"type_vocab_size":2})");
    f.close();
    auto r = runCli({"params", "--config", f.fileName(), "--method", "adapter", "--adapter-size", "64",
                     "--json"});
    QCOMPARE(r.code, 0);
    const auto j = parseLine(r.out.trimmed());
    QCOMPARE(j["backbone"].toInteger(), 109482240);
    QCOMPARE(j["groups"].toObject()["adapters"].toInteger(), 2379264);
    QCOMPARE(j["trainable"].toInteger(), 2379264 + 38400 + 1538);
    r = runCli({"params", "--config", f.fileName(), "--method", "top_k", "--top-k", "13"});
    QCOMPARE(r.code, 1);
    QVERIFY(r.err.contains("top-k = 13"));
    r = runCli({"params", "--config", f.fileName(), "--method", "head_only"});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains("trainable   1538"));
    // The registry as scripts read it: one JSON line per method with its knob and formula.
    r = runCli({"methods", "--json"});
    QCOMPARE(r.code, 0);
    QMap<QString, QJsonObject> methods;
    for (const auto& line : r.out.trimmed().split('\n')) {
        const auto m = parseLine(line);
        methods[m["id"].toString()] = m;
    }
    QCOMPARE(methods.keys(),
             (QStringList{"adapter", "bitfit", "full", "head_only", "ia3", "layernorm", "lora",
                          "parallel", "pfeiffer", "prefix", "top_k"}));
    QCOMPARE(methods["lora"]["knob_detail"].toObject()["option"].toString(),
             QString("--lora-rank"));
    QCOMPARE(methods["lora"]["bert_base_trainable"].toInteger(), 294912);   // r = 8 on query, value
    QCOMPARE(methods["prefix"]["bert_base_trainable"].toInteger(), 184320); // l = 10, folded
    QCOMPARE(methods["ia3"]["bert_base_trainable"].toInteger(), 55296);
    QVERIFY(methods["lora"]["layer_modules"].toBool() &&
            !methods["bitfit"]["layer_modules"].toBool());
    QCOMPARE(methods["adapter"]["knob"].toString(), QString("m"));
    QCOMPARE(methods["adapter"]["default"].toInt(), 64);
    QCOMPARE(methods["adapter"]["knob_detail"].toObject()["option"].toString(),
             QString("--adapter-size"));
    QCOMPARE(methods["adapter"]["formula"].toString(),
             QString("2·L·(2·d·m + d + m) + 2·d·(2·L + 1)"));
    QCOMPARE(methods["adapter"]["bert_base_trainable"].toInteger(), 2379264 + 38400);
    QCOMPARE(methods["top_k"]["knob"].toString(), QString("k"));
    QVERIFY(methods["full"]["knob"].isNull());
    QCOMPARE(methods["full"]["bert_base_trainable"].toInteger(), 109482240);
    QCOMPARE(methods["bitfit"]["bert_base_trainable"].toInteger(), 102912);
    // params counts a method added to the registry like the others.
    r = runCli({"params", "--config", f.fileName(), "--method", "bitfit", "--json"});
    QCOMPARE(r.code, 0);
    QCOMPARE(parseLine(r.out.trimmed())["trainable"].toInteger(), 102912 + 1538);
    // The issue's command lines: each method's knob and settings reach the count.
    r = runCli({"params", "--config", f.fileName(), "--method", "lora", "--lora-rank", "8",
                "--lora-alpha", "16", "--lora-targets", "query,value", "--json"});
    QCOMPARE(r.code, 0);
    auto p = parseLine(r.out.trimmed());
    QCOMPARE(p["trainable"].toInteger(), 294912 + 1538);
    QCOMPARE(p["lora_targets"].toString(), QString("query,value"));
    r = runCli({"params", "--config", f.fileName(), "--method", "lora", "--lora-rank", "4",
                "--lora-targets", "query,key,value,attention_output,intermediate,output",
                "--json"});
    QCOMPARE(parseLine(r.out.trimmed())["trainable"].toInteger(),
             12 * 4 * (8 * 768 + 2 * (768 + 3072)) + 1538);
    r = runCli({"params", "--config", f.fileName(), "--method", "prefix", "--prefix-length", "10",
                "--json"});
    QCOMPARE(parseLine(r.out.trimmed())["trainable"].toInteger(), 184320 + 1538);
    r = runCli({"params", "--config", f.fileName(), "--method", "ia3", "--json"});
    QCOMPARE(parseLine(r.out.trimmed())["trainable"].toInteger(), 55296 + 1538);
    r = runCli({"params", "--config", f.fileName(), "--method", "pfeiffer", "--adapter-size", "48",
                "--json"});
    QCOMPARE(parseLine(r.out.trimmed())["trainable"].toInteger(), 894528 + 1538);
    r = runCli({"params", "--config", f.fileName(), "--method", "adapter", "--adapter-size", "64",
                "--adapter-placement", "attention", "--json"});
    QCOMPARE(parseLine(r.out.trimmed())["trainable"].toInteger(), 2379264 / 2 + 38400 + 1538);
    r = runCli(
        {"params", "--config", f.fileName(), "--method", "lora", "--lora-targets", "query,keys"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("unknown LoRA target 'keys'"), qPrintable(r.err));
    r = runCli({"params", "--config", f.fileName(), "--method", "lora", "--lora-rank", "0"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("LoRA rank r = 0"), qPrintable(r.err));
    // An option of another method is refused, not ignored.
    r = runCli({"params", "--config", f.fileName(), "--method", "parallel", "--adapter-norm"});
    QVERIFY(r.code != 0);
    QVERIFY2(r.err.contains("--adapter-norm is not a setting of method parallel"),
             qPrintable(r.err));
    r = runCli({"params", "--config", f.fileName(), "--method", "prefix", "--prefix-length", "10"});
    QVERIFY2(r.out.contains("while training +"), qPrintable(r.out));
    // A backbone with fewer than 128 positions (the default maximum length) is counted too, and
    // --adapter-norm=false turns a norm off.
    QFile small(dir.filePath("small.json"));
    QVERIFY(small.open(QIODevice::WriteOnly));
    small.write(
        R"({"vocab_size":100,"hidden_size":16,"num_hidden_layers":2,"num_attention_heads":2,)"
        R"("intermediate_size":32,"max_position_embeddings":64,"type_vocab_size":2})");
    small.close();
    r = runCli({"params", "--config", small.fileName(), "--method", "adapter", "--adapter-size",
                "4", "--adapter-norm=false", "--json"});
    QCOMPARE(r.code, 0);
    QCOMPARE(parseLine(r.out.trimmed())["trainable"].toInteger(),
             4 * (2 * 4 * 16 + 16 + 4) + 5 * 2 * 16 + 34);
    r = runCli({"params", "--config", small.fileName(), "--method", "adapter", "--adapter-size",
                "4", "--adapter-norm", "--json"});
    QCOMPARE(parseLine(r.out.trimmed())["trainable"].toInteger(),
             4 * (2 * 4 * 16 + 16 + 4 + 2 * 16) + 5 * 2 * 16 + 34);
    r = runCli({"methods"});
    QCOMPARE(r.code, 0);
    QCOMPARE(r.out.trimmed().split('\n').size(), 11);
    QVERIFY(r.out.contains("Adapters (Houlsby)"));
    // --help lists the registry's ids.
    QVERIFY(runCli({"train", "--help"})
                .out.contains("adapter | full | top_k | layernorm | head_only | bitfit | lora"));
}

void TestCli::predict() {
    REQUIRE_SHARED_DATA("models/hf-tiny-bert/tiny_bert_seqcls.safetensors");
    // A Hugging Face folder from the tiny classifier and an 11-token vocabulary.
    QTemporaryDir dir;
    const QString src = testutil::sharedData() + "/models/hf-tiny-bert/";
    QVERIFY(QFile::copy(src + "tiny_bert_seqcls_config.json", dir.filePath("config.json")));
    QVERIFY(QFile::copy(src + "tiny_bert_seqcls.safetensors", dir.filePath("model.safetensors")));
    QFile v(dir.filePath("vocab.txt"));
    QVERIFY(v.open(QIODevice::WriteOnly));
    v.write("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\ngood\nbad\nfilm\nplot\nthe\n.\n");
    v.close();
    auto r = runCli({"predict", "--model", dir.path(), "--json"}, "the good film .\nbad plot\tthe film\n");
    QCOMPARE(r.code, 0);
    const auto lines = r.out.trimmed().split('\n');
    QCOMPARE(lines.size(), 2);
    for (const auto& line : lines) {
        const auto j = parseLine(line);
        QCOMPARE(j["logits"].toArray().size(), 3);
        double sum = 0;
        for (const auto& p : j["probabilities"].toArray()) sum += p.toDouble();
        QVERIFY(qAbs(sum - 1.0) < 1e-5);
        QVERIFY(QStringList({"neg", "neu", "pos"}).contains(j["label"].toString()));
    }
    r = runCli({"predict", "--model", dir.filePath("missing")});
    QCOMPARE(r.code, 1);
    QVERIFY(r.err.contains("does not exist"));
}

void TestCli::trainStoreAndInspect() {
    REQUIRE_SHARED_DATA("glue/RTE/train.tsv");
    REQUIRE_SHARED_DATA("vocab/bert-base-uncased-vocab.txt");
    const QString db = work_.filePath("train.alab");
    const QString task = "glue:RTE:" + testutil::sharedData() + "/glue/RTE";
    auto r = runCli({"train", "--db", db, "--task", task, "--backbone", backbone(), "--method",
                     "adapter", "--adapter-size", "16", "--epochs", "1", "--max-length", "64", "--pooling", "mean",
                     "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY(r.err.contains("ETA")); // progress on stderr
    const auto run = parseLine(r.out.trimmed());
    QCOMPARE(run["status"].toString(), QString("finished"));
    QCOMPARE(run["params_trainable"].toInteger(), 2 * 2 * (2 * 16 * 32 + 32 + 16) + 5 * 2 * 32 + 2 * 32 + 2);
    const double accuracy = run["best_metrics"].toObject()["accuracy"].toDouble();
    QVERIFY(accuracy > 0.3 && accuracy < 0.7); // random backbone: near chance

    r = runCli({"runs", "list", "--db", db});
    QCOMPARE(r.code, 0);
    QVERIFY(r.out.contains("finished") && r.out.contains("RTE"));
    r = runCli({"runs", "show", "--db", db, "--run", "1", "--json"});
    QCOMPARE(parseLine(r.out.trimmed())["evals"].toArray().size(), 1);
    QCOMPARE(parseLine(r.out.trimmed())["config"].toObject()["pooling"].toString(), QString("mean"));
    r = runCli({"runs", "export", "--db", db, "--csv"});
    QCOMPARE(r.out.trimmed().split('\n').size(), 2);
    QVERIFY(r.out.startsWith("id,status,task,method"));
    r = runCli({"eval", "--db", db, "--run", "1", "--task", task, "--json"});
    QCOMPARE(r.code, 0);
    QCOMPARE(parseLine(r.out.trimmed())["metrics"].toObject()["accuracy"].toDouble(), accuracy);
    r = runCli({"eval", "--db", db, "--run", "1", "--task", task, "--split", "test"});
    QCOMPARE(r.code, 1);
    QVERIFY(r.err.contains("no labels"));
    r = runCli({"predict", "--db", db, "--run", "1", "--json"}, "A man sleeps.\tA person rests.\nIt rains.\tIt is dry.\n");
    QCOMPARE(r.code, 0);
    for (const auto& line : r.out.trimmed().split('\n'))
        QVERIFY(QStringList({"entailment", "not_entailment"}).contains(parseLine(line)["label"].toString()));

    r = runCli({"train", "--db", db, "--backbone", backbone(), "--method", "adapter"});
    QCOMPARE(r.code, 2); // no task: usage
    r = runCli({"train", "--db", db, "--task", task, "--backbone", backbone(), "--pooling", "max"});
    QCOMPARE(r.code, 2);
    QVERIFY(r.err.contains("pooling"));
    r = runCli({"train", "--db", db, "--task", task, "--backbone", backbone(), "--method", "adapter",
                "--adapter-size", "0"});
    QCOMPARE(r.code, 1);
    QVERIFY(r.err.contains("adapter size m = 0"));
    r = runCli({"runs", "list", "--db", db, "--json"});
    QCOMPARE(r.out.trimmed().split('\n').size(), 1); // the refused run wrote nothing

    // A learning-curve point: 200 of RTE's 2,490 training examples, stratified, drawn with the
    // seed.
    r = runCli({"train", "--db", db, "--task", task, "--backbone", backbone(), "--method",
                "head_only", "--epochs", "1", "--max-length", "32", "--train-size", "200",
                "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    QCOMPARE(parseLine(r.out.trimmed())["train_size"].toInteger(), 200);
    r = runCli({"runs", "list", "--db", db});
    QVERIFY2(r.out.contains(" train ") && r.out.contains(" all ") && r.out.contains(" 200 "),
             r.out.constData());
    r = runCli({"runs", "show", "--db", db, "--run", "2", "--json"});
    QCOMPARE(parseLine(r.out.trimmed())["steps"].toInteger(), 7); // ceil(200 / 32) steps, not 78
    r = runCli({"train", "--db", db, "--task", task, "--backbone", backbone(), "--method",
                "head_only", "--train-size", "5000"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("cannot keep 5000 training examples of 2490"), r.err.constData());
    // Sweeps take it as an axis.
    const auto dryRuns = [&](QStringList extra) {
        const auto d = runCli(QStringList{"sweep", "--db", db, "--preset", "init-robustness",
                                          "--task", task, "--backbone", backbone(), "--dry-run"} +
                              extra);
        return d.out.trimmed().split('\n');
    };
    const auto plain = dryRuns({}), curve = dryRuns({"--train-sizes", "100", "0"});
    QCOMPARE(curve.size(), 2 * plain.size());
    QCOMPARE(std::count_if(curve.begin(), curve.end(),
                           [](const QByteArray& l) { return l.contains("\"train_size\":100"); }),
             plain.size());
}

void TestCli::sigkillMidRunLeavesInterruptedRun() {
    REQUIRE_SHARED_DATA("glue/SST-2/train.tsv");
    const QString db = work_.filePath("killed.alab");
    QProcess p;
    p.start(ADAPTERLAB_CLI, {"train", "--db", db, "--task", "glue:SST-2:" + testutil::sharedData() + "/glue/SST-2",
                             "--backbone", backbone(), "--method", "full", "--epochs", "5", "--max-length", "64"});
    QVERIFY(p.waitForStarted());
    // Wait until steps are committed, then kill without warning.
    int64_t committed = 0;
    for (int i = 0; i < 600 && committed == 0; ++i) {
        QTest::qWait(200);
        if (!QFile::exists(db)) continue;
        try {
            adapterlab::store::Store s(db.toStdString(), true);
            const auto runs = s.runs();
            if (!runs.empty()) committed = static_cast<int64_t>(s.steps(runs[0].id).size());
        } catch (const std::exception&) {
            // The file may be mid-creation; try again.
        }
    }
    QVERIFY(committed > 0);
    ::kill(static_cast<pid_t>(p.processId()), SIGKILL);
    QVERIFY(p.waitForFinished(10000));
    auto r = runCli({"runs", "list", "--db", db, "--json"});
    QCOMPARE(r.code, 0);
    const auto run = parseLine(r.out.trimmed());
    QCOMPARE(run["status"].toString(), QString("interrupted"));
    adapterlab::store::Store s(db.toStdString());
    QVERIFY(static_cast<int64_t>(s.steps(run["id"].toInteger()).size()) >= committed);
    QVERIFY(s.run(run["id"].toInteger()).error.find("stopped") != std::string::npos);
}

void TestCli::sigkillThenResumeFromEpochCheckpoint() {
    REQUIRE_SHARED_DATA("glue/RTE/train.tsv");
    const QString db = work_.filePath("resume.alab");
    const QStringList settings{"--task", rte(), "--backbone", backbone(), "--method", "adapter",
                               "--adapter-size", "16", "--epochs", "3", "--max-length", "64",
                               "--lr", "1e-3", "--threads", "1", "--json"};
    QProcess p;
    p.start(ADAPTERLAB_CLI, QStringList{"train", "--db", db} + settings);
    QVERIFY(p.waitForStarted());
    // Killed in epoch 2, after the checkpoint of epoch 1.
    const QString ckpt = db + ".checkpoints/run-1.pt";
    QVERIFY(killWhen(p, [&] {
        if (!QFile::exists(ckpt)) return false;
        adapterlab::store::Store s(db.toStdString(), true);
        const auto steps = s.steps(1);
        return !steps.empty() && steps.back().epoch == 2;
    }));
    auto r = runCli({"train", "--db", db, "--resume", "1", "--lr", "2e-3"});
    QCOMPARE(r.code, 2); // settings of a stored run cannot change
    r = runCli({"train", "--db", db, "--resume", "1", "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    QVERIFY2(r.err.contains("resumed run 1 after epoch 1"), r.err.constData());
    QCOMPARE(parseLine(r.out.trimmed())["status"].toString(), QString("finished"));
    QVERIFY(!QFile::exists(ckpt));
    // The same as a run never stopped: every step's loss and the best dev score.
    r = runCli(QStringList{"train", "--db", db} + settings);
    QVERIFY2(r.code == 0, r.err.constData());
    adapterlab::store::Store s(db.toStdString(), true);
    const auto resumed = s.steps(1), unbroken = s.steps(2);
    QCOMPARE(resumed.size(), unbroken.size());
    for (size_t i = 0; i < resumed.size(); ++i) QCOMPARE(resumed[i].loss, unbroken[i].loss);
    QCOMPARE(s.run(1).bestScore, s.run(2).bestScore);
    QCOMPARE(s.evals(1).size(), size_t(3));
    r = runCli({"train", "--db", db, "--resume", "1"});
    QCOMPARE(r.code, 1);
    QVERIFY(r.err.contains("has finished"));
}

void TestCli::sigkillMidSweepThenResume() {
    REQUIRE_SHARED_DATA("glue/RTE/train.tsv");
    const QString db = work_.filePath("sweep.alab");
    QFile plan(work_.filePath("plan.json"));
    QVERIFY(plan.open(QIODevice::WriteOnly));
    plan.write(QJsonDocument(QJsonObject{
        {"name", "killed"},
        {"base", QJsonObject{{"task", rte()}, {"backbone", backbone()}, {"method", "adapter"},
                             {"adapter_size", 8}, {"epochs", 2}, {"max_length", 48}, {"threads", 1}}},
        {"grid", QJsonObject{{"learning_rate", QJsonArray{1e-3, 2e-3, 3e-3}}}}}).toJson());
    plan.close();
    QProcess p;
    p.start(ADAPTERLAB_CLI, {"sweep", "--db", db, "--plan", plan.fileName()});
    QVERIFY(p.waitForStarted());
    // Killed in the second epoch of the second run.
    QVERIFY(killWhen(p, [&] {
        adapterlab::store::Store s(db.toStdString(), true);
        const auto steps = s.steps(2);
        return s.run(1).status == adapterlab::store::RunStatus::Finished && !steps.empty() &&
               steps.back().epoch == 2;
    }));
    std::vector<adapterlab::store::StepRow> epoch1;
    {
        adapterlab::store::Store s(db.toStdString()); // opens; marks the dead run
        s.markInterrupted();
        QCOMPARE(s.run(1).status, adapterlab::store::RunStatus::Finished);
        QCOMPARE(s.run(2).status, adapterlab::store::RunStatus::Interrupted);
        QCOMPARE(s.run(3).status, adapterlab::store::RunStatus::Queued);
        for (const auto& row : s.steps(2))
            if (row.epoch == 1) epoch1.push_back(row);
    }
    const auto r = runCli({"sweep", "--db", db, "--resume", "1"});
    QVERIFY2(r.code == 0, r.err.constData());
    adapterlab::store::Store s(db.toStdString(), true);
    QCOMPARE(s.runs().size(), size_t(3)); // nothing doubled
    for (int64_t id : {1, 2, 3}) {
        QCOMPARE(s.run(id).status, adapterlab::store::RunStatus::Finished);
        QCOMPARE(s.evals(id).size(), size_t(2));
    }
    // Run 2 went on from its epoch-1 checkpoint: its first epoch's rows are the ones written
    // before the kill (a restart would rewrite them with new throughput readings), and the step
    // numbers continue without gaps or doubles.
    const auto steps = s.steps(2);
    for (size_t i = 0; i < steps.size(); ++i) QCOMPARE(steps[i].step, int64_t(i + 1));
    QVERIFY(!epoch1.empty());
    for (size_t i = 0; i < epoch1.size(); ++i)
        QCOMPARE(steps[i].examplesPerSecond, epoch1[i].examplesPerSecond);
    QCOMPARE(s.sweeps().front().status, adapterlab::store::RunStatus::Finished);
}

void TestCli::sigkillMidAblationLeavesNoHalfMatrix() {
    REQUIRE_SHARED_DATA("glue/RTE/train.tsv");
    // A deeper backbone, so the ablation runs long enough to be killed in the middle.
    const QString deep = work_.filePath("deep");
    auto r = runCli({"init-backbone", "--out", deep, "--vocab",
                     testutil::sharedData() + "/vocab/bert-base-uncased-vocab.txt", "--hidden", "64",
                     "--layers", "6", "--heads", "2", "--ffn", "128", "--positions", "128"});
    QVERIFY2(r.code == 0, r.err.constData());
    const QString db = work_.filePath("ablate.alab");
    r = runCli({"train", "--db", db, "--task", rte(), "--backbone", deep, "--method", "adapter",
                "--adapter-size", "8", "--epochs", "1", "--max-length", "128", "--threads", "1"});
    QVERIFY2(r.code == 0, r.err.constData());
    QProcess p;
    p.start(ADAPTERLAB_CLI, {"ablate", "--db", db, "--run", "1"});
    QVERIFY(p.waitForStarted());
    QByteArray err;
    QVERIFY(killWhen(p, [&] {
        err += p.readAllStandardError();
        return err.contains("ablation: batch 1/"); // one of its dev batches done
    }));
    {
        adapterlab::store::Store s(db.toStdString());
        QVERIFY(s.ablation(1).empty()); // all or nothing
        QCOMPARE(s.run(1).status, adapterlab::store::RunStatus::Finished);
    }
    r = runCli({"ablate", "--db", db, "--run", "1", "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    adapterlab::store::Store s(db.toStdString(), true);
    QCOMPARE(s.ablation(1).size(), size_t(1 + 6 * 7 / 2)); // intact + every span of 6 layers
}

void TestCli::pretrainOnTaskText() {
    // `pretrain --task-text SPEC`: the task's training text (labels not read) is the corpus; the
    // folder remembers it, and asking for other text in the same folder fails with a message.
    QTemporaryDir dir;
    const QString train = dir.filePath("reviews.tsv");
    {
        QFile f(train);
        QVERIFY(f.open(QIODevice::WriteOnly));
        const QStringList what{"the film",    "this story", "the acting",
                               "that ending", "the music",  "our hero"},
            how{"was warm and funny", "felt dull and slow", "moved me to tears",
                "never quite worked", "is a joy to watch",  "drags on far too long"};
        f.write("sentence\tlabel\n");
        for (int i = 0; i < 900; ++i)
            f.write(QString("%1 %2 on night %3\t%4\n")
                        .arg(what[i % 6], how[(i / 6) % 6])
                        .arg(i)
                        .arg(i % 2)
                        .toUtf8());
    }
    const QString out = dir.filePath("bb"), spec = "file:" + train + ",text=sentence,label=label";
    auto r = runCli({"pretrain", "--out", out, "--no-debian-text", "--task-text", spec,
                     "--max-steps", "2", "--embedding-init", "random", "--threads", "2", "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    const auto j = parseLine(r.out.trimmed().split('\n').last());
    QCOMPARE(j["steps"].toInt(), 2);
    const auto sources = j["corpus_sources"].toArray();
    QCOMPARE(sources.size(), 1);
    QCOMPARE(sources[0].toObject()["name"].toString(),
             QString("task reviews (training text, labels not read)"));
    // The stratified 10% dev split is held out of the corpus too.
    QCOMPARE(sources[0].toObject()["documents"].toInt(), 810);
    QVERIFY(QFile::exists(out + "/model.safetensors"));
    QFile report(out + "/corpus.json");
    QVERIFY(report.open(QIODevice::ReadOnly));
    const auto asked = QJsonDocument::fromJson(report.readAll()).object()["asked"].toObject();
    QCOMPARE(asked["task_texts"].toArray().at(0).toString(), spec);
    r = runCli({"pretrain", "--out", out, "--no-debian-text", "--max-steps", "2"});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("already holds a corpus built from other text"), r.err.constData());
    r = runCli({"pretrain", "--out", dir.filePath("other"), "--task-text",
                "file:" + dir.filePath("nope.tsv")});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("nope.tsv"), r.err.constData());
    QVERIFY(!QFile::exists(dir.filePath("other/corpus.txt")));
    // `--init-from DIR` continues a backbone on the asked text, with its vocabulary.
    const QString continued = dir.filePath("continued");
    r = runCli({"pretrain", "--out", continued, "--init-from", out, "--no-debian-text",
                "--task-text", spec, "--max-steps", "2", "--threads", "2", "--json"});
    QVERIFY2(r.code == 0, r.err.constData());
    const auto c = parseLine(r.out.trimmed().split('\n').last());
    QCOMPARE(c["init_from"].toString(), out);
    QCOMPARE(c["vocab_size"].toInt(), j["vocab_size"].toInt());
    QVERIFY2(r.err.contains("continuing " + out.toUtf8()), r.err.constData());
    QFile v1(out + "/vocab.txt"), v2(continued + "/vocab.txt");
    QVERIFY(v1.open(QIODevice::ReadOnly) && v2.open(QIODevice::ReadOnly));
    QCOMPARE(v2.readAll(), v1.readAll());
    r = runCli(
        {"pretrain", "--out", dir.filePath("never"), "--init-from", dir.filePath("no-bert")});
    QCOMPARE(r.code, 1);
    QVERIFY2(r.err.contains("cannot continue from") && r.err.contains("no-bert"),
             r.err.constData());
    QVERIFY(!QFile::exists(dir.filePath("never")));
    QCOMPARE(runCli({"pretrain", "--out", dir.filePath("never"), "--lr", "-1"}).code, 2);
}

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
