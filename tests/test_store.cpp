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

train::RunConfig sampleConfig() {
    return train::RunConfig::fromJson({{"task", "glue:RTE:/x"},
                                       {"method", "adapter"},
                                       {"adapter_size", 64},
                                       {"seed", 3},
                                       {"learning_rate", 3e-4},
                                       {"epochs", 2},
                                       {"backbone", "/b"}});
}

// An experiment file exactly as release 0.1.0 (schema version 1) wrote it: its schema, WAL, and
// rows as its Store put them there (config JSON and the columns copied from it).
void writeVersion1File(const std::string& path) {
    rawSql(path, R"sql(
PRAGMA journal_mode = WAL;
CREATE TABLE sweeps (
  id INTEGER PRIMARY KEY,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  name TEXT NOT NULL DEFAULT '',
  plan TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'queued'
);
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  started_at TEXT, finished_at TEXT,
  status TEXT NOT NULL CHECK (status IN
    ('queued', 'running', 'finished', 'failed', 'cancelled', 'interrupted')),
  config TEXT NOT NULL,
  task TEXT, method TEXT, adapter_size INTEGER, init_std REAL, learning_rate REAL,
  epochs INTEGER, seed INTEGER, top_k INTEGER,
  device TEXT, app_version TEXT, torch_version TEXT, backbone TEXT, backbone_id TEXT,
  labels TEXT, main_metric TEXT, dev_note TEXT,
  params_total INTEGER, params_trainable INTEGER, params TEXT,
  best_metrics TEXT, final_metrics TEXT, best_epoch INTEGER, best_score REAL,
  steps INTEGER, duration_s REAL, error TEXT,
  notes TEXT NOT NULL DEFAULT '', tags TEXT NOT NULL DEFAULT '',
  sweep_id INTEGER REFERENCES sweeps(id) ON DELETE SET NULL,
  owner_host TEXT, owner_pid INTEGER
);
CREATE INDEX runs_sweep ON runs(sweep_id);
CREATE INDEX runs_task_method ON runs(task, method);
CREATE TABLE steps (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  step INTEGER NOT NULL, epoch INTEGER NOT NULL,
  loss REAL, learning_rate REAL, examples_per_s REAL,
  PRIMARY KEY (run_id, step)
) WITHOUT ROWID;
CREATE TABLE evals (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  split TEXT NOT NULL, epoch INTEGER NOT NULL, step INTEGER NOT NULL,
  metrics TEXT NOT NULL, score REAL,
  PRIMARY KEY (run_id, split, epoch)
) WITHOUT ROWID;
CREATE TABLE task_params (
  run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  data BLOB NOT NULL
);
CREATE TABLE ablations (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  first_layer INTEGER NOT NULL, last_layer INTEGER NOT NULL,
  metrics TEXT NOT NULL, score REAL,
  PRIMARY KEY (run_id, first_layer, last_layer)
) WITHOUT ROWID;
PRAGMA user_version = 1;
INSERT INTO sweeps (id, name, plan, status) VALUES (1, 'curve', '{"name":"curve"}', 'finished');
-- 1: a finished adapter run on a 200-example sample, in the sweep
INSERT INTO runs (id, status, config, task, method, adapter_size, init_std, learning_rate, epochs,
  seed, top_k, backbone, app_version, device, torch_version, backbone_id, labels, main_metric,
  dev_note, params_total, params_trainable, params, best_metrics, final_metrics, best_epoch,
  best_score, steps, duration_s, error, sweep_id, started_at, finished_at)
VALUES (1, 'finished',
  '{"adapter_size":8,"backbone":"/b","batch_size":32,"clip_norm":1.0,"device":"auto","epochs":2,"init_std":0.01,"learning_rate":0.001,"max_length":128,"method":"adapter","pooling":"cls","seed":2,"skip_malformed":false,"task":"glue:RTE:/d","threads":0,"top_k":1,"train_size":200,"warmup_fraction":0.1,"weight_decay":0.01}',
  'glue:RTE:/d', 'adapter', 8, 0.01, 0.001, 2, 2, 1, '/b', '0.1.0', 'cpu', '1.13.1', 'ab12',
  '["entailment","not_entailment"]', 'accuracy', '', 1000, 90,
  '{"total":1000,"trainable":90,"trainable_percent":9.0}', '{"accuracy":0.625}',
  '{"accuracy":0.6}', 2, 0.625, 14, 3.5, '', 1, '2026-11-01T10:00:00.000Z',
  '2026-11-01T10:00:04.000Z');
-- 2: a finished full fine-tuning run stored before train_size existed
INSERT INTO runs (id, status, config, task, method, adapter_size, init_std, learning_rate, epochs,
  seed, top_k, backbone, app_version, main_metric, best_score, best_metrics, params_trainable,
  notes, tags)
VALUES (2, 'finished',
  '{"adapter_size":64,"backbone":"/b","batch_size":32,"clip_norm":1.0,"device":"auto","epochs":3,"init_std":0.01,"learning_rate":0.0001,"max_length":128,"method":"full","seed":1,"task":"glue:RTE:/d","threads":0,"top_k":1,"warmup_fraction":0.1,"weight_decay":0.01}',
  'glue:RTE:/d', 'full', 64, 0.01, 0.0001, 3, 1, 1, '/b', '0.1.0', 'accuracy', 0.7,
  '{"accuracy":0.7}', 1000, 'baseline run', 'paper');
-- 3: a failed top-k run with its reason, 4: an interrupted one
INSERT INTO runs (id, status, config, task, method, top_k, error)
VALUES (3, 'failed', '{"backbone":"/b","method":"top_k","task":"glue:RTE:/d","top_k":3}',
  'glue:RTE:/d', 'top_k', 3, 'no such file');
INSERT INTO runs (id, status, config, task, method, error)
VALUES (4, 'interrupted', '{"backbone":"/b","method":"layernorm","task":"glue:RTE:/d"}',
  'glue:RTE:/d', 'layernorm', 'the process running it stopped (crash or kill)');
INSERT INTO steps VALUES (1, 1, 1, 0.69, 0.0005, 120.0), (1, 2, 1, 0.65, 0.001, 121.5),
  (1, 3, 2, 0.61, 0.0005, 119.0);
INSERT INTO evals VALUES (1, 'dev', 1, 2, '{"accuracy":0.6}', 0.6),
  (1, 'dev', 2, 3, '{"accuracy":0.625}', 0.625);
INSERT INTO task_params VALUES (1, X'00010203FF');
INSERT INTO ablations VALUES (1, -1, -1, '{"accuracy":0.625}', 0.625),
  (1, 0, 0, '{"accuracy":0.5}', 0.5), (1, 0, 1, '{"accuracy":0.375}', 0.375),
  (1, 1, 1, '{"accuracy":0.55}', 0.55);
)sql");
}

} // namespace

class TestStore : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void creates();
    void migratesVersion1File();
    void settingsTheReleaseCannotParse();
    void refusesForeignAndNewerFiles();
    void readOnlyBrowsing();
    void runLifecycle();
    void concurrentWritersAndReader();
    void interruptedRunsAreMarked();
    void diskFullDuringWrite();
};

void TestStore::creates() {
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

void TestStore::migratesVersion1File() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("v1.alab").toStdString();
    writeVersion1File(path);
    // Read-only (exports, runs list on a file in use), it is browsed as it is and not migrated.
    {
        Store ro(path, true);
        QCOMPARE(ro.schemaVersion(), 1);
        const auto runs = ro.runs();
        QCOMPARE(runs.size(), size_t(4));
        QCOMPARE(runs[0].config.trainSize, int64_t(200));
        QCOMPARE(runs[0].bestScore, 0.625);
        QCOMPARE(runs[0].precision, std::string("fp32"));
        QCOMPARE(ro.ablation(1).size(), size_t(4));
    }
    {
        // A v1 run whose settings do not parse is rebuilt from v1's columns (no train_size).
        rawSql(path, "UPDATE runs SET config = 'not json' WHERE id = 4");
        Store ro(path, true);
        const auto r = ro.run(4);
        QVERIFY(!r.configError.empty());
        QCOMPARE(r.config.method.method, train::Method::LayerNorm);
        QCOMPARE(r.config.trainSize, int64_t(0));
    } // and it stays damaged through the migration, which must not trip over it
    {
        Store s(path);
        QCOMPARE(s.schemaVersion(), kSchemaVersion);
        const auto runs = s.runs();
        QCOMPARE(runs.size(), size_t(4));
        const RunRecord& a = runs[0];
        QCOMPARE(a.status, RunStatus::Finished);
        QVERIFY2(a.configError.empty(), a.configError.c_str());
        QCOMPARE(a.config.method.method, train::Method::Adapter);
        QCOMPARE(a.config.adapter.size, int64_t(8));
        QCOMPARE(a.config.learningRate, 1e-3);
        QCOMPARE(a.config.seed, uint64_t(2));
        QCOMPARE(a.config.trainSize, int64_t(200));
        QCOMPARE(a.bestScore, 0.625);
        QCOMPARE(a.bestMetrics["accuracy"].get<double>(), 0.625);
        QCOMPARE(a.finalMetrics["accuracy"].get<double>(), 0.6);
        QVERIFY(a.labels == (json{"entailment", "not_entailment"}));
        QCOMPARE(a.params["trainable_percent"].get<double>(), 9.0);
        QCOMPARE(a.paramsTrainable, int64_t(90));
        QCOMPARE(a.backboneId, std::string("ab12"));
        QCOMPARE(a.precision, std::string("fp32")); // version 3: runs before it computed in fp32
        QCOMPARE(a.peakMemoryBytes, int64_t(0));
        QCOMPARE(a.finishedAt, std::string("2026-11-01T10:00:04.000Z"));
        QCOMPARE(a.sweepId.value_or(0), int64_t(1));
        QCOMPARE(runs[1].config.method.method, train::Method::Full);
        QCOMPARE(runs[1].config.trainSize, int64_t(0)); // before the setting: the whole split
        QCOMPARE(runs[1].notes, std::string("baseline run"));
        QCOMPARE(runs[1].tags, std::string("paper"));
        QCOMPARE(runs[2].status, RunStatus::Failed);
        QCOMPARE(runs[2].config.method.topK, 3);
        QCOMPARE(runs[2].error, std::string("no such file"));
        QCOMPARE(runs[3].status, RunStatus::Interrupted);
        QCOMPARE(runs[3].config.method.method, train::Method::LayerNorm); // from its columns
        QVERIFY(!runs[3].configError.empty());
        // Curves, metrics, parameters and the ablation matrix, unchanged.
        const auto steps = s.steps(1);
        QCOMPARE(steps.size(), size_t(3));
        QCOMPARE(steps[1].loss, 0.65);
        QCOMPARE(steps[2].epoch, int64_t(2));
        QCOMPARE(steps[1].examplesPerSecond, 121.5);
        const auto evals = s.evals(1);
        QCOMPARE(evals.size(), size_t(2));
        QCOMPARE(evals[1].score, 0.625);
        QCOMPARE(evals[1].metrics["accuracy"].get<double>(), 0.625);
        QCOMPARE(s.taskParameters(1), (std::vector<char>{0, 1, 2, 3, char(0xFF)}));
        const auto ablation = s.ablation(1);
        QCOMPARE(ablation.size(), size_t(4));
        QCOMPARE(ablation[0].first, int64_t(-1));
        QCOMPARE(ablation[2].score, 0.375);
        QCOMPARE(s.sweepRuns(1), (std::vector<int64_t>{1}));
        // The new column holds each run's size, filled from its settings.
        Statement q = s.database().prepare("SELECT id, train_size FROM runs ORDER BY id");
        std::vector<int64_t> sizes;
        while (q.step())
            sizes.push_back(q.getInt(1));
        QCOMPARE(sizes, (std::vector<int64_t>{200, 0, 0, 0}));
        // New runs go on after the old ones and fill the column themselves.
        auto cfg = sampleConfig();
        cfg.trainSize = 50;
        const int64_t id = s.createRun(cfg);
        QCOMPARE(id, int64_t(5));
        Statement n = s.database().prepare("SELECT train_size FROM runs WHERE id = 5");
        QVERIFY(n.step());
        QCOMPARE(n.getInt(0), int64_t(50));
    }
    // Migrated once: reopening keeps the version and every row.
    Store again(path);
    QCOMPARE(again.schemaVersion(), kSchemaVersion);
    QCOMPARE(again.runs().size(), size_t(5));
    QCOMPARE(again.steps(1).size(), size_t(3));
}

void TestStore::settingsTheReleaseCannotParse() {
    // A run whose stored settings this build does not know (a newer release's, or damaged) is
    // still listed, from its columns, with the reason; it cannot be resumed or loaded.
    QTemporaryDir dir;
    const std::string path = dir.filePath("e.alab").toStdString();
    int64_t id = 0;
    {
        Store s(path);
        id = s.createRun(sampleConfig());
    }
    rawSql(path, "UPDATE runs SET config = '{\"method\":\"adapter\",\"rank\":4}', "
                 "adapter_size = 16 WHERE id = " +
                     std::to_string(id));
    Store s(path);
    const RunRecord r = s.run(id);
    QVERIFY2(r.configError.find("unknown setting 'rank'") != std::string::npos,
             r.configError.c_str());
    QCOMPARE(r.config.adapter.size, int64_t(16));
    QCOMPARE(r.config.task, std::string("glue:RTE:/x"));
    QCOMPARE(r.configJson["rank"].get<int>(), 4);
    QCOMPARE(r.methodId(), std::string("adapter")); // the column names a method it knows
    // A method this build does not know (as a newer release stores it): named in the reason,
    // and shown as stored, not as the fallback's.
    rawSql(path, "UPDATE runs SET method = 'dora', config = '{\"method\":\"dora\"}' WHERE id = " +
                     std::to_string(id));
    const RunRecord dora = s.run(id);
    QVERIFY2(dora.configError.find("unknown method 'dora'") != std::string::npos,
             dora.configError.c_str());
    QCOMPARE(dora.methodId(), std::string("dora"));
    const int64_t readable = s.createRun(sampleConfig());
    QCOMPARE(s.run(readable).methodId(), std::string("adapter")); // its settings' own id
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
    QCOMPARE(ro.run(id).config.method.method, train::Method::Adapter);
    QVERIFY(errorOf([&] { ro.createRun(sampleConfig()); }).find("read-only") != std::string::npos);
    QVERIFY(errorOf([&] { ro.run(999); }).find("no run 999") != std::string::npos);
}

void TestStore::runLifecycle() {
    QTemporaryDir dir;
    Store s(dir.filePath("e.alab").toStdString());
    const int64_t id = s.createRun(sampleConfig());
    QCOMPARE(s.run(id).status, store::RunStatus::Queued);
    RunStart st;
    st.device = "cpu";
    st.mainMetric = "accuracy";
    st.labels = json{"a", "b"};
    st.paramsTotal = 100;
    st.paramsTrainable = 7;
    s.startRun(id, st);
    QCOMPARE(s.run(id).status, store::RunStatus::Running);
    s.appendSteps(id, {{1, 1, 0.7, 1e-4, 10}, {2, 1, 0.6, 2e-4, 11}});
    s.addEval(id, {"dev", 1, 2, json{{"accuracy", 0.75}}, 0.75});
    RunEnd end;
    end.status = store::RunStatus::Finished;
    end.bestMetrics = json{{"accuracy", 0.75}};
    end.bestEpoch = 1;
    end.bestScore = 0.75;
    end.taskParameters = {'a', 'b', 'c'};
    s.finishRun(id, end);
    const RunRecord r = s.run(id);
    QCOMPARE(r.status, store::RunStatus::Finished);
    QCOMPARE(r.config.seed, uint64_t(3));
    QCOMPARE(r.config.adapter.size, int64_t(64));
    QVERIFY(r.configError.empty());
    QVERIFY(r.labels == (json{"a", "b"}));
    QCOMPARE(r.bestMetrics["accuracy"].get<double>(), 0.75);
    QCOMPARE(r.config.task, std::string("glue:RTE:/x"));
    QCOMPARE(r.configJson["task"].get<std::string>(), std::string("glue:RTE:/x"));
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
    QCOMPARE(s.run(orphan).status, store::RunStatus::Interrupted);
    QCOMPARE(s.run(mine).status, store::RunStatus::Running); // this process is alive
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
