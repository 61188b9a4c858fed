// The SQLite experiment store: schema and migrations, refusal of foreign or newer files,
// read-only browsing, run lifecycle, concurrent access and interrupted runs.
#include "test_util.h"

#include "store/store.h"
#include "util/error.h"

#include <QTemporaryDir>

#include <QDir>
#include <QFile>

#include <sqlite3.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace adapterlab;
using namespace adapterlab::store;
using nlohmann::json;

namespace {
using testutil::errorOf;


void rawSql(const std::string& path, const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open(path.c_str(), &db);
    sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
    sqlite3_close(db);
}

json sampleConfig() {
    return {{"task", "glue:RTE:/x"}, {"method", "adapter"}, {"adapter_size", 64}, {"seed", 3},
            {"learning_rate", 3e-4}, {"epochs", 2}, {"backbone", "/b"}};
}

} // namespace

class TestStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void createsAndMigrates();
    void refusesForeignAndNewerFiles();
    void readOnlyBrowsing();
    void runLifecycle();
    void concurrentWritersAndReader();
    void interruptedRunsAreMarked();
    void diskFullDuringWrite();
};

void TestStore::createsAndMigrates() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("e.alab").toStdString();
    {
        Store s(path);
        QCOMPARE(s.schemaVersion(), kSchemaVersion);
        QVERIFY(s.writable());
        Statement q = s.database().prepare("PRAGMA journal_mode");
        QVERIFY(q.step());
        QCOMPARE(q.getText(0), std::string("wal"));
        Statement fk = s.database().prepare("PRAGMA foreign_keys");
        QVERIFY(fk.step());
        QCOMPARE(fk.getInt(0), int64_t(1));
    }
    Store again(path); // reopening migrates nothing and keeps the version
    QCOMPARE(again.schemaVersion(), kSchemaVersion);
    QCOMPARE(again.runs().size(), size_t(0));
}

void TestStore::refusesForeignAndNewerFiles() {
    QTemporaryDir dir;
    const std::string junk = dir.filePath("junk.alab").toStdString();
    QFile f(QString::fromStdString(junk));
    f.open(QIODevice::WriteOnly);
    f.write(QByteArray(4096, 'x'));
    f.close();
    QVERIFY(errorOf([&] { Store s(junk); }).find("not an AdapterLab experiment file") != std::string::npos);
    QCOMPARE(QFileInfo(f).size(), qint64(4096)); // untouched

    const std::string other = dir.filePath("other.db").toStdString();
    rawSql(other, "CREATE TABLE t(x)");
    QVERIFY(errorOf([&] { Store s(other); }).find("not an AdapterLab experiment file") != std::string::npos);

    const std::string newer = dir.filePath("newer.alab").toStdString();
    { Store s(newer); }
    rawSql(newer, "PRAGMA user_version = 99");
    const std::string err = errorOf([&] { Store s(newer); });
    QVERIFY2(err.find("newer AdapterLab (schema version 99") != std::string::npos, err.c_str());
}

void TestStore::readOnlyBrowsing() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("e.alab").toStdString();
    int64_t id = 0;
    {
        Store s(path);
        id = s.createRun(sampleConfig());
    }
    Store ro(path, true);
    QVERIFY(!ro.writable());
    QCOMPARE(ro.runs().size(), size_t(1));
    QCOMPARE(ro.run(id).method, std::string("adapter"));
    QVERIFY(errorOf([&] { ro.createRun(sampleConfig()); }).find("read-only") != std::string::npos);
    QVERIFY(errorOf([&] { ro.run(999); }).find("no run 999") != std::string::npos);
}

void TestStore::runLifecycle() {
    QTemporaryDir dir;
    Store s(dir.filePath("e.alab").toStdString());
    const int64_t id = s.createRun(sampleConfig());
    QCOMPARE(s.run(id).status, std::string("queued"));
    RunStart st;
    st.device = "cpu";
    st.mainMetric = "accuracy";
    st.labels = json{"a", "b"};
    st.paramsTotal = 100;
    st.paramsTrainable = 7;
    s.startRun(id, st);
    QCOMPARE(s.run(id).status, std::string("running"));
    s.appendSteps(id, {{1, 1, 0.7, 1e-4, 10}, {2, 1, 0.6, 2e-4, 11}});
    s.addEval(id, {"dev", 1, 2, json{{"accuracy", 0.75}}, 0.75});
    RunEnd end;
    end.status = "finished";
    end.bestMetrics = json{{"accuracy", 0.75}};
    end.bestEpoch = 1;
    end.bestScore = 0.75;
    end.taskParameters = {'a', 'b', 'c'};
    s.finishRun(id, end);
    const RunRecord r = s.run(id);
    QCOMPARE(r.status, std::string("finished"));
    QCOMPARE(r.seed, int64_t(3));
    QCOMPARE(r.adapterSize, int64_t(64));
    QVERIFY(r.labels == (json{"a", "b"}));
    QCOMPARE(r.bestMetrics["accuracy"].get<double>(), 0.75);
    QCOMPARE(r.config["task"].get<std::string>(), std::string("glue:RTE:/x"));
    QCOMPARE(s.steps(id).size(), size_t(2));
    QCOMPARE(s.steps(id)[1].loss, 0.6);
    QCOMPARE(s.evals(id).size(), size_t(1));
    QCOMPARE(s.taskParameters(id), (std::vector<char>{'a', 'b', 'c'}));
    s.setNotes(id, "first try", "baseline");
    QCOMPARE(s.run(id).tags, std::string("baseline"));
    s.deleteRun(id);
    QCOMPARE(s.runs().size(), size_t(0));
    Statement q = s.database().prepare("SELECT count(*) FROM steps");
    QVERIFY(q.step());
    QCOMPARE(q.getInt(0), int64_t(0)); // cascaded
}

void TestStore::concurrentWritersAndReader() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("e.alab").toStdString();
    int64_t id = 0;
    {
        Store s(path);
        id = s.createRun(sampleConfig());
    }
    // Two writer threads (one connection each) and a reader, all at once: no lost rows,
    // no "database is locked".
    std::atomic<bool> failed{false};
    std::atomic<int> reads{0};
    const auto writer = [&](int64_t offset) {
        try {
            Store s(path);
            for (int64_t i = 0; i < 200; ++i) s.appendSteps(id, {{offset + i, 1, 0.5, 1e-4, 1}});
        } catch (const std::exception&) {
            failed = true;
        }
    };
    std::thread a(writer, 0), b(writer, 1000);
    std::thread reader([&] {
        try {
            Store s(path, true);
            for (int i = 0; i < 50; ++i) {
                s.steps(id);
                ++reads;
            }
        } catch (const std::exception&) {
            failed = true;
        }
    });
    a.join();
    b.join();
    reader.join();
    QVERIFY(!failed);
    QCOMPARE(reads.load(), 50);
    Store s(path);
    QCOMPARE(s.steps(id).size(), size_t(400));
}

void TestStore::interruptedRunsAreMarked() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("e.alab").toStdString();
    Store s(path);
    const int64_t mine = s.createRun(sampleConfig());
    s.startRun(mine, {});
    const int64_t orphan = s.createRun(sampleConfig());
    s.startRun(orphan, {});
    // A process that has exited: its pid is free.
    const pid_t child = fork();
    if (child == 0) _exit(0);
    waitpid(child, nullptr, 0);
    rawSql(path, "UPDATE runs SET owner_pid = " + std::to_string(child) + " WHERE id = " + std::to_string(orphan));
    QCOMPARE(s.markInterrupted(), 1);
    QCOMPARE(s.run(orphan).status, std::string("interrupted"));
    QCOMPARE(s.run(mine).status, std::string("running")); // this process is alive
}

void TestStore::diskFullDuringWrite() {
    // A real full disk: a 512 KiB tmpfs, filled up by another file, under the experiment file.
    if (::geteuid() != 0) QSKIP("mounting a small file system needs root");
    QTemporaryDir dir;
    const QByteArray mnt = dir.filePath("small").toLocal8Bit();
    QVERIFY(QDir().mkpath(dir.filePath("small")));
    if (::mount("tmpfs", mnt.constData(), "tmpfs", 0, "size=512k") != 0)
        QSKIP(qPrintable(QString("cannot mount a tmpfs here: %1").arg(strerror(errno))));
    struct Unmount {
        QByteArray at;
        ~Unmount() { ::umount2(at.constData(), MNT_DETACH); }
    } unmount{mnt};
    const std::string path = dir.filePath("small/e.alab").toStdString();
    Store s(path);
    const int64_t id = s.createRun(sampleConfig());
    s.startRun(id, RunStart{});
    QFile filler(dir.filePath("small/filler"));
    QVERIFY(filler.open(QIODevice::WriteOnly));
    while (filler.write(QByteArray(16 * 1024, 'x')) > 0 && filler.flush()) {
    }
    filler.close();
    // Leave a little room, so some batches commit before the disk is full.
    QVERIFY(filler.resize(filler.size() - 96 * 1024));
    int64_t committed = 0;
    std::string err;
    for (int batch = 0; batch < 1000 && err.empty(); ++batch) {
        std::vector<StepRow> rows;
        for (int k = 0; k < 200; ++k) rows.push_back({committed + k + 1, 1, 0.5, 1e-3, 10.0});
        err = errorOf([&] { s.appendSteps(id, rows); });
        if (err.empty()) committed += 200;
    }
    QVERIFY2(!err.empty(), "the disk never filled up");
    QVERIFY(committed > 0);
    QVERIFY2(err.find("full") != std::string::npos && err.find(path) != std::string::npos, err.c_str());
    qInfo("disk full after %lld committed steps: %s", static_cast<long long>(committed), err.c_str());
    // Nothing half-written: exactly the committed batches, readable while the disk is still full.
    QCOMPARE(static_cast<int64_t>(Store(path, true).steps(id).size()), committed);
    // Space freed: the same connection writes again, and the file is sound.
    QVERIFY(filler.remove());
    s.appendSteps(id, {{committed + 1, 1, 0.25, 1e-3, 10.0}});
    QCOMPARE(static_cast<int64_t>(s.steps(id).size()), committed + 1);
    Statement check = s.database().prepare("PRAGMA integrity_check");
    QVERIFY(check.step());
    QCOMPARE(check.getText(0), std::string("ok"));
}

QTEST_APPLESS_MAIN(TestStore)
#include "test_store.moc"
