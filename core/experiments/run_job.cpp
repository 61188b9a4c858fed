#include "experiments/run_job.h"

#include "data/batching.h"
#include "data/task_loader.h"
#include "experiments/ablation.h"
#include "experiments/store_recorder.h"
#include "model/hf_import.h"
#include "text/tokenizer_files.h"
#include "train/device.h"
#include "train/gpu.h"
#include "train/param_count.h"
#include "train/predictor.h"
#include "train/task_params.h"
#include "train/trainer.h"
#include "util/error.h"

#include <torch/version.h>

#include <filesystem>

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

// A run end to end: `resume` continues the run from its epoch checkpoint instead of epoch 1.
// Returns the epoch it resumed after (0: from the start).
int trainStored(store::Store& store, const train::RunConfig& config, train::TrainObserver* observer,
                 const std::atomic<bool>* cancel, int64_t id, bool resume,
                 const std::string& expectedBackbone) {
    try {
        train::setThreads(config.threads);
        const auto device = train::resolveDevice(config.device);
        data::LoadOptions lo;
        lo.skipMalformed = config.skipMalformed;
        data::TaskData task = data::loadTask(config.task, lo);
        if (config.trainSize > 0) data::sampleTrainSplit(task, config.trainSize, config.seed);
        const auto files = model::HfModelFiles::inDirectory(config.backbone, true);
        const auto mcfg = taskModelConfig(files.config, task.labels, task.regression);
        config.validateFor(mcfg);
        torch::manual_seed(config.seed); // method modules' and head initialisation
        model::BertModel m(mcfg, train::methodModules(config, true), true);
        m->setPooling(config.pooling);
        model::loadHfWeights(m, model::Checkpoint::load(files.weights), false);
        const text::TokenizerPtr tok = folderTokenizer(files, mcfg);
        auto trainSet = data::encodeSplit(task.train, *tok, config.maxLength);
        auto devSet = data::encodeSplit(task.dev, *tok, config.maxLength);

        const auto counts = train::countParameters(mcfg, config);
        store::RunStart st;
        st.device = deviceName(device);
        st.torchVersion = TORCH_VERSION;
        st.backboneId = model::checkpointFingerprint(files.weights);
        if (!expectedBackbone.empty() && st.backboneId != expectedBackbone)
            throw Error("backbone '" + config.backbone + "' changed since run " + std::to_string(id) +
                        " started (" + st.backboneId + " vs " + expectedBackbone + "); it cannot resume");
        st.mainMetric = task.mainMetric;
        st.devNote = task.devNote;
        st.labels = task.regression ? json(nullptr) : json(task.labels);
        st.params = counts.toJson();
        st.paramsTotal = counts.total;
        st.paramsTrainable = counts.trainable;

        train::Trainer trainer(config, m, task, std::move(trainSet), std::move(devSet),
                               tok->padId());
        st.precision = train::toString(trainer.precision().precision);
        trainer.setCheckpointPath(store.checkpointPath(id));
        int resumedAfter = 0;
        if (resume) {
            const auto at = trainer.resumeFrom(store.checkpointPath(id));
            store.rewindRun(id, at.step, at.epoch); // forget the partial epoch it repeats
            resumedAfter = at.epoch;
        }
        store.startRun(id, st);
        StoreRecorder recorder(store, id, observer);
        const train::TrainResult r = trainer.train(&recorder, cancel);
        recorder.flush();
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
                    std::optional<int64_t> runId, std::optional<int64_t> sweepId) {
    if (!store.writable())
        throw Error("experiment file '" + store.path() + "' is read-only: training is not possible");
    config.validate(); // nothing is written for a config that can never run
    const int64_t id = runId ? *runId : store.createRun(config, sweepId);
    trainStored(store, config, observer, cancel, id, false, "");
    return id;
}

int resumeRun(store::Store& store, int64_t runId, train::TrainObserver* observer,
              const std::atomic<bool>* cancel, const std::string& device, int threads) {
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
        trainStored(store, config, observer, cancel, runId, false, "");
        return 0;
    }
    return trainStored(store, config, observer, cancel, runId, true, rec.backboneId);
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
