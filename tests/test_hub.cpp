// The Hub client against a real local HTTP server (tests/hub_server.py on 127.0.0.1) and caches in
// huggingface_hub's layout: downloads, cache hits, offline mode, resume, checksums, errors.
#include "hub/hub.h"
#include "hub_fixture.h"
#include "model/hf_import.h"
#include "model/safetensors.h"
#include "test_util.h"
#include "train_fixture.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <filesystem>
#include <fstream>

#include <csignal>
#include <sys/resource.h>

using namespace adapterlab;
namespace fs = std::filesystem;
using testutil::HubServer;
using testutil::readAll;
using testutil::sha256;
using testutil::writeAll;

namespace {

const QString kCommit1 = QString(40, 'a'), kCommit2 = QString(40, 'b');

// A model folder's pooled output for fixed ids: equal weights give equal outputs.
torch::Tensor outputOf(const std::string& folder) {
    const auto files = model::HfModelFiles::inDirectory(folder, true);
    auto m = model::loadHfModel(files, std::nullopt, false);
    m->eval();
    torch::NoGradGuard g;
    const auto ids = torch::tensor({{2, 7, 9, 11, 3}}, torch::kLong);
    return m->forward(ids, torch::zeros_like(ids), torch::ones_like(ids)).pooled;
}

} // namespace

class TestHub : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    std::unique_ptr<testutil::Fixture> fixture_; // the backbone folder the repos serve
    QString modelDir_, otherDir_;

    hub::HubEnvironment env(const QString& endpoint, const QString& cache = {}) {
        hub::HubEnvironment e;
        e.endpoint = endpoint.toStdString();
        e.cacheDir = (cache.isEmpty() ? tmp_.filePath("cache") : cache).toStdString();
        return e;
    }

private Q_SLOTS:
    void initTestCase() {
        if (QStandardPaths::findExecutable("python3").isEmpty())
            QSKIP("python3 (the local Hub server) is not installed");
        fixture_ = std::make_unique<testutil::Fixture>();
        modelDir_ = QString::fromStdString(fixture_->backbone);
        // A second revision: other weights, same vocabulary and config.
        otherDir_ = tmp_.filePath("other");
        QDir().mkpath(otherDir_);
        torch::manual_seed(99);
        model::BertModel m(model::BertConfig::fromFile(modelDir_.toStdString() + "/config.json"),
                           std::nullopt, true);
        model::saveHfModel(m, otherDir_.toStdString());
        QFile::copy(modelDir_ + "/vocab.txt", otherDir_ + "/vocab.txt");
    }

    void init() { QDir(tmp_.filePath("cache")).removeRecursively(); }

    void modelRefs() {
        const auto r = hub::ModelRef::parse("hf:google-bert/bert-base-uncased@v1.0");
        QCOMPARE(r.id, std::string("google-bert/bert-base-uncased"));
        QCOMPARE(r.revision, std::string("v1.0"));
        QCOMPARE(hub::ModelRef::parse("bert-base-uncased").revision, std::string("main"));
        QCOMPARE(hub::repoFolderName("google-bert/bert-base-uncased"),
                 std::string("models--google-bert--bert-base-uncased"));
        for (const char* bad : {"../etc", "a/b/c", "a--b", "-a", "a b", "", "org/", "a@", "a@../x"})
            QVERIFY2(!testutil::errorOf([&] { hub::ModelRef::parse(bad); }).empty(), bad);
        QVERIFY(hub::isHubSpec("hf:x") && !hub::isHubSpec("/models/x"));
    }

    void environmentVariables() {
        qputenv("HF_HOME", "/tmp/hfhome");
        qunsetenv("HF_HUB_CACHE");
        qunsetenv("HUGGINGFACE_HUB_CACHE");
        qputenv("HF_ENDPOINT", "http://127.0.0.1:1/");
        qputenv("HF_HUB_OFFLINE", "yes");
        qputenv("HF_TOKEN", "hf_env");
        auto e = hub::HubEnvironment::fromEnvironment();
        QCOMPARE(e.cacheDir, std::string("/tmp/hfhome/hub"));
        QCOMPARE(e.endpoint, std::string("http://127.0.0.1:1"));
        QVERIFY(e.offline);
        QCOMPARE(e.token, std::string("hf_env"));
        // The token file under HF_HOME, as `huggingface-cli login` writes it; HF_HUB_CACHE wins.
        const QString home = tmp_.filePath("home");
        writeAll(home + "/token", "hf_file\n");
        qputenv("HF_HOME", home.toLocal8Bit());
        qputenv("HF_HUB_CACHE", "/tmp/elsewhere");
        qunsetenv("HF_TOKEN");
        qputenv("HF_HUB_OFFLINE", "0");
        e = hub::HubEnvironment::fromEnvironment();
        QCOMPARE(e.token, std::string("hf_file"));
        QCOMPARE(e.cacheDir, std::string("/tmp/elsewhere"));
        QVERIFY(!e.offline);
        for (const char* v : {"HF_HOME", "HF_HUB_CACHE", "HF_ENDPOINT", "HF_HUB_OFFLINE"})
            qunsetenv(v);
    }

    // Fresh download: the cache in huggingface_hub's layout, the model loads and equals the source.
    void freshDownloadAndCacheHit() {
        HubServer server(tmp_.filePath("srv1"));
        const QString endpoint = server.start();
        QVERIFY(!endpoint.isEmpty());
        server.addCommit("org/tiny", kCommit1, modelDir_);
        std::vector<std::string> notes;
        std::vector<hub::Progress> progress;
        hub::DownloadOptions opts;
        opts.note = [&](const std::string& s) { notes.push_back(s); };
        opts.progress = [&](const hub::Progress& p) {
            progress.push_back(p);
            return true;
        };
        const auto s = hub::download(hub::ModelRef::parse("org/tiny"), env(endpoint), opts);
        const QString repo = tmp_.filePath("cache/models--org--tiny");
        QCOMPARE(QString::fromStdString(s.folder), repo + "/snapshots/" + kCommit1);
        QCOMPARE(s.commit, kCommit1.toStdString());
        QCOMPARE(readAll(repo + "/refs/main"), kCommit1.toLatin1());
        // Weights: an LFS blob named by its sha256; config: by its git blob sha1; relative links.
        const QString weights = sha256(modelDir_ + "/model.safetensors");
        QVERIFY(QFileInfo(repo + "/blobs/" + weights).isFile());
        const QFileInfo link(QString::fromStdString(s.folder) + "/model.safetensors");
        QVERIFY(link.isSymLink());
        QCOMPARE(QString::fromStdString(fs::read_symlink(link.filePath().toStdString()).string()),
                 "../../blobs/" + weights);
        const QByteArray config = readAll(modelDir_ + "/config.json");
        const QString gitSha =
            QCryptographicHash::hash("blob " + QByteArray::number(config.size()) + '\0' + config,
                                     QCryptographicHash::Sha1)
                .toHex();
        QVERIFY(QFileInfo(repo + "/blobs/" + gitSha).isFile());
        QVERIFY(QFileInfo(repo + "/.no_exist/" + kCommit1 + "/tokenizer.json").exists());
        QVERIFY(QDir(repo + "/blobs").entryList({"*.incomplete"}, QDir::Files).isEmpty());
        QVERIFY(s.bytesDownloaded > QFileInfo(modelDir_ + "/model.safetensors").size());
        QVERIFY(!s.fromCache);
        QVERIFY(!progress.empty());
        QCOMPARE(progress.back().file, std::string("model.safetensors"));
        QCOMPARE(progress.back().done, QFileInfo(modelDir_ + "/model.safetensors").size());
        QVERIFY((std::vector<std::string>{"vocab.txt", "config.json", "model.safetensors"}) ==
                s.files);
        QVERIFY(torch::equal(outputOf(s.folder), outputOf(modelDir_.toStdString())));
        // The LFS file came from the CDN, which never saw the Authorization header.
        auto log = server.takeLog();
        QVERIFY(std::any_of(log.begin(), log.end(), [](const QJsonObject& o) {
            return o["path"].toString().startsWith("/cdn/");
        }));

        // Again: the server only answers HEADs; nothing is downloaded.
        const auto again = hub::download(hub::ModelRef::parse("org/tiny"), env(endpoint), opts);
        QCOMPARE(again.folder, s.folder);
        QCOMPARE(again.bytesDownloaded, int64_t(0));
        for (const auto& o : server.takeLog())
            QCOMPARE(o["method"].toString(), QString("HEAD"));

        // Server gone: hf: backbones resolve from the cache, and a download falls back to it.
        server.stop();
        qputenv("HF_ENDPOINT", endpoint.toLatin1());
        qputenv("HF_HUB_CACHE", tmp_.filePath("cache").toLocal8Bit());
        QCOMPARE(hub::resolveModelFolder("hf:org/tiny"), s.folder);
        QCOMPARE(model::HfModelFiles::inDirectory("hf:org/tiny", true).dir, s.folder);
        notes.clear();
        QCOMPARE(hub::download(hub::ModelRef::parse("org/tiny"), env(endpoint), opts).folder,
                 s.folder);
        QCOMPARE(notes.size(), size_t(1));
        QVERIFY2(notes[0].find("using the cached snapshot") != std::string::npos, notes[0].c_str());
        // Not cached and no server: the error says what to do.
        const auto err = testutil::errorOf([&] { hub::resolveModelFolder("hf:org/absent"); });
        QVERIFY2(err.find("cannot reach") != std::string::npos &&
                     err.find("HF_HUB_OFFLINE") != std::string::npos,
                 err.c_str());
        qunsetenv("HF_ENDPOINT");
        qunsetenv("HF_HUB_CACHE");
    }

    void offlineMode() {
        HubServer server(tmp_.filePath("srv2"));
        const QString endpoint = server.start();
        server.addCommit("org/tiny", kCommit1, modelDir_);
        auto e = env(endpoint);
        hub::download(hub::ModelRef::parse("org/tiny"), e);
        server.takeLog();
        e.offline = true;
        const auto s = hub::download(hub::ModelRef::parse("org/tiny"), e);
        QVERIFY(s.fromCache);
        const auto err =
            testutil::errorOf([&] { hub::download(hub::ModelRef::parse("org/other"), e); });
        QVERIFY2(err.find("HF_HUB_OFFLINE") != std::string::npos &&
                     err.find("org/other") != std::string::npos,
                 err.c_str());
        QVERIFY(server.takeLog().isEmpty()); // not one request
    }

    // A connection cut mid-file is resumed with Range; a part left by a killed process too.
    void resumeAfterCut() {
        HubServer server(tmp_.filePath("srv3"));
        const QString endpoint = server.start();
        server.addCommit("org/tiny", kCommit1, modelDir_);
        const QString weights = sha256(modelDir_ + "/model.safetensors");
        const qint64 size = QFileInfo(modelDir_ + "/model.safetensors").size();
        server.fault("cut_once", weights);
        std::vector<std::string> notes;
        hub::DownloadOptions opts;
        opts.note = [&](const std::string& s) { notes.push_back(s); };
        const auto s = hub::download(hub::ModelRef::parse("org/tiny"), env(endpoint), opts);
        QCOMPARE(sha256(QString::fromStdString(s.folder) + "/model.safetensors"), weights);
        QStringList ranges;
        for (const auto& o : server.takeLog())
            if (o["path"].toString().startsWith("/cdn/")) ranges << o["range"].toString();
        QCOMPARE(ranges, (QStringList{"", "bytes=" + QString::number(size / 2) + "-"}));
        QVERIFY(std::any_of(notes.begin(), notes.end(), [](const auto& n) {
            return n.find("connection cut") != std::string::npos;
        }));

        // The part of an earlier, killed download: only the rest is fetched.
        QDir(tmp_.filePath("cache")).removeRecursively();
        const QString part =
            tmp_.filePath("cache/models--org--tiny/blobs/") + weights + ".incomplete";
        writeAll(part, readAll(modelDir_ + "/model.safetensors").left(1000));
        const auto r = hub::download(hub::ModelRef::parse("org/tiny"), env(endpoint), opts);
        QCOMPARE(sha256(QString::fromStdString(r.folder) + "/model.safetensors"), weights);
        QCOMPARE(r.bytesDownloaded, size - 1000 + QFileInfo(modelDir_ + "/config.json").size() +
                                        QFileInfo(modelDir_ + "/vocab.txt").size());
        QVERIFY(!QFileInfo::exists(part));
    }

    // A write that fails (here: a file-size limit, as a full disk would) is an error naming the
    // file and the reason; the part is kept and the next download resumes it.
    void writeErrorKeepsThePart() {
        HubServer server(tmp_.filePath("srv8"));
        const QString endpoint = server.start();
        server.addCommit("org/tiny", kCommit1, modelDir_);
        const qint64 size = QFileInfo(modelDir_ + "/model.safetensors").size();
        QVERIFY(size > 40000);
        rlimit old{};
        QCOMPARE(getrlimit(RLIMIT_FSIZE, &old), 0);
        rlimit limited = old;
        limited.rlim_cur = 20000; // bytes per file; config.json and vocab.txt fit
        const auto oldHandler = std::signal(SIGXFSZ, SIG_IGN); // EFBIG instead of a signal
        QCOMPARE(setrlimit(RLIMIT_FSIZE, &limited), 0);
        const auto err = testutil::errorOf(
            [&] { hub::download(hub::ModelRef::parse("org/tiny"), env(endpoint)); });
        QCOMPARE(setrlimit(RLIMIT_FSIZE, &old), 0);
        std::signal(SIGXFSZ, oldHandler);
        QVERIFY2(err.find("cannot write") != std::string::npos &&
                     err.find(".incomplete") != std::string::npos &&
                     err.find("File too large") != std::string::npos,
                 err.c_str());
        const QString part = tmp_.filePath("cache/models--org--tiny/blobs/") +
                             sha256(modelDir_ + "/model.safetensors") + ".incomplete";
        QVERIFY(QFileInfo(part).size() > 0 && QFileInfo(part).size() <= 20000);
        QVERIFY(!hub::cached(hub::ModelRef::parse("org/tiny"), env(endpoint)));
        server.takeLog();
        const auto s = hub::download(hub::ModelRef::parse("org/tiny"), env(endpoint));
        QCOMPARE(sha256(QString::fromStdString(s.folder) + "/model.safetensors"),
                 sha256(modelDir_ + "/model.safetensors"));
        bool resumed = false;
        for (const auto& o : server.takeLog())
            resumed = resumed || o["range"].toString().startsWith("bytes=");
        QVERIFY(resumed);
    }

    // A blob whose bytes do not match its sha256 never enters the cache.
    void checksumMismatch() {
        HubServer server(tmp_.filePath("srv4"));
        const QString endpoint = server.start();
        server.addCommit("org/tiny", kCommit1, modelDir_);
        const QString weights = sha256(modelDir_ + "/model.safetensors");
        server.fault("corrupt", weights);
        const auto err = testutil::errorOf(
            [&] { hub::download(hub::ModelRef::parse("org/tiny"), env(endpoint)); });
        QVERIFY2(err.find("does not match") != std::string::npos &&
                     err.find("model.safetensors") != std::string::npos,
                 err.c_str());
        const QString repo = tmp_.filePath("cache/models--org--tiny");
        QVERIFY(!QFileInfo::exists(repo + "/blobs/" + weights));
        QVERIFY(!QFileInfo::exists(repo + "/blobs/" + weights + ".incomplete"));
        QVERIFY(!QFileInfo::exists(repo + "/snapshots/" + kCommit1 + "/model.safetensors"));
        QVERIFY(!hub::cached(hub::ModelRef::parse("org/tiny"), env(endpoint)));
    }

    void errors() {
        HubServer server(tmp_.filePath("srv5"));
        const QString endpoint = server.start();
        server.addCommit("org/tiny", kCommit1, modelDir_);
        server.addCommit("org/private", kCommit1, modelDir_);
        server.setFlag("org/private", "private");
        server.addCommit("org/gated", kCommit1, modelDir_);
        server.setFlag("org/gated", "gated");
        const auto dl = [&](const std::string& id, const std::string& token = {}) {
            auto e = env(endpoint);
            e.token = token;
            return testutil::errorOf([&] { hub::download(hub::ModelRef::parse(id), e); });
        };
        auto err = dl("org/absent"); // 404
        QVERIFY2(err.find("'org/absent'") != std::string::npos &&
                     err.find("does not exist") != std::string::npos,
                 err.c_str());
        err = dl("org/tiny@nope");
        QVERIFY2(err.find("revision 'nope'") != std::string::npos, err.c_str());
        err = dl("org/private"); // 401
        QVERIFY2(err.find("set HF_TOKEN") != std::string::npos, err.c_str());
        err = dl("org/private", "hf_wrong");
        QVERIFY2(err.find("cannot read it") != std::string::npos, err.c_str());
        QVERIFY2(err.find("hf_wrong") == std::string::npos, err.c_str()); // never shown
        err = dl("org/gated");
        QVERIFY2(err.find("gated") != std::string::npos, err.c_str());
        server.takeLog();
        QCOMPARE(dl("org/private", "hf_test_secret"), std::string());
        for (const auto& o : server.takeLog()) // the token goes to the Hub, never to the CDN
            QCOMPARE(o["auth"].toBool(), !o["path"].toString().startsWith("/cdn/"));
        // The token is nowhere in the cache.
        for (const auto& entry :
             fs::recursive_directory_iterator(tmp_.filePath("cache").toStdString()))
            if (entry.is_regular_file())
                QVERIFY(!readAll(QString::fromStdString(entry.path().string()))
                             .contains("hf_test_secret"));

        // Not a BERT-family model: refused from its config, before its weights are fetched.
        const QString gpt = tmp_.filePath("gpt");
        QDir().mkpath(gpt);
        writeAll(gpt + "/config.json", R"({"model_type": "gpt2", "n_layer": 2})");
        QFile::copy(modelDir_ + "/model.safetensors", gpt + "/model.safetensors");
        server.addCommit("org/gpt", kCommit1, gpt);
        server.takeLog();
        err = dl("org/gpt");
        QVERIFY2(err.find("\"gpt2\" is not supported") != std::string::npos &&
                     err.find("bert") != std::string::npos,
                 err.c_str());
        for (const auto& o : server.takeLog())
            QVERIFY(!o["path"].toString().contains("model.safetensors"));

        // No weights in a format read here.
        const QString noWeights = tmp_.filePath("nw");
        QDir().mkpath(noWeights);
        QFile::copy(modelDir_ + "/config.json", noWeights + "/config.json");
        writeAll(noWeights + "/tf_model.h5", "x");
        server.addCommit("org/tf", kCommit1, noWeights);
        err = dl("org/tf");
        QVERIFY2(err.find("no weights") != std::string::npos, err.c_str());

        // A sharded index naming a file outside the snapshot.
        const QString hostile = tmp_.filePath("hostile");
        QDir().mkpath(hostile);
        QFile::copy(modelDir_ + "/config.json", hostile + "/config.json");
        writeAll(hostile + "/model.safetensors.index.json",
                 R"({"weight_map": {"x": "../../../../evil.safetensors"}})");
        server.addCommit("org/hostile", kCommit1, hostile);
        err = dl("org/hostile");
        QVERIFY2(err.find("not a plain relative path") != std::string::npos, err.c_str());
    }

    // Branches, tags and commits: each its own snapshot; unchanged files share one blob.
    void revisionPin() {
        HubServer server(tmp_.filePath("srv6"));
        const QString endpoint = server.start();
        server.addCommit("org/tiny", kCommit1, modelDir_, {"v1"});
        server.addCommit("org/tiny", kCommit2, otherDir_, {"main"});
        const auto e = env(endpoint);
        const auto main = hub::download(hub::ModelRef::parse("org/tiny"), e);
        const auto v1 = hub::download(hub::ModelRef::parse("org/tiny@v1"), e);
        const auto pinned =
            hub::download(hub::ModelRef::parse("org/tiny@" + kCommit1.toStdString()), e);
        QCOMPARE(main.commit, kCommit2.toStdString());
        QCOMPARE(v1.commit, kCommit1.toStdString());
        QCOMPARE(pinned.folder, v1.folder);
        QCOMPARE(pinned.bytesDownloaded, int64_t(0));
        const QString repo = tmp_.filePath("cache/models--org--tiny");
        QCOMPARE(readAll(repo + "/refs/v1"), kCommit1.toLatin1());
        QVERIFY(!QFileInfo::exists(repo + "/refs/" + kCommit1)); // a commit is no ref
        QVERIFY(torch::equal(outputOf(v1.folder), outputOf(modelDir_.toStdString())));
        QVERIFY(torch::equal(outputOf(main.folder), outputOf(otherDir_.toStdString())));
        // Files equal in both commits (vocab.txt) are one blob.
        QSet<QByteArray> contents;
        for (const auto& dir : {modelDir_, otherDir_})
            for (const auto& name : QDir(dir).entryList(QDir::Files))
                contents.insert(QCryptographicHash::hash(readAll(dir + "/" + name),
                                                         QCryptographicHash::Sha256));
        QCOMPARE(QDir(repo + "/blobs").entryList(QDir::Files).size(), contents.size());
        QVERIFY(contents.size() < 6);
        const auto listed = hub::listCached(e);
        QCOMPARE(listed.size(), size_t(1));
        QCOMPARE(listed[0].revisions, (std::vector<std::string>{"main", "v1"}));
        QCOMPARE(listed[0].commits.size(), size_t(2));
    }

    // A cache written by huggingface_hub (made here by hand in its layout) is read as it is.
    void readsHuggingFaceHubCache() {
        const QString cache = tmp_.filePath("pycache");
        const QString repo = cache + "/models--google--bert-tiny";
        const QString commit = QString("0123456789abcdef0123456789abcdef01234567");
        for (const auto& name : {"config.json", "model.safetensors", "vocab.txt"}) {
            const QString blob = repo + "/blobs/" + sha256(modelDir_ + "/" + name);
            writeAll(blob, readAll(modelDir_ + "/" + name));
            QDir().mkpath(repo + "/snapshots/" + commit);
            QVERIFY(QFile::link("../../blobs/" + QFileInfo(blob).fileName(),
                                repo + "/snapshots/" + commit + "/" + name));
        }
        writeAll(repo + "/refs/main", commit.toLatin1()); // no newline, as huggingface_hub writes
        const auto e = env("http://127.0.0.1:9", cache);  // nothing listens there
        const auto s = hub::cached(hub::ModelRef::parse("google/bert-tiny"), e);
        QVERIFY(s);
        QCOMPARE(QString::fromStdString(s->folder), repo + "/snapshots/" + commit);
        QVERIFY(torch::equal(outputOf(s->folder), outputOf(modelDir_.toStdString())));
        const auto listed = hub::listCached(e);
        QCOMPARE(listed.size(), size_t(1));
        QCOMPARE(listed[0].id, std::string("google/bert-tiny"));
        // A snapshot with a dangling link (an incomplete download) is not complete.
        QFile::remove(repo + "/blobs/" + sha256(modelDir_ + "/model.safetensors"));
        QVERIFY(!hub::cached(hub::ModelRef::parse("google/bert-tiny"), e));
        QVERIFY(hub::listCached(e).empty());
    }

    // The command line: hub download --json, progress on stderr, hf: backbones in params.
    void commandLine() {
        HubServer server(tmp_.filePath("srv7"));
        const QString endpoint = server.start();
        server.addCommit("org/tiny", kCommit1, modelDir_);
        QProcess cli;
        auto environment = QProcessEnvironment::systemEnvironment();
        environment.insert("HF_ENDPOINT", endpoint);
        environment.insert("HF_HUB_CACHE", tmp_.filePath("cache"));
        environment.remove("HF_TOKEN");
        cli.setProcessEnvironment(environment);
        cli.start(ADAPTERLAB_CLI, {"hub", "download", "org/tiny", "--json"});
        QVERIFY(cli.waitForFinished(60000));
        QCOMPARE(cli.exitCode(), 0);
        const auto j = QJsonDocument::fromJson(cli.readAllStandardOutput()).object();
        QCOMPARE(j["commit"].toString(), kCommit1);
        QCOMPARE(j["folder"].toString(),
                 tmp_.filePath("cache/models--org--tiny/snapshots/") + kCommit1);
        QVERIFY(j["downloaded_bytes"].toInteger() > 0);
        const QString err = cli.readAllStandardError();
        QVERIFY2(err.contains("model.safetensors") && err.contains("/s"), qPrintable(err));

        cli.start(ADAPTERLAB_CLI,
                  {"params", "--model", "hf:org/tiny", "--method", "lora", "--json"});
        QVERIFY(cli.waitForFinished(60000));
        QCOMPARE(cli.exitCode(), 0);
        QVERIFY(
            QJsonDocument::fromJson(cli.readAllStandardOutput()).object()["trainable"].toInteger() >
            0);

        cli.start(ADAPTERLAB_CLI, {"hub", "download", "org/absent"});
        QVERIFY(cli.waitForFinished(60000));
        QCOMPARE(cli.exitCode(), 1);
        QVERIFY(cli.readAllStandardError().contains("does not exist"));
    }
};

QTEST_GUILESS_MAIN(TestHub)
#include "test_hub.moc"
