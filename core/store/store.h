#pragma once
// The experiment store: one SQLite file holds every run, its curves, metrics, parameter counts
// and trained per-task parameters, plus sweeps and ablation matrices. WAL, foreign keys,
// PRAGMA user_version migrations, short write transactions; one Store per thread.
#include "store/sqlite.h"
#include "train/run_config.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace adapterlab::store {

/// 1: the first release; 2: train_size is a column; 3: precision and peak memory; 4: world size
/// and provenance.
constexpr int kSchemaVersion = 4;

/// This machine's name as runs record it (owner_host, provenance).
std::string hostName();

/// A run's (or a sweep's) state, stored as its name.
enum class RunStatus { Queued, Running, Finished, Failed, Cancelled, Interrupted };
const char* toString(RunStatus s);
/// "queued" … "interrupted"; throws Error for another word.
RunStatus parseRunStatus(const std::string& s);

struct RunRecord {
    int64_t id = 0;
    RunStatus status = RunStatus::Queued;
    std::string createdAt, startedAt, finishedAt;
    /// The run's settings, parsed once. When the stored JSON does not parse (written by a newer
    /// release, damaged), they are rebuilt from the run's columns and configError says why.
    train::RunConfig config;
    nlohmann::json configJson; ///< the settings exactly as stored
    std::string configError;
    /// The method column as stored: what a listing shows for a run whose settings this build
    /// cannot read (a newer release's method), where `config` holds only a fallback.
    std::string storedMethod;

    /// The method's id to show: the settings' own, or the stored column's when they did not parse.
    std::string methodId() const;
    std::string device, appVersion, torchVersion, backboneId;
    std::string precision = "fp32"; ///< as computed (resolved on the device)
    int64_t peakMemoryBytes = 0;    ///< peak GPU memory (0 on the CPU)
    int64_t worldSize = 1;          ///< data-parallel processes that trained it
    nlohmann::json provenance = nlohmann::json::object(); ///< RunStart::provenance
    nlohmann::json labels;         ///< class names (array) or null
    std::string mainMetric, devNote;
    int64_t paramsTotal = 0, paramsTrainable = 0;
    nlohmann::json params = nlohmann::json::object(); ///< per-group counts
    nlohmann::json bestMetrics, finalMetrics;
    int64_t bestEpoch = 0, steps = 0;
    double bestScore = 0, durationSeconds = 0;
    std::string error, notes, tags;
    std::optional<int64_t> sweepId;
};

struct StepRow {
    int64_t step = 0;
    int64_t epoch = 0;
    double loss = 0, learningRate = 0, examplesPerSecond = 0;
};

struct EvalRow {
    std::string split;
    int64_t epoch = 0, step = 0;
    nlohmann::json metrics;
    double score = 0;
};

/// One cell of a layer-ablation matrix; first = last = -1 is the intact model.
struct AblationRow {
    int64_t first = -1, last = -1;
    nlohmann::json metrics;
    double score = 0;
};

struct SweepRecord {
    int64_t id = 0;
    std::string name, createdAt;
    RunStatus status = RunStatus::Queued; ///< queued, running, finished, cancelled, interrupted
    int runs = 0, finished = 0;
};

/// What a starting run records once its backbone and task are loaded.
struct RunStart {
    std::string device, torchVersion, backboneId, mainMetric, devNote;
    std::string precision = "fp32"; ///< resolved on the device
    int64_t worldSize = 1;          ///< data-parallel processes
    /// Where it ran: {"host": …} and, under Slurm, "slurm_job_id", "slurm_array_job_id",
    /// "slurm_array_task_id", "node".
    nlohmann::json provenance = nlohmann::json::object();
    nlohmann::json labels, params;
    int64_t paramsTotal = 0, paramsTrainable = 0;
};

/// How a run ended.
struct RunEnd {
    RunStatus status = RunStatus::Finished; ///< finished, failed or cancelled
    std::string error;
    nlohmann::json bestMetrics, finalMetrics;
    int64_t bestEpoch = 0, steps = 0;
    double bestScore = 0, durationSeconds = 0;
    int64_t peakMemoryBytes = 0;      ///< peak GPU memory (0 on the CPU)
    std::vector<char> taskParameters; ///< may be empty (failed before the first evaluation)
};

class Store {
public:
    /// Opens or creates the file and migrates it. A read-only file opens for browsing
    /// (writable() is false). Throws Error for a file that is not an AdapterLab store or was
    /// written by a newer version.
    explicit Store(const std::string& path, bool readOnly = false);

    const std::string& path() const { return db_->path(); }
    bool writable() const { return writable_; }
    int schemaVersion();

    int64_t createRun(const train::RunConfig& config,
                      std::optional<int64_t> sweepId = std::nullopt);
    void startRun(int64_t id, const RunStart& start);
    void appendSteps(int64_t id, const std::vector<StepRow>& rows);
    void addEval(int64_t id, const EvalRow& row);
    void finishRun(int64_t id, const RunEnd& end);
    void setNotes(int64_t id, const std::string& notes, const std::string& tags);
    void deleteRun(int64_t id);

    /// Replaces a run's ablation matrix (one transaction).
    void saveAblation(int64_t id, const std::vector<AblationRow>& rows);
    std::vector<AblationRow> ablation(int64_t id);
    /// Clears a run's recorded progress and queues it again (to resume an interrupted sweep).
    void requeueRun(int64_t id);
    /// Drops a run's step rows after `step` and evaluations after `epoch` (what the epoch a
    /// resumed run repeats had recorded before it stopped), and marks the run queued.
    void rewindRun(int64_t id, int64_t step, int64_t epoch);
    /// Where a run's epoch checkpoint lives: <file>.checkpoints/run-<id>.pt beside the store.
    std::string checkpointPath(int64_t id) const;
    /// Removes a run's epoch checkpoint, if any.
    void removeCheckpoint(int64_t id) const;

    int64_t createSweep(const std::string& name, const nlohmann::json& plan);
    void setSweepStatus(int64_t id, RunStatus status);
    nlohmann::json sweepPlan(int64_t id);
    std::vector<SweepRecord> sweeps();
    /// Run ids of a sweep in creation order.
    std::vector<int64_t> sweepRuns(int64_t id);

    /// Marks runs left 'running' by processes that no longer exist as interrupted; returns how many.
    int markInterrupted();

    std::vector<RunRecord> runs();
    RunRecord run(int64_t id);
    std::vector<StepRow> steps(int64_t id);
    std::vector<EvalRow> evals(int64_t id);
    /// The trained per-task parameters (safetensors bytes); Error when the run has none.
    std::vector<char> taskParameters(int64_t id);

    Database& database() { return *db_; }

private:
    void requireWritable(const char* what) const;
    void migrate();

    std::unique_ptr<Database> db_;
    bool writable_ = true;
};

} // namespace adapterlab::store
