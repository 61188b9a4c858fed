// adapterlab-cli as scripts use it: exit codes, tokenize, params and predict output.
#include "test_util.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include "store/store.h"

#include <csignal>
#include <thread>

namespace {

struct Result {
    int code;
    QByteArray out, err;
};

Result runCli(const QStringList& args, const QByteArray& input = {}) {
    QProcess p;
    p.start(ADAPTERLAB_CLI, args);
    p.waitForStarted();
    p.write(input);
    p.closeWriteChannel();
    p.waitForFinished(120000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

QJsonObject parseLine(const QByteArray& line) { return QJsonDocument::fromJson(line).object(); }

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

private:
    // A small random backbone with the bert-base-uncased vocabulary, made once.
    QString backbone();
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
                     "adapter", "--adapter-size", "16", "--epochs", "1", "--max-length", "64", "--json"});
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
    r = runCli({"train", "--db", db, "--task", task, "--backbone", backbone(), "--method", "adapter",
                "--adapter-size", "0"});
    QCOMPARE(r.code, 1);
    QVERIFY(r.err.contains("adapter size m = 0"));
    r = runCli({"runs", "list", "--db", db, "--json"});
    QCOMPARE(r.out.trimmed().split('\n').size(), 1); // the refused run wrote nothing
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

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
