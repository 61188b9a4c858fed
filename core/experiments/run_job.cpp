#include "experiments/run_job.h"

#include "data/batching.h"
#include "data/task_loader.h"
#include "experiments/ablation.h"
#include "experiments/store_recorder.h"
#include "model/hf_import.h"
#include "text/tokenizer_files.h"
#include "train/device.h"
#include "train/distributed.h"
#include "train/gpu.h"
#include "train/param_count.h"
#include "train/predictor.h"
#include "train/task_params.h"
#include "train/trainer.h"
#include "util/error.h"

#include <torch/version.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

namespace adapterlab::experiments {
namespace {

using nlohmann::json;

// Backbone config with the task's label set and a head for it.
model::BertConfig taskModelConfig(const std::string& configPath, const std::vector<std::string>& labels,
                                  bool regression) {
    model::BertConfig c = model::BertConfig::fromFile(configPath);
    c.labels = regression ? std::vector<std::string>{"score"} : labels;
    c.regression = regression;
    return c;
}

// "cpu", "cuda:0 (NVIDIA H200, 139.8 GiB, sm_90)"
std::string deviceName(const c10::Device& d) {
    if (d.is_cuda())
        for (const auto& g : train::gpus())
            if (g.index == d.index()) return d.str() + " (" + g.describe() + ")";
    return d.str();
}

} // namespace

text::TokenizerPtr folderTokenizer(const model::HfModelFiles& files,
                                   const model::BertConfig& config) {
    text::TokenizerPtr tok = text::loadTokenizer(files.dir);
    if (tok->size() > static_cast<size_t>(config.vocabSize))
        throw Error(files.dir + ": the tokenizer has " + std::to_string(tok->size()) +
                    " tokens but the model has only " + std::to_string(config.vocabSize) +
                    " embeddings");
    // A pair's second text takes token type 1 in BERT's framing: the model must have it.
    if (tok->framing() == text::Framing::Bert && config.typeVocabSize == 1)
        throw Error(files.dir + ": a " + tok->kind() +
                    " tokenizer framing pairs as BERT does, but " + config.info().modelType +
                    " has a single token type");
    return tok;
}

namespace {

// What a run trains on: the task, the backbone with the method's modules, the encoded splits.
struct Prepared {
    data::TaskData task;
    model::HfModelFiles files;
    model::BertConfig modelConfig;
    model::BertModel model{nullptr};
    text::TokenizerPtr tokenizer;
    data::EncodedSplit train, dev;
};

std::unique_ptr<Prepared> prepareRun(const train::RunConfig& config) {
    auto p = std::make_unique<Prepared>();
    train::setThreads(config.threads);
    data::LoadOptions lo;
    lo.skipMalformed = config.skipMalformed;
    p->task = data::loadTask(config.task, lo);
    if (config.trainSize > 0) data::sampleTrainSplit(p->task, config.trainSize, config.seed);
    p->files = model::HfModelFiles::inDirectory(config.backbone, true);
    p->modelConfig = taskModelConfig(p->files.config, p->task.labels, p->task.regression);
    config.validateFor(p->modelConfig);
    torch::manual_seed(config.seed); // method modules' and head initialisation
    p->model = model::BertModel(p->modelConfig, train::methodModules(config, true), true);
    p->model->setPooling(config.pooling);
    model::loadHfWeights(p->model, model::Checkpoint::load(p->files.weights), false);
    p->tokenizer = folderTokenizer(p->files, p->modelConfig);
    p->train = data::encodeSplit(p->task.train, *p->tokenizer, config.maxLength);
    p->dev = data::encodeSplit(p->task.dev, *p->tokenizer, config.maxLength);
    return p;
}

// Where this process runs: the host, and a Slurm job's coordinates when there is one.
json runProvenance() {
    json j = {{"host", store::hostName()}};
    for (const auto& [var, key] : std::vector<std::pair<const char*, const char*>>{
             {"SLURM_JOB_ID", "slurm_job_id"},
             {"SLURM_ARRAY_JOB_ID", "slurm_array_job_id"},
             {"SLURM_ARRAY_TASK_ID", "slurm_array_task_id"},
             {"SLURMD_NODENAME", "node"}})
        if (const char* v = std::getenv(var); v && *v) j[key] = v;
    return j;
}

// The rendezvous key under which rank 0 tells the other ranks what to train.
constexpr const char* kRunKey = "adapterlab/run";

// A run end to end: `resume` continues the run from its epoch checkpoint instead of epoch 1.
// With a process group, this is rank 0: it alone writes the store and the checkpoints.
// Returns the epoch it resumed after (0: from the start).
int trainStored(store::Store& store, const train::RunConfig& config, train::TrainObserver* observer,
                const std::atomic<bool>* cancel, int64_t id, bool resume,
                const std::string& expectedBackbone, train::ProcessGroup* group) {
    bool told = false; // whether the other ranks know what to train
    try {
        const auto device = train::resolveDevice(config.device);
        const auto p = prepareRun(config);
        const auto counts = train::countParameters(p->modelConfig, config);
        store::RunStart st;
        st.device = deviceName(device);
        st.torchVersion = TORCH_VERSION;
        st.backboneId = model::checkpointFingerprint(p->files.weights);
        if (!expectedBackbone.empty() && st.backboneId != expectedBackbone)
            throw Error("backbone '" + config.backbone + "' changed since run " + std::to_string(id) +
                        " started (" + st.backboneId + " vs " + expectedBackbone + "); it cannot resume");
        st.mainMetric = p->task.mainMetric;
        st.devNote = p->task.devNote;
        st.labels = p->task.regression ? json(nullptr) : json(p->task.labels);
        st.params = counts.toJson();
        st.paramsTotal = counts.total;
        st.paramsTrainable = counts.trainable;
        st.worldSize = group ? group->worldSize() : 1;
        st.provenance = runProvenance();

        train::Trainer trainer(config, p->model, p->task, std::move(p->train), std::move(p->dev),
                               p->tokenizer->padId());
        trainer.setProcessGroup(group);
        st.precision = train::toString(trainer.precision().precision);
        trainer.setCheckpointPath(store.checkpointPath(id));
        int resumedAfter = 0;
        if (resume) {
            const auto at = trainer.resumeFrom(store.checkpointPath(id));
            store.rewindRun(id, at.step, at.epoch); // forget the partial epoch it repeats
            resumedAfter = at.epoch;
        }
        if (group) {
            group->publish(kRunKey, json{{"config", config.toJson()},
                                         {"checkpoint", resume ? store.checkpointPath(id) : ""}}
                                        .dump());
            told = true;
        }
        store.startRun(id, st);
        StoreRecorder recorder(store, id, observer);
        const train::TrainResult r = trainer.train(&recorder, cancel);
        recorder.flush();
        if (group) group->barrier(); // every rank ended the same last step
        store::RunEnd end;
        end.status = r.cancelled ? store::RunStatus::Cancelled : store::RunStatus::Finished;
        end.bestMetrics = r.best;
        end.finalMetrics = r.last;
        end.bestEpoch = r.bestEpoch;
        end.bestScore = r.bestScore;
        end.steps = r.steps;
        end.durationSeconds = r.trainSeconds;
        end.peakMemoryBytes = r.peakMemoryBytes;
        end.taskParameters = r.taskParameters;
        store.finishRun(id, end);
        if (!r.cancelled) store.removeCheckpoint(id); // a cancelled run keeps it to resume
        return resumedAfter;
    } catch (const std::exception& e) {
        if (group && !told) {
            try {
                group->publish(kRunKey, json{{"error", e.what()}}.dump());
            } catch (const std::exception&) {
                // The others then time out waiting; the error below is the one that matters.
            }
        }
        store::RunEnd end;
        end.status = store::RunStatus::Failed;
        end.error = e.what();
        try {
            store.finishRun(id, end);
        } catch (const std::exception&) {
            // The store itself failed (disk full?); the original error matters more.
        }
        throw;
    }
}

} // namespace

int64_t runTraining(store::Store& store, const train::RunConfig& config,
                    train::TrainObserver* observer, const std::atomic<bool>* cancel,
                    std::optional<int64_t> runId, std::optional<int64_t> sweepId,
                    train::ProcessGroup* group) {
    if (!store.writable())
        throw Error("experiment file '" + store.path() + "' is read-only: training is not possible");
    config.validate(); // nothing is written for a config that can never run
    const int64_t id = runId ? *runId : store.createRun(config, sweepId);
    trainStored(store, config, observer, cancel, id, false, "", group);
    return id;
}

int resumeRun(store::Store& store, int64_t runId, train::TrainObserver* observer,
              const std::atomic<bool>* cancel, const std::string& device, int threads,
              train::ProcessGroup* group) {
    if (!store.writable())
        throw Error("experiment file '" + store.path() + "' is read-only: a run cannot resume");
    store.markInterrupted();
    const store::RunRecord rec = store.run(runId);
    const std::string name = "run " + std::to_string(runId);
    if (rec.status == store::RunStatus::Finished)
        throw Error(name + " has finished; there is nothing to resume");
    if (rec.status == store::RunStatus::Running)
        throw Error(name + " is running in another process");
    if (!rec.configError.empty()) throw Error(rec.configError);
    train::RunConfig config = rec.config;
    if (!device.empty()) config.device = device;
    if (threads >= 0) config.threads = threads;
    config.validate();
    if (!std::filesystem::is_regular_file(store.checkpointPath(runId))) {
        // Stopped before its first epoch ended (or queued): it starts over.
        store.requeueRun(runId);
        trainStored(store, config, observer, cancel, runId, false, "", group);
        return 0;
    }
    return trainStored(store, config, observer, cancel, runId, true, rec.backboneId, group);
}

void followTraining(train::ProcessGroup& group, const std::atomic<bool>* cancel) {
    const json told = json::parse(group.lookup(kRunKey), nullptr, false);
    if (!told.is_object()) throw Error("distributed training: rank 0 sent an unreadable run");
    if (told.contains("error"))
        throw Error("distributed training: rank 0 could not start the run: " +
                    told["error"].get<std::string>());
    const train::RunConfig config = train::RunConfig::fromJson(told.at("config"), "rank 0's run");
    const auto p = prepareRun(config);
    train::Trainer trainer(config, p->model, p->task, std::move(p->train), std::move(p->dev),
                           p->tokenizer->padId());
    trainer.setProcessGroup(&group);
    if (const auto checkpoint = told.value("checkpoint", ""); !checkpoint.empty())
        trainer.resumeFrom(checkpoint); // rank 0's, on the file system they share
    trainer.train(nullptr, cancel);
    group.barrier();
}

LoadedRun loadRun(store::Store& store, int64_t runId) {
    const store::RunRecord rec = store.run(runId);
    LoadedRun out;
    if (!rec.configError.empty()) throw Error(rec.configError);
    out.config = rec.config;
    out.regression = rec.labels.is_null();
    if (!out.regression) out.labels = rec.labels.get<std::vector<std::string>>();
    const auto files = model::HfModelFiles::inDirectory(out.config.backbone, true);
    const std::string fp = model::checkpointFingerprint(files.weights);
    if (!rec.backboneId.empty() && fp != rec.backboneId)
        throw Error("backbone '" + out.config.backbone + "' changed since run " +
                    std::to_string(runId) + " was trained (" + fp + " vs " + rec.backboneId + ")");
    out.model = model::BertModel(taskModelConfig(files.config, out.labels, out.regression),
                                 train::methodModules(out.config, false), true);
    out.model->setPooling(out.config.pooling);
    model::loadHfWeights(out.model, model::Checkpoint::load(files.weights), false);
    train::loadTaskParameters(out.model, store.taskParameters(runId),
                              store.path() + " run " + std::to_string(runId));
    out.tokenizer = folderTokenizer(files, out.model->config());
    return out;
}

train::Metrics evaluateRun(store::Store& store, int64_t runId, const std::string& taskSpec,
                           const std::string& split) {
    LoadedRun run = loadRun(store, runId);
    train::setThreads(run.config.threads);
    const data::TaskData task = data::loadTask(taskSpec);
    if (task.regression != run.regression || (!task.regression && task.labels != run.labels))
        throw Error("task '" + taskSpec + "' has other labels than run " + std::to_string(runId));
    const data::Split* s = split == "dev" ? &task.dev : (split == "test" && task.test ? &*task.test : nullptr);
    for (const auto& [name, extra] : task.extraSplits)
        if (name == split) s = &extra;
    if (!s) throw Error("task '" + taskSpec + "' has no " + split + " split");
    if (!s->labeled) throw Error(s->source + ": the " + split + " split has no labels to evaluate against");
    train::RunConfig cfg = run.config;
    cfg.device = "cpu";
    const auto encoded = data::encodeSplit(*s, *run.tokenizer, cfg.maxLength);
    train::Trainer trainer(cfg, run.model, task, {}, encoded, run.tokenizer->padId());
    return trainer.evaluate(encoded);
}

std::vector<store::AblationRow> ablateRun(store::Store& store, int64_t runId,
                                          const std::function<void(int, int)>& progress,
                                          int64_t* layerEvaluations, int64_t* naiveLayerEvaluations,
                                          const std::atomic<bool>* cancel) {
    if (!store.writable())
        throw Error("experiment file '" + store.path() + "' is read-only: cannot store an ablation");
    LoadedRun run = loadRun(store, runId);
    if (!run.config.method.hasLayerModules())
        throw Error("run " + std::to_string(runId) + " was trained with method " +
                    train::toString(run.config.method.method) +
                    "; layer ablation needs a method with per-layer modules (adapters, LoRA, "
                    "prefix, (IA)³)");
    train::setThreads(run.config.threads);
    const data::TaskData task = data::loadTask(run.config.task);
    const auto dev = data::encodeSplit(task.dev, *run.tokenizer, run.config.maxLength);
    const auto metricFn = [&](const std::vector<double>& values) {
        return train::scorePredictions(task, values, dev);
    };
    const AblationResult r = ablateLayers(run.model, dev, run.tokenizer->padId(), task.regression,
                                          metricFn, task.mainMetric, progress, cancel);
    if (r.cancelled) return {}; // saveAblation would replace the stored matrix
    std::vector<store::AblationRow> rows{{-1, -1, json(r.intact.metrics), r.intact.score}};
    for (const auto& c : r.cells) rows.push_back({c.first, c.last, json(c.metrics), c.score});
    store.saveAblation(runId, rows);
    if (layerEvaluations) *layerEvaluations = r.layerEvaluations;
    if (naiveLayerEvaluations) *naiveLayerEvaluations = r.naiveLayerEvaluations;
    return rows;
}

} // namespace adapterlab::experiments
