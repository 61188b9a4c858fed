// adapterlab-cli as scripts use it: exit codes, tokenize, params and predict output.
#include "test_util.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

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
};

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

QTEST_GUILESS_MAIN(TestCli)
#include "test_cli.moc"
