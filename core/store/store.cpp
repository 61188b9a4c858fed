#include "store/store.h"

#include <filesystem>

#include "util/error.h"

#include <sqlite3.h>

#include <cerrno>
#include <csignal>
#include <iterator>
#include <map>
#include <unistd.h>

namespace adapterlab::store {
namespace {

using nlohmann::json;

// Migrations: entry i takes the schema from version i to i + 1. Append, never edit.
const char* const kMigrations[] = {
    R"sql(
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
-- Layer ablation: metric with the adapters of layers [first_layer, last_layer] switched off;
-- first_layer = last_layer = -1 is the intact model.
CREATE TABLE ablations (
  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  first_layer INTEGER NOT NULL, last_layer INTEGER NOT NULL,
  metrics TEXT NOT NULL, score REAL,
  PRIMARY KEY (run_id, first_layer, last_layer)
) WITHOUT ROWID;
)sql",
    // 2: the training-set size (learning curves) becomes a column, filled from each run's
    // settings; 0 = the whole training split, as for every run stored before the setting.
    R"sql(
ALTER TABLE runs ADD COLUMN train_size INTEGER NOT NULL DEFAULT 0;
-- CASE, not AND: SQLite may evaluate both sides of AND, and json_type() fails on malformed JSON.
UPDATE runs SET train_size = CASE WHEN json_valid(config) THEN
    CASE json_type(config, '$.train_size') WHEN 'integer' THEN json_extract(config, '$.train_size')
    ELSE 0 END
  ELSE 0 END;
)sql",
    // 3: the precision a run computed in (resolved on its device: fp32, tf32, bf16, fp16) and
    // its peak GPU memory; runs stored before computed in fp32.
    R"sql(
ALTER TABLE runs ADD COLUMN precision TEXT NOT NULL DEFAULT 'fp32';
ALTER TABLE runs ADD COLUMN peak_memory_bytes INTEGER NOT NULL DEFAULT 0;
)sql",
    // 4: how many data-parallel processes trained a run, and where it ran (host, and a Slurm
    // job's id, array index and node); runs stored before ran in one process, here.
    R"sql(
ALTER TABLE runs ADD COLUMN world_size INTEGER NOT NULL DEFAULT 1;
ALTER TABLE runs ADD COLUMN provenance TEXT NOT NULL DEFAULT '{}';
)sql",
};
constexpr int kNumMigrations = sizeof(kMigrations) / sizeof(kMigrations[0]);
static_assert(kNumMigrations == kSchemaVersion, "one migration per schema version");

bool processAlive(int64_t pid) {
    if (pid <= 0) return false;
    return kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

json parseOr(const std::string& s, json fallback) {
    if (s.empty()) return fallback;
    try {
        return json::parse(s);
    } catch (const json::exception&) {
        return fallback;
    }
}

constexpr const char* kStatusNames[] = {"queued", "running",   "finished",
                                        "failed", "cancelled", "interrupted"};

// Reads the current row of a statement by column name (a query's column order is nobody's
// contract); NULL reads as empty, 0 or absent. Made once per query: the names are known after
// prepare, and each step() moves it to the next row.
class Row {
public:
    explicit Row(const Statement& s) : s_(s) {
        for (int i = 0; i < s.columnCount(); ++i)
            index_.emplace(s.columnName(i), i);
    }
    std::string text(const char* name) const { return s_.getText(at(name)); }
    int64_t integer(const char* name) const { return s_.getInt(at(name)); }
    double real(const char* name) const { return s_.getDouble(at(name)); }
    bool null(const char* name) const { return s_.isNull(at(name)); }
    bool has(const char* name) const { return index_.count(name) > 0; }
    json object(const char* name, json fallback) const { return parseOr(text(name), fallback); }

private:
    int at(const char* name) const {
        const auto it = index_.find(name);
        if (it == index_.end())
            throw Error(std::string("experiment file: no column '") + name + "'");
        return it->second;
    }
    const Statement& s_;
    std::map<std::string, int> index_;
};

// A run's settings from its columns, for a stored JSON that does not parse.
train::RunConfig configFromColumns(const Row& row) {
    train::RunConfig c;
    c.task = row.text("task");
    c.backbone = row.text("backbone");
    try {
        c.method.method = train::parseMethod(row.text("method"));
    } catch (const Error&) {
        // an unknown method keeps the default; configError tells the reader
    }
    c.adapter.size = row.integer("adapter_size");
    c.adapter.initStd = row.real("init_std");
    c.learningRate = row.real("learning_rate");
    c.epochs = static_cast<int>(row.integer("epochs"));
    c.seed = static_cast<uint64_t>(row.integer("seed"));
    c.method.topK = static_cast<int>(row.integer("top_k"));
    c.trainSize = row.has("train_size") ? row.integer("train_size") : 0; // version 1 lacks it
    return c;
}

RunRecord readRun(const Row& row, const std::string& file) {
    RunRecord r;
    r.id = row.integer("id");
    r.status = parseRunStatus(row.text("status"));
    r.createdAt = row.text("created_at");
    r.startedAt = row.text("started_at");
    r.finishedAt = row.text("finished_at");
    const std::string origin = file + " run " + std::to_string(r.id);
    try {
        r.configJson = json::parse(row.text("config"));
        r.config = train::RunConfig::fromJson(r.configJson, origin);
    } catch (const json::exception&) {
        r.configJson = json::object();
        r.configError = origin + ": its stored settings are not valid JSON";
        r.config = configFromColumns(row);
    } catch (const Error& e) {
        r.configError = e.what();
        r.config = configFromColumns(row);
    }
    r.storedMethod = row.text("method");
    r.device = row.text("device");
    // Files browsed read-only keep their schema: before version 3, runs computed in fp32.
    if (row.has("precision")) r.precision = row.text("precision");
    if (row.has("peak_memory_bytes")) r.peakMemoryBytes = row.integer("peak_memory_bytes");
    if (row.has("world_size")) r.worldSize = row.integer("world_size");
    if (row.has("provenance")) r.provenance = row.object("provenance", json::object());
    r.appVersion = row.text("app_version");
    r.torchVersion = row.text("torch_version");
    r.backboneId = row.text("backbone_id");
    r.labels = row.object("labels", nullptr);
    r.mainMetric = row.text("main_metric");
    r.devNote = row.text("dev_note");
    r.paramsTotal = row.integer("params_total");
    r.paramsTrainable = row.integer("params_trainable");
    r.params = row.object("params", json::object());
    r.bestMetrics = row.object("best_metrics", json::object());
    r.finalMetrics = row.object("final_metrics", json::object());
    r.bestEpoch = row.integer("best_epoch");
    r.steps = row.integer("steps");
    r.bestScore = row.real("best_score");
    r.durationSeconds = row.real("duration_s");
    r.error = row.text("error");
    r.notes = row.text("notes");
    r.tags = row.text("tags");
    if (!row.null("sweep_id")) r.sweepId = row.integer("sweep_id");
    return r;
}

} // namespace

std::string hostName() {
    char buf[256] = {};
    gethostname(buf, sizeof buf - 1);
    return buf;
}

std::string RunRecord::methodId() const {
    if (configError.empty() || storedMethod.empty()) return train::toString(config.method.method);
    return storedMethod;
}

const char* toString(RunStatus s) {
    return kStatusNames[static_cast<int>(s)];
}

RunStatus parseRunStatus(const std::string& s) {
    for (int i = 0; i < static_cast<int>(std::size(kStatusNames)); ++i)
        if (s == kStatusNames[i]) return static_cast<RunStatus>(i);
    throw Error("unknown run status '" + s + "'");
}

Store::Store(const std::string& path, bool readOnly) {
    db_ = std::make_unique<Database>(path, readOnly);
    writable_ = !readOnly && sqlite3_db_readonly(db_->handle(), "main") == 0;
    try {
        db_->exec("PRAGMA foreign_keys = ON");
        schemaVersion(); // the first read: fails here for a file that is not SQLite
    } catch (const Error&) {
        throw Error("'" + path + "' is not an AdapterLab experiment file (not an SQLite database)");
    }
    const int version = schemaVersion();
    if (version > kSchemaVersion)
        throw Error("'" + path + "' was written by a newer AdapterLab (schema version " +
                    std::to_string(version) + "; this build reads up to " +
                    std::to_string(kSchemaVersion) + "): please upgrade AdapterLab");
    if (version > 0) {
        Statement s = db_->prepare("SELECT count(*) FROM sqlite_master WHERE name = 'runs'");
        if (!s.step() || s.getInt(0) == 0)
            throw Error("'" + path + "' is an SQLite file but not an AdapterLab experiment file");
    } else {
        Statement s = db_->prepare("SELECT count(*) FROM sqlite_master");
        if (s.step() && s.getInt(0) > 0)
            throw Error("'" + path + "' is an SQLite file but not an AdapterLab experiment file");
    }
    if (writable_) {
        db_->exec("PRAGMA journal_mode = WAL");
        db_->exec("PRAGMA synchronous = NORMAL"); // durable at checkpoints; WAL keeps it consistent
        migrate();
    }
    // Opened read-only, an older file is browsed as it is (rows are read by column name, and a
    // column a version lacks reads as its default); it migrates when next opened for writing.
}

int Store::schemaVersion() {
    Statement s = db_->prepare("PRAGMA user_version");
    s.step();
    return static_cast<int>(s.getInt(0));
}

void Store::migrate() {
    Transaction t(*db_);
    const int version = schemaVersion(); // re-read inside the write lock: another process may have migrated
    for (int v = version; v < kSchemaVersion; ++v) db_->exec(kMigrations[v]);
    if (version < kSchemaVersion) db_->exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
    t.commit();
}

void Store::requireWritable(const char* what) const {
    if (!writable_)
        throw Error("experiment file '" + db_->path() + "' is read-only: cannot " + what);
}

int64_t Store::createRun(const train::RunConfig& config, std::optional<int64_t> sweepId) {
    requireWritable("add a run");
    Statement s = db_->prepare(
        "INSERT INTO runs (status, config, task, method, adapter_size, init_std, learning_rate, "
        "epochs, seed, top_k, backbone, app_version, sweep_id, train_size) "
        "VALUES ('queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    s.bind(1, config.toJson().dump())
        .bind(2, config.task)
        .bind(3, std::string(train::toString(config.method.method)))
        .bind(4, config.adapter.size)
        .bind(5, config.adapter.initStd)
        .bind(6, config.learningRate)
        .bind(7, int64_t(config.epochs))
        .bind(8, static_cast<int64_t>(config.seed))
        .bind(9, int64_t(config.method.topK))
        .bind(10, config.backbone)
        .bind(11, std::string(ADAPTERLAB_VERSION))
        .bind(12, sweepId)
        .bind(13, config.trainSize);
    s.run();
    return db_->lastInsertId();
}

void Store::startRun(int64_t id, const RunStart& st) {
    requireWritable("start a run");
    Statement s = db_->prepare(
        "UPDATE runs SET status = 'running', started_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), "
        "device = ?, torch_version = ?, backbone_id = ?, main_metric = ?, dev_note = ?, labels = "
        "?, "
        "params = ?, params_total = ?, params_trainable = ?, owner_host = ?, owner_pid = ?, "
        "precision = ?, world_size = ?, provenance = ? WHERE id = ?");
    s.bind(1, st.device)
        .bind(2, st.torchVersion)
        .bind(3, st.backboneId)
        .bind(4, st.mainMetric)
        .bind(5, st.devNote)
        .bind(6, st.labels.dump())
        .bind(7, st.params.dump())
        .bind(8, st.paramsTotal)
        .bind(9, st.paramsTrainable)
        .bind(10, hostName())
        .bind(11, static_cast<int64_t>(getpid()))
        .bind(12, st.precision)
        .bind(13, st.worldSize)
        .bind(14, st.provenance.dump())
        .bind(15, id);
    s.run();
    if (db_->changes() != 1) throw Error(db_->path() + ": no run " + std::to_string(id));
}

void Store::appendSteps(int64_t id, const std::vector<StepRow>& rows) {
    if (rows.empty()) return;
    requireWritable("record steps");
    Transaction t(*db_);
    Statement s = db_->prepare(
        "INSERT OR REPLACE INTO steps (run_id, step, epoch, loss, learning_rate, examples_per_s) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    for (const auto& r : rows) {
        s.bind(1, id).bind(2, r.step).bind(3, r.epoch).bind(4, r.loss).bind(5, r.learningRate)
            .bind(6, r.examplesPerSecond);
        s.run();
    }
    t.commit();
}

void Store::addEval(int64_t id, const EvalRow& r) {
    requireWritable("record an evaluation");
    Statement s = db_->prepare("INSERT OR REPLACE INTO evals (run_id, split, epoch, step, metrics, "
                               "score) VALUES (?, ?, ?, ?, ?, ?)");
    s.bind(1, id).bind(2, r.split).bind(3, r.epoch).bind(4, r.step).bind(5, r.metrics.dump())
        .bind(6, r.score);
    s.run();
}

void Store::finishRun(int64_t id, const RunEnd& e) {
    requireWritable("finish a run");
    if (e.status != RunStatus::Finished && e.status != RunStatus::Failed &&
        e.status != RunStatus::Cancelled)
        throw Error(std::string("a run cannot end as ") + toString(e.status));
    Transaction t(*db_);
    Statement s = db_->prepare(
        "UPDATE runs SET status = ?, finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), "
        "error = ?, best_metrics = ?, final_metrics = ?, best_epoch = ?, best_score = ?, steps = "
        "?, "
        "duration_s = ?, peak_memory_bytes = ?, owner_pid = NULL WHERE id = ?");
    s.bind(1, std::string(toString(e.status)))
        .bind(2, e.error)
        .bind(3, e.bestMetrics.dump())
        .bind(4, e.finalMetrics.dump())
        .bind(5, e.bestEpoch)
        .bind(6, e.bestScore)
        .bind(7, e.steps)
        .bind(8, e.durationSeconds)
        .bind(9, e.peakMemoryBytes)
        .bind(10, id);
    s.run();
    if (!e.taskParameters.empty()) {
        Statement p = db_->prepare("INSERT OR REPLACE INTO task_params (run_id, data) VALUES (?, ?)");
        p.bind(1, id).bind(2, e.taskParameters);
        p.run();
    }
    t.commit();
}

void Store::setNotes(int64_t id, const std::string& notes, const std::string& tags) {
    requireWritable("edit notes");
    Statement s = db_->prepare("UPDATE runs SET notes = ?, tags = ? WHERE id = ?");
    s.bind(1, notes).bind(2, tags).bind(3, id);
    s.run();
}

void Store::deleteRun(int64_t id) {
    requireWritable("delete a run");
    Statement s = db_->prepare("DELETE FROM runs WHERE id = ?");
    s.bind(1, id);
    s.run();
    removeCheckpoint(id);
}

std::string Store::checkpointPath(int64_t id) const {
    return db_->path() + ".checkpoints/run-" + std::to_string(id) + ".pt";
}

void Store::removeCheckpoint(int64_t id) const {
    std::error_code ec;
    std::filesystem::remove(checkpointPath(id), ec);
    std::filesystem::remove(db_->path() + ".checkpoints", ec); // only when empty
}

void Store::rewindRun(int64_t id, int64_t step, int64_t epoch) {
    requireWritable("rewind a run");
    Transaction t(*db_);
    Statement st = db_->prepare("DELETE FROM steps WHERE run_id = ? AND step > ?");
    st.bind(1, id).bind(2, step);
    st.run();
    Statement ev = db_->prepare("DELETE FROM evals WHERE run_id = ? AND epoch > ?");
    ev.bind(1, id).bind(2, epoch);
    ev.run();
    Statement u = db_->prepare("UPDATE runs SET status = 'queued', finished_at = NULL, error = NULL, "
                               "owner_pid = NULL WHERE id = ?");
    u.bind(1, id);
    u.run();
    t.commit();
}

void Store::saveAblation(int64_t id, const std::vector<AblationRow>& rows) {
    requireWritable("store an ablation");
    Transaction t(*db_);
    Statement d = db_->prepare("DELETE FROM ablations WHERE run_id = ?");
    d.bind(1, id);
    d.run();
    Statement s = db_->prepare("INSERT INTO ablations (run_id, first_layer, last_layer, metrics, score) "
                               "VALUES (?, ?, ?, ?, ?)");
    for (const auto& r : rows) {
        s.bind(1, id).bind(2, r.first).bind(3, r.last).bind(4, r.metrics.dump()).bind(5, r.score);
        s.run();
    }
    t.commit();
}

std::vector<AblationRow> Store::ablation(int64_t id) {
    std::vector<AblationRow> out;
    Statement s = db_->prepare("SELECT first_layer, last_layer, metrics, score FROM ablations "
                               "WHERE run_id = ? ORDER BY first_layer, last_layer");
    s.bind(1, id);
    while (s.step()) out.push_back({s.getInt(0), s.getInt(1), parseOr(s.getText(2), json::object()), s.getDouble(3)});
    return out;
}

void Store::requeueRun(int64_t id) {
    requireWritable("requeue a run");
    Transaction t(*db_);
    for (const char* table : {"steps", "evals", "task_params", "ablations"}) {
        Statement d = db_->prepare(std::string("DELETE FROM ") + table + " WHERE run_id = ?");
        d.bind(1, id);
        d.run();
    }
    Statement u = db_->prepare("UPDATE runs SET status = 'queued', started_at = NULL, finished_at = NULL, "
                               "error = NULL, best_metrics = NULL, final_metrics = NULL, owner_pid = NULL "
                               "WHERE id = ?");
    u.bind(1, id);
    u.run();
    t.commit();
    removeCheckpoint(id);
}

int64_t Store::createSweep(const std::string& name, const json& plan) {
    requireWritable("create a sweep");
    Statement s = db_->prepare("INSERT INTO sweeps (name, plan) VALUES (?, ?)");
    s.bind(1, name).bind(2, plan.dump());
    s.run();
    return db_->lastInsertId();
}

void Store::setSweepStatus(int64_t id, RunStatus status) {
    requireWritable("update a sweep");
    Statement s = db_->prepare("UPDATE sweeps SET status = ? WHERE id = ?");
    s.bind(1, std::string(toString(status))).bind(2, id);
    s.run();
}

json Store::sweepPlan(int64_t id) {
    Statement s = db_->prepare("SELECT plan FROM sweeps WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) throw Error(db_->path() + ": there is no sweep " + std::to_string(id));
    return parseOr(s.getText(0), json::object());
}

std::vector<SweepRecord> Store::sweeps() {
    std::vector<SweepRecord> out;
    Statement s = db_->prepare(
        "SELECT s.id AS id, s.name AS name, s.status AS status, s.created_at AS created_at, "
        "count(r.id) AS runs, coalesce(sum(r.status IN ('finished', 'failed')), 0) AS finished "
        "FROM sweeps s LEFT JOIN runs r ON r.sweep_id = s.id GROUP BY s.id ORDER BY s.id");
    const Row row(s);
    while (s.step()) {
        SweepRecord r;
        r.id = row.integer("id");
        r.name = row.text("name");
        r.status = parseRunStatus(row.text("status"));
        r.createdAt = row.text("created_at");
        r.runs = static_cast<int>(row.integer("runs"));
        r.finished = static_cast<int>(row.integer("finished"));
        out.push_back(r);
    }
    return out;
}

std::vector<int64_t> Store::sweepRuns(int64_t id) {
    std::vector<int64_t> ids;
    Statement s = db_->prepare("SELECT id FROM runs WHERE sweep_id = ? ORDER BY id");
    s.bind(1, id);
    while (s.step()) ids.push_back(s.getInt(0));
    return ids;
}

int Store::markInterrupted() {
    if (!writable_) return 0;
    const std::string host = hostName();
    std::vector<int64_t> dead;
    {
        Statement s = db_->prepare("SELECT id, coalesce(owner_host, ''), coalesce(owner_pid, 0) "
                                   "FROM runs WHERE status = 'running'");
        while (s.step())
            if (s.getText(1) == host && !processAlive(s.getInt(2))) dead.push_back(s.getInt(0));
    }
    if (dead.empty()) return 0;
    Transaction t(*db_);
    Statement u = db_->prepare("UPDATE runs SET status = 'interrupted', owner_pid = NULL, "
                               "error = 'the process running it stopped (crash or kill)' WHERE id = ?");
    for (int64_t id : dead) {
        u.bind(1, id);
        u.run();
    }
    t.commit();
    return static_cast<int>(dead.size());
}

std::vector<RunRecord> Store::runs() {
    std::vector<RunRecord> out;
    Statement s = db_->prepare("SELECT * FROM runs ORDER BY id");
    const Row row(s);
    while (s.step()) out.push_back(readRun(row, db_->path()));
    return out;
}

RunRecord Store::run(int64_t id) {
    Statement s = db_->prepare("SELECT * FROM runs WHERE id = ?");
    s.bind(1, id);
    if (!s.step()) throw Error(db_->path() + ": there is no run " + std::to_string(id));
    return readRun(Row(s), db_->path());
}

std::vector<StepRow> Store::steps(int64_t id) {
    std::vector<StepRow> out;
    Statement s = db_->prepare("SELECT step, epoch, loss, learning_rate, examples_per_s FROM steps "
                               "WHERE run_id = ? ORDER BY step");
    s.bind(1, id);
    while (s.step())
        out.push_back({s.getInt(0), s.getInt(1), s.getDouble(2), s.getDouble(3), s.getDouble(4)});
    return out;
}

std::vector<EvalRow> Store::evals(int64_t id) {
    std::vector<EvalRow> out;
    Statement s = db_->prepare("SELECT split, epoch, step, metrics, score FROM evals WHERE run_id = ? "
                               "ORDER BY split, epoch");
    s.bind(1, id);
    while (s.step())
        out.push_back({s.getText(0), s.getInt(1), s.getInt(2), parseOr(s.getText(3), json::object()),
                       s.getDouble(4)});
    return out;
}

std::vector<char> Store::taskParameters(int64_t id) {
    Statement s = db_->prepare("SELECT data FROM task_params WHERE run_id = ?");
    s.bind(1, id);
    if (!s.step())
        throw Error(db_->path() + ": run " + std::to_string(id) + " has no trained parameters");
    return s.getBlob(0);
}

} // namespace adapterlab::store
