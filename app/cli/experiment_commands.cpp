// sweep, ablate, export: experiment families and their plot-ready tables.
#include "commands.h"

#include "experiments/results.h"
#include "experiments/run_job.h"
#include "experiments/sweep.h"
#include "model/config.h"
#include "model/hf_import.h"
#include "util/error.h"
#include "util/json_file.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <memory>

namespace adapterlab::cli {
namespace {

using nlohmann::json;

std::atomic<bool> gStop{false};
extern "C" void onStop(int) { gStop.store(true); }

void printAblationJson(const std::vector<store::AblationRow>& rows) {
    for (const auto& r : rows)
        std::cout << json{{"first_layer", r.first}, {"last_layer", r.last}, {"score", r.score}, {"metrics", r.metrics}}.dump()
                  << '\n';
}

struct SweepOptions {
    std::string db, planFile, preset, task, backbone;
    int64_t resume = 0;
    int parallel = 0; // 0: one worker per CUDA device when there are several, else 1
    bool dryRun = false;
    // Overrides of the base config; only those given are applied.
    int epochs = 0, batchSize = 0, maxLength = 0, threads = -1;
    double lr = 0;
    std::vector<uint64_t> seeds;
    std::vector<int64_t> trainSizes;
    std::string device, precision;
};

json baseFromOptions(const SweepOptions& o) {
    json base = json::object();
    if (!o.task.empty()) base["task"] = o.task;
    if (!o.backbone.empty()) base["backbone"] = o.backbone;
    if (o.epochs > 0) base["epochs"] = o.epochs;
    if (o.batchSize > 0) base["batch_size"] = o.batchSize;
    if (o.maxLength > 0) base["max_length"] = o.maxLength;
    if (o.threads >= 0) base["threads"] = o.threads;
    if (o.lr > 0) base["learning_rate"] = o.lr;
    if (!o.device.empty()) base["device"] = o.device;
    if (!o.precision.empty()) base["precision"] = o.precision;
    return base;
}

void runSweepCommand(const SweepOptions& o) {
    store::Store store(o.db);
    int64_t sweepId = o.resume;
    if (sweepId == 0) {
        if (o.planFile.empty() == o.preset.empty())
            throw CLI::ValidationError("give --plan FILE or --preset NAME (or --resume ID)");
        experiments::SweepPlan plan;
        json base = baseFromOptions(o);
        if (!o.planFile.empty()) {
            plan = experiments::SweepPlan::fromJson(readJsonFile(o.planFile, "sweep plan"), o.planFile);
            for (const auto& [k, v] : base.items()) plan.base[k] = v; // command line wins
        } else {
            if (o.backbone.empty()) throw CLI::ValidationError("--preset needs --backbone");
            const auto layers = model::BertConfig::fromFile(model::HfModelFiles::inDirectory(o.backbone).config).numLayers;
            plan = experiments::presetPlan(o.preset, base, static_cast<int>(layers));
        }
        if (!o.seeds.empty()) {
            json seeds = json::array();
            for (auto s : o.seeds) seeds.push_back(s);
            for (auto& g : plan.grids) g["seed"] = seeds;
        }
        if (!o.trainSizes.empty()) {
            json sizes = json::array();
            for (auto n : o.trainSizes)
                sizes.push_back(n);
            for (auto& g : plan.grids)
                g["train_size"] = sizes;
        }
        const auto runs = plan.expand();
        std::fprintf(stderr, "sweep '%s': %zu runs\n", plan.name.c_str(), runs.size());
        if (o.dryRun) {
            for (const auto& r : runs) std::cout << r.toJson().dump() << '\n';
            return;
        }
        sweepId = experiments::createSweep(store, plan);
        std::fprintf(stderr, "sweep %lld created (resume with --resume %lld)\n",
                     static_cast<long long>(sweepId), static_cast<long long>(sweepId));
    }
    std::signal(SIGINT, onStop);
    std::signal(SIGTERM, onStop);
    experiments::runSweep(store, sweepId, nullptr, &gStop, [&](const experiments::SweepProgress& p) {
        const auto r = store.run(p.runId);
        std::fprintf(stderr, "[%d/%d] run %lld %s %s%s: %s %.4f\n", p.done, p.total,
                     static_cast<long long>(p.runId), train::toString(r.config.method.method),
                     train::knobText(r.config).c_str(),
                     r.status == store::RunStatus::Failed ? (" (" + r.error + ")").c_str() : "",
                     r.mainMetric.c_str(), r.bestScore);
    }, o.parallel > 0 ? o.parallel : experiments::defaultSweepWorkers());
    std::cout << json{{"sweep", sweepId}, {"runs", store.sweepRuns(sweepId)}}.dump() << '\n';
    if (gStop) throw Error("sweep " + std::to_string(sweepId) + " stopped; resume with --resume " + std::to_string(sweepId));
}

} // namespace

void addSweep(CLI::App& app) {
    auto o = std::make_shared<SweepOptions>();
    auto* cmd = app.add_subcommand("sweep", "run a grid of runs (a plan or a preset), resumable");
    cmd->add_option("--db", o->db, "experiment file")->required();
    cmd->add_option("--plan", o->planFile, "sweep plan JSON");
    std::string presets;
    for (const auto& n : experiments::presetNames())
        presets += (presets.empty() ? "" : " | ") + n;
    cmd->add_option("--preset", o->preset, presets)
        ->check(CLI::IsMember(experiments::presetNames()));
    cmd->add_option("--resume", o->resume, "resume sweep ID");
    cmd->add_option("--task", o->task, "task SPEC for every run");
    cmd->add_option("--backbone", o->backbone, "backbone folder for every run");
    cmd->add_option("--epochs", o->epochs, "override: epochs");
    cmd->add_option("--lr", o->lr, "override: learning rate (replaces the preset's grid)");
    cmd->add_option("--batch-size", o->batchSize, "override: batch size");
    cmd->add_option("--max-length", o->maxLength, "override: maximum length");
    cmd->add_option("--threads", o->threads, "override: LibTorch threads");
    cmd->add_option("--device", o->device, "override: device");
    cmd->add_option("--precision", o->precision,
                    "override: precision (auto | fp32 | tf32 | bf16 | fp16)");
    cmd->add_option("--seeds", o->seeds, "override: seeds, e.g. --seeds 1 2 3");
    cmd->add_option("--train-sizes", o->trainSizes,
                    "also vary the training-set size, e.g. --train-sizes 500 2000 0 (0 = all): a "
                    "learning curve");
    cmd->add_flag("--dry-run", o->dryRun, "print the runs without creating them");
    cmd->add_option("--parallel", o->parallel, "runs at once (default: one per CUDA device, else 1)");
    cmd->callback([o] { runSweepCommand(*o); });
}

void addAblate(CLI::App& app) {
    auto db = std::make_shared<std::string>();
    auto id = std::make_shared<int64_t>(0);
    auto asJson = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand("ablate", "layer-ablation matrix of an adapter run (stored with it)");
    cmd->add_option("--db", *db, "experiment file")->required()->check(CLI::ExistingFile);
    cmd->add_option("--run", *id, "run id")->required();
    cmd->add_flag("--json", *asJson, "JSON lines");
    cmd->callback([=] {
        store::Store store(*db);
        int64_t work = 0, naive = 0;
        const auto rows = experiments::ablateRun(
            store, *id, [](int done, int total) { std::fprintf(stderr, "\rablation: batch %d/%d ", done, total); },
            &work, &naive);
        std::fprintf(stderr, "\nlayer evaluations %lld, naive %lld (%.1f%%)\n", static_cast<long long>(work),
                     static_cast<long long>(naive), 100.0 * static_cast<double>(work) / static_cast<double>(naive));
        if (*asJson) {
            printAblationJson(rows);
        } else {
            std::cout << experiments::ablationCsv(rows);
        }
    });
}

void addExport(CLI::App& app) {
    auto db = std::make_shared<std::string>();
    auto task = std::make_shared<std::string>();
    auto id = std::make_shared<int64_t>(0);
    auto csv = std::make_shared<bool>(false);
    auto asJson = std::make_shared<bool>(false);
    auto* cmd = app.add_subcommand("export", "plot-ready tables: tradeoff, ablation, robustness, size");
    cmd->require_subcommand(1);
    const auto common = [&](CLI::App* sub) {
        sub->add_option("--db", *db, "experiment file")->required()->check(CLI::ExistingFile);
        auto* c = sub->add_flag("--csv", *csv, "CSV");
        auto* j = sub->add_flag("--json", *asJson, "JSON lines");
        c->excludes(j);
    };
    for (const auto& [name, table] : {std::pair<const char*, experiments::Table>{"tradeoff", experiments::Table::Tradeoff},
                                      {"robustness", experiments::Table::Robustness},
                                      {"size", experiments::Table::Size}}) {
        auto* sub = cmd->add_subcommand(name, std::string(name) + " table (selected over learning rates, mean/std over seeds)");
        common(sub);
        sub->add_option("--task", *task, "task name or spec");
        const experiments::Table t = table;
        sub->callback([=] {
            if (!*csv && !*asJson) throw CLI::ValidationError("give --csv or --json");
            store::Store store(*db, true);
            const auto rows = experiments::resultTable(store.runs(), t, *task);
            if (*csv) {
                std::cout << experiments::toCsv(rows);
            } else {
                for (const auto& r : rows) std::cout << experiments::toJson(r).dump() << '\n';
            }
        });
    }
    auto* abl = cmd->add_subcommand("ablation", "a run's layer-ablation matrix");
    common(abl);
    abl->add_option("--run", *id, "run id")->required();
    abl->callback([=] {
        if (!*csv && !*asJson) throw CLI::ValidationError("give --csv or --json");
        store::Store store(*db, true);
        const auto rows = store.ablation(*id);
        if (rows.empty()) throw Error("run " + std::to_string(*id) + " has no ablation yet (run: adapterlab-cli ablate)");
        if (*csv) {
            std::cout << experiments::ablationCsv(rows);
        } else {
            printAblationJson(rows);
        }
    });
}

} // namespace adapterlab::cli
