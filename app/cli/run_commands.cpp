// train, runs, eval: the commands that work on an experiment file.
#include "commands.h"
#include "launcher.h"
#include "method_options.h"

#include "experiments/results.h"
#include "experiments/run_job.h"
#include "store/store.h"
#include "train/distributed.h"
#include "train/trainer.h"
#include "util/error.h"
#include "util/json_file.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>

namespace adapterlab::cli {
namespace {

using nlohmann::json;

std::atomic<bool> gCancel{false};
extern "C" void onSigint(int) { gCancel.store(true); }

std::string duration(double s) {
    const long t = static_cast<long>(s + 0.5);
    std::ostringstream o;
    if (t >= 3600) o << t / 3600 << "h";
    if (t >= 60) o << (t % 3600) / 60 << "m";
    o << t % 60 << "s";
    return o.str();
}

// One progress line on stderr, rewritten at most twice a second; evaluations on their own lines.
class ProgressPrinter : public train::TrainObserver {
public:
    explicit ProgressPrinter(int epochs) : epochs_(epochs) {}
    void onStep(const train::StepInfo& s) override {
        const auto now = std::chrono::steady_clock::now();
        if (s.step != s.totalSteps && now - last_ < std::chrono::milliseconds(500)) return;
        last_ = now;
        std::fprintf(stderr, "\repoch %d/%d  step %lld/%lld  loss %.4f  lr %.2e  %.0f ex/s  ETA %s   ",
                     s.epoch, epochs_, static_cast<long long>(s.step),
                     static_cast<long long>(s.totalSteps), s.loss, s.learningRate,
                     s.examplesPerSecond, duration(s.etaSeconds).c_str());
        std::fflush(stderr);
    }
    void onEval(const train::EvalInfo& e) override {
        std::fprintf(stderr, "\nepoch %d dev:", e.epoch);
        for (const auto& [k, v] : e.metrics) std::fprintf(stderr, " %s %.4f", k.c_str(), v);
        std::fprintf(stderr, "%s\n", e.best ? "  (best)" : "");
    }

private:
    int epochs_;
    std::chrono::steady_clock::time_point last_{};
};

struct TrainOptions {
    std::string db, configFile, pooling, precision;
    std::shared_ptr<MethodOptions> methodOptions;
    train::RunConfig config;
    bool json = false;
    int64_t resume = 0;
    int nproc = 1;
    double distTimeout = 300; ///< seconds
};

json runSummary(const store::RunRecord& r) {
    const train::RunConfig& c = r.config;
    const auto& knob = train::methodInfo(c.method.method).knob;
    const bool known = r.configError.empty() && knob;
    return {{"id", r.id},
            {"status", store::toString(r.status)},
            {"task", c.task},
            {"method", r.methodId()},
            {"adapter_size", c.adapter.size},
            {"top_k", c.method.topK},
            {"init_std", c.adapter.initStd},
            {"learning_rate", c.learningRate},
            {"epochs", c.epochs},
            {"seed", c.seed},
            {"train_size", c.trainSize},
            {"device", r.device},
            {"params_total", r.paramsTotal},
            {"params_trainable", r.paramsTrainable},
            {"main_metric", r.mainMetric},
            {"best_score", r.bestScore},
            {"best_epoch", r.bestEpoch},
            {"best_metrics", r.bestMetrics},
            {"duration_s", r.durationSeconds},
            {"created_at", r.createdAt},
            {"notes", r.notes},
            {"tags", r.tags},
            {"error", r.error},
            {"knob", known ? json(knob->symbol) : json(nullptr)},
            {"size", known ? json(train::knobValue(c)) : json(nullptr)},
            {"precision", r.precision},
            {"peak_memory_bytes", r.peakMemoryBytes}};
}

// Prints a stored run's outcome as `train` does.
void printRunResult(const store::RunRecord& r, bool asJson) {
    if (asJson) {
        std::cout << runSummary(r).dump() << '\n';
    } else {
        std::cout << "run " << r.id << " " << store::toString(r.status) << " on " << r.device
                  << " (" << r.precision << ") in " << duration(r.durationSeconds)
                  << "\nbest dev (epoch " << r.bestEpoch << "):";
        for (const auto& [k, v] : r.bestMetrics.items()) std::cout << " " << k << " " << v.get<double>();
        std::cout << "\nparameters: " << r.paramsTrainable << " trainable of " << r.paramsTotal << " ("
                  << std::fixed << std::setprecision(3) << r.params.value("trainable_percent", 0.0)
                  << "% of the backbone)\n";
    }
    if (r.status == store::RunStatus::Cancelled)
        throw Error("run " + std::to_string(r.id) + " was cancelled");
}

std::chrono::milliseconds distTimeout(const TrainOptions& o) {
    return std::chrono::milliseconds(static_cast<int64_t>(o.distTimeout * 1000));
}

// Under torchrun's or srun's environment: this process's place in the data-parallel group
// (--nproc launches before this is reached).
std::unique_ptr<train::ProcessGroup> joinProcessGroup(const TrainOptions& o) {
    const auto env = train::DistributedEnv::fromEnvironment();
    if (!env) return nullptr;
    return std::make_unique<train::ProcessGroup>(*env, distTimeout(o));
}

// --nproc N: this same command N times as the ranks of one run; each rank gets its share of
// the cores unless --threads says otherwise (torchrun likewise sets one OpenMP thread).
void launchTrainRanks(const TrainOptions& o) {
    if (train::DistributedEnv::fromEnvironment())
        throw CLI::ValidationError("--nproc starts its own processes; under torchrun or srun "
                                   "(WORLD_SIZE or SLURM_NTASKS set) leave it out");
    if (!train::distributedAvailable())
        throw Error("--nproc: this build has no c10d backend (install libgloo-dev and rebuild)");
    std::vector<std::string> args = withoutOption(commandLine(), "--nproc");
    if (o.config.threads == 0) {
        const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
        args.push_back("--threads");
        args.push_back(std::to_string(std::max(1u, cores / static_cast<unsigned>(o.nproc))));
    }
    std::signal(SIGINT, onSigint);
    std::signal(SIGTERM, onSigint);
    const auto grace = distTimeout(o) + std::chrono::seconds(10);
    const LaunchResult r = launchRanks(o.nproc, args, gCancel, grace);
    if (r.rank0Killed) {
        // Rank 0 owned the run: it is marked interrupted (resumable with --resume ID --nproc N).
        store::Store store(o.db);
        store.markInterrupted();
    }
    if (!r.failure.empty()) throw Error(r.failure);
}

void runResume(TrainOptions& o, CLI::App* cmd) {
    const auto given = [&](const char* name) { return cmd->get_option(name)->count() > 0; };
    std::vector<std::string> fixed = o.methodOptions->names();
    for (const char* other :
         {"--task", "--backbone", "--lr", "--epochs", "--batch-size", "--max-length", "--seed",
          "--warmup", "--config", "--skip-malformed", "--train-size", "--pooling", "--precision"})
        fixed.push_back(other);
    for (const auto& other : fixed)
        if (given(other.c_str()))
            throw CLI::ValidationError(std::string("--resume continues a stored run with its own "
                                                   "settings; ") + other + " cannot change them");
    if (o.nproc > 1) return launchTrainRanks(o);
    std::signal(SIGINT, onSigint);
    std::signal(SIGTERM, onSigint);
    const auto group = joinProcessGroup(o);
    if (group && group->rank() != 0) return experiments::followTraining(*group, &gCancel);
    store::Store store(o.db);
    const auto before = store.run(o.resume); // throws for an unknown run
    ProgressPrinter progress(before.config.epochs);
    const int after = experiments::resumeRun(
        store, o.resume, &progress, &gCancel, given("--device") ? o.config.device : "",
        given("--threads") ? o.config.threads : -1, group.get());
    std::cerr << (after > 0 ? "resumed run " + std::to_string(o.resume) + " after epoch " + std::to_string(after)
                            : "run " + std::to_string(o.resume) + " had no epoch checkpoint; it started over")
              << '\n';
    printRunResult(store.run(o.resume), o.json);
}

void runTrain(TrainOptions& o, CLI::App* cmd) {
    if (cmd->get_option("--resume")->count() > 0) return runResume(o, cmd);
    train::RunConfig c;
    if (!o.configFile.empty()) c = train::RunConfig::fromJson(readJsonFile(o.configFile, "run config"), o.configFile);
    // Options given on the command line override the file.
    const auto given = [&](const char* name) { return cmd->get_option(name)->count() > 0; };
    if (given("--task")) c.task = o.config.task;
    if (given("--backbone")) c.backbone = o.config.backbone;
    o.methodOptions->apply(c);
    if (given("--pooling")) c.pooling = model::parsePooling(o.pooling);
    if (given("--lr")) c.learningRate = o.config.learningRate;
    if (given("--epochs")) c.epochs = o.config.epochs;
    if (given("--batch-size")) c.batchSize = o.config.batchSize;
    if (given("--max-length")) c.maxLength = o.config.maxLength;
    if (given("--seed")) c.seed = o.config.seed;
    if (given("--device")) c.device = o.config.device;
    if (given("--precision")) c.precision = train::parsePrecision(o.precision);
    if (given("--threads")) c.threads = o.config.threads;
    if (given("--skip-malformed")) c.skipMalformed = o.config.skipMalformed;
    if (given("--warmup")) c.warmupFraction = o.config.warmupFraction;
    if (given("--train-size")) c.trainSize = o.config.trainSize;
    if (c.task.empty() || c.backbone.empty())
        throw CLI::ValidationError("--task and --backbone are required (or in --config)");
    c.validate();
    if (o.nproc > 1) return launchTrainRanks(o);
    std::signal(SIGINT, onSigint);
    std::signal(SIGTERM, onSigint);
    const auto group = joinProcessGroup(o);
    if (group && group->rank() != 0) return experiments::followTraining(*group, &gCancel);
    store::Store store(o.db);
    store.markInterrupted();
    ProgressPrinter progress(c.epochs);
    const int64_t id = experiments::runTraining(store, c, &progress, &gCancel, std::nullopt,
                                                std::nullopt, group.get());
    printRunResult(store.run(id), o.json);
}

std::string csvField(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return q + "\"";
}

void printRunsCsv(const std::vector<store::RunRecord>& runs) {
    const std::vector<std::string> cols = {
        "id",         "status",     "task",          "method",           "adapter_size",
        "top_k",      "init_std",   "learning_rate", "epochs",           "seed",
        "train_size", "device",     "params_total",  "params_trainable", "main_metric",
        "best_score", "best_epoch", "duration_s",    "created_at",       "notes",
        "tags",       "knob",       "size",          "precision",        "peak_memory_bytes"};
    for (size_t i = 0; i < cols.size(); ++i) std::cout << (i ? "," : "") << cols[i];
    std::cout << '\n';
    for (const auto& r : runs) {
        const json j = runSummary(r);
        for (size_t i = 0; i < cols.size(); ++i) {
            const json& v = j[cols[i]];
            std::cout << (i ? "," : "") << csvField(v.is_string() ? v.get<std::string>() : v.dump());
        }
        std::cout << '\n';
    }
}

// --precision's accepted values, from the one list of them.
std::vector<std::string> precisionNames() {
    std::vector<std::string> names;
    for (const auto p : train::allPrecisions())
        names.push_back(train::toString(p));
    return names;
}

} // namespace

void addTrain(CLI::App& app) {
    auto o = std::make_shared<TrainOptions>();
    auto* cmd = app.add_subcommand("train", "train one run and store it in an experiment file");
    auto& c = o->config;
    cmd->add_option("--db", o->db, "experiment file (SQLite)")->required();
    cmd->add_option("--task", c.task, "task SPEC: glue:NAME:DIR, file:..., lines:...");
    cmd->add_option("--backbone", c.backbone, "Hugging Face BERT folder");
    o->methodOptions = addMethodOptions(cmd);
    cmd->add_option("--pooling", o->pooling, "classifier input: cls | mean (mean of token states)")
        ->check(CLI::IsMember({"cls", "mean"}));
    cmd->add_option("--lr", c.learningRate, "peak learning rate (default 3e-4)");
    cmd->add_option("--epochs", c.epochs, "epochs (default 3)");
    cmd->add_option("--batch-size", c.batchSize, "batch size (default 32)");
    cmd->add_option("--max-length", c.maxLength, "maximum tokens per example (default 128)");
    cmd->add_option("--seed", c.seed, "random seed (default 1)");
    cmd->add_option("--device", c.device, "auto | cpu | cuda | cuda:N (default auto)");
    cmd->add_option(
           "--precision", o->precision,
           "auto | fp32 | tf32 | bf16 | fp16 (default auto: bf16 on a GPU that has it, else fp32)")
        ->check(CLI::IsMember(precisionNames()));
    cmd->add_option("--threads", c.threads, "LibTorch threads (default: all cores)");
    cmd->add_option("--warmup", c.warmupFraction, "warmup fraction of the steps (default 0.1)");
    cmd->add_flag("--skip-malformed", c.skipMalformed, "skip and count malformed data rows");
    cmd->add_option(
        "--train-size", c.trainSize,
        "train on N examples: a sample stratified by label, drawn with the seed (default: all)");
    cmd->add_option("--config", o->configFile, "run.json with any of these settings");
    cmd->add_flag("--json", o->json, "print the result as JSON");
    cmd->add_option("--nproc", o->nproc,
                    "data-parallel: train this run over N processes on this machine (c10d Gloo, "
                    "loopback); under torchrun or srun the environment says it instead")
        ->check(CLI::Range(1, 256));
    cmd->add_option("--dist-timeout", o->distTimeout,
                    "data-parallel: seconds a rank waits for the others before the run fails "
                    "(default 300)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--resume", o->resume,
                    "continue stored run ID from its last epoch checkpoint (--device/--threads may change)");
    cmd->callback([o, cmd] { runTrain(*o, cmd); });
}

void addRuns(CLI::App& app) {
    auto db = std::make_shared<std::string>();
    auto id = std::make_shared<int64_t>(0);
    auto asJson = std::make_shared<bool>(false);
    auto asCsv = std::make_shared<bool>(false);
    auto* runs = app.add_subcommand("runs", "list, show and export stored runs");
    runs->require_subcommand(1);
    auto* list = runs->add_subcommand("list", "one line per run");
    list->add_option("--db", *db, "experiment file")->required()->check(CLI::ExistingFile);
    list->add_flag("--json", *asJson, "JSON lines");
    list->callback([=] {
        store::Store store(*db);
        store.markInterrupted();
        const auto all = store.runs();
        if (*asJson) {
            for (const auto& r : all) std::cout << runSummary(r).dump() << '\n';
            return;
        }
        std::cout << std::left << std::setw(5) << "id" << std::setw(12) << "status" << std::setw(14)
                  << "task" << std::setw(11) << "method" << std::setw(6) << "size" << std::setw(10)
                  << "lr" << std::setw(7) << "epochs" << std::setw(6) << "seed" << std::setw(8)
                  << "train" << std::setw(12) << "trainable"
                  << "best\n";
        for (const auto& r : all) {
            const train::RunConfig& c = r.config;
            std::cout << std::left << std::setw(5) << r.id << std::setw(12)
                      << store::toString(r.status) << std::setw(14) << c.task.substr(0, 13)
                      << std::setw(11) << r.methodId() << std::setw(6)
                      << (r.configError.empty() && train::methodInfo(c.method.method).knob
                              ? std::to_string(train::knobValue(c))
                              : "-")
                      << std::setw(10) << c.learningRate << std::setw(7) << c.epochs << std::setw(6)
                      << c.seed << std::setw(8)
                      << (c.trainSize > 0 ? std::to_string(c.trainSize) : std::string("all"))
                      << std::setw(12) << r.paramsTrainable
                      << (r.status == store::RunStatus::Finished
                              ? r.mainMetric + " " + std::to_string(r.bestScore)
                              : "")
                      << '\n';
        }
    });
    auto* show = runs->add_subcommand("show", "a run's settings, metrics and curves");
    show->add_option("--db", *db, "experiment file")->required()->check(CLI::ExistingFile);
    show->add_option("--run", *id, "run id")->required();
    show->add_flag("--json", *asJson, "JSON");
    show->callback([=] {
        store::Store store(*db);
        store.markInterrupted();
        const auto r = store.run(*id);
        json j = runSummary(r);
        j["config"] = r.configJson;
        j["params"] = r.params;
        j["final_metrics"] = r.finalMetrics;
        j["labels"] = r.labels;
        j["dev_note"] = r.devNote;
        j["torch_version"] = r.torchVersion;
        j["app_version"] = r.appVersion;
        j["backbone_id"] = r.backboneId;
        j["steps"] = r.steps;
        json evals = json::array();
        for (const auto& e : store.evals(*id))
            evals.push_back({{"split", e.split}, {"epoch", e.epoch}, {"step", e.step}, {"metrics", e.metrics}});
        j["evals"] = evals;
        std::cout << (*asJson ? j.dump() : j.dump(2)) << '\n';
    });
    auto* exp = runs->add_subcommand("export", "every run as CSV or JSON");
    exp->add_option("--db", *db, "experiment file")->required()->check(CLI::ExistingFile);
    auto* csv = exp->add_flag("--csv", *asCsv, "CSV with a header");
    auto* js = exp->add_flag("--json", *asJson, "JSON lines");
    csv->excludes(js);
    exp->callback([=] {
        if (!*asCsv && !*asJson) throw CLI::ValidationError("give --csv or --json");
        store::Store store(*db, true);
        const auto all = store.runs();
        if (*asCsv) {
            printRunsCsv(all);
        } else {
            for (const auto& r : all) {
                json j = runSummary(r);
                j["config"] = r.configJson;
                j["params"] = r.params;
                std::cout << j.dump() << '\n';
            }
        }
    });
}

void addEval(CLI::App& app) {
    auto db = std::make_shared<std::string>();
    auto task = std::make_shared<std::string>();
    auto split = std::make_shared<std::string>("dev");
    auto id = std::make_shared<int64_t>(0);
    auto asJson = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand("eval", "evaluate a stored run on a task's dev or test split");
    cmd->add_option("--db", *db, "experiment file")->required()->check(CLI::ExistingFile);
    cmd->add_option("--run", *id, "run id")->required();
    cmd->add_option("--task,--data", *task, "task SPEC")->required();
    cmd->add_option("--split", *split, "dev | test | dev_mismatched (MNLI)");
    cmd->add_flag("--json", *asJson, "JSON");
    cmd->callback([=] {
        store::Store store(*db, true);
        const auto m = experiments::evaluateRun(store, *id, *task, *split);
        if (*asJson) {
            std::cout << json{{"run", *id}, {"split", *split}, {"metrics", m}}.dump() << '\n';
        } else {
            std::cout << "run " << *id << " " << *split << ":";
            for (const auto& [k, v] : m) std::cout << " " << k << " " << v;
            std::cout << '\n';
        }
    });
}

} // namespace adapterlab::cli
