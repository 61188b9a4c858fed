// Real-data training benchmarks on SST-2 (bert-base-uncased vocabulary, the "small" model):
// an epoch with length bucketing and dynamic padding against fixed padding to 128, and the cost of
// the store and progress reporting (a stored run against the bare trainer on the same data).
#include "bench_common.h"

#include "data/task_loader.h"
#include "experiments/run_job.h"
#include "experiments/store_recorder.h"
#include "model/hf_import.h"
#include "store/store.h"
#include "text/tokenizer.h"
#include "train/trainer.h"

#include <ATen/Parallel.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include <unistd.h> // getpid

namespace adapterlab::bench {
namespace fs = std::filesystem;
namespace {

// The first `limit` training sentences of SST-2 (the file's order is already random).
data::TaskData sst2Subset(const std::string& dataDir, size_t limit) {
    data::TaskData task = data::loadGlueTask("SST-2", dataDir + "/glue/SST-2");
    if (limit > 0 && task.train.examples.size() > limit) task.train.examples.resize(limit);
    return task;
}

train::RunConfig benchConfig(train::Method method) {
    train::RunConfig rc;
    rc.task = rc.backbone = "bench";
    rc.method.method = method;
    rc.epochs = 1;
    rc.device = "cpu";
    rc.maxLength = 128;
    return rc;
}

// Seconds of one epoch of the real trainer (its own clock; dev is one example).
double epochSeconds(const train::RunConfig& rc, const model::BertConfig& c, const data::TaskData& task,
                    const data::EncodedSplit& train, int64_t padId) {
    data::EncodedSplit dev;
    dev.encodings.push_back(train.encodings[0]);
    dev.labels.push_back(train.labels[0]);
    dev.targets.push_back(0);
    const auto ad = train::methodModules(rc);
    torch::manual_seed(1);
    train::Trainer t(rc, model::BertModel(c, ad, true), task, train, dev, padId);
    return t.train().trainSeconds;
}

size_t tokensOf(const data::EncodedSplit& s) {
    size_t n = 0;
    for (const auto& e : s.encodings) n += e.inputIds.size();
    return n;
}

} // namespace

int runSst2EpochBench(const std::string& dataDir, size_t limit, int repeats) {
    const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(threads);
    const text::WordPieceTokenizer tok(
        text::Vocab::load(dataDir + "/vocab/bert-base-uncased-vocab.txt"));
    const data::TaskData task = sst2Subset(dataDir, limit);
    const data::EncodedSplit bucketed = data::encodeSplit(task.train, tok, 128);
    data::EncodedSplit fixed = bucketed;
    for (auto& e : fixed.encodings) { // pad every example to 128: what a fixed-shape pipeline feeds
        e.inputIds.resize(128, tok.vocab().padId());
        e.tokenTypeIds.resize(128, 0);
        e.attentionMask.resize(128, 0);
    }
    const auto c = benchModel("small", static_cast<int64_t>(tok.vocab().size()));
    std::printf("SST-2 train, first %zu sentences (of 67,349), small model (d 256, L 4), batch 32, %d threads, "
                "median of %d\n", bucketed.size(), threads, repeats);
    std::printf("tokens: %zu real, %zu with fixed padding (%.1f%% padding)\n", tokensOf(bucketed), tokensOf(fixed),
                100.0 * (1.0 - double(tokensOf(bucketed)) / double(tokensOf(fixed))));
    std::printf("%-8s %-22s %10s %12s %14s\n", "method", "batching", "epoch s", "examples/s", "full epoch est");
    for (auto method : {train::Method::Full, train::Method::Adapter}) {
        const auto rc = benchConfig(method);
        std::vector<double> b, f;
        for (int i = 0; i < repeats; ++i) { // interleaved so drift hits both alike
            b.push_back(epochSeconds(rc, c, task, bucketed, tok.vocab().padId()));
            f.push_back(epochSeconds(rc, c, task, fixed, tok.vocab().padId()));
        }
        const double n = static_cast<double>(bucketed.size());
        for (const auto& [name, v] : {std::pair<const char*, double>{"bucketed + dynamic pad", median(b)},
                                      {"fixed padding to 128", median(f)}})
            std::printf("%-8s %-22s %10.1f %12.1f %12.0f s\n", train::toString(method), name, v, n / v,
                        v / n * 67349.0);
        std::printf("%-8s bucketing speed-up %.2fx\n", train::toString(method), median(f) / median(b));
    }
    return 0;
}

int runOverheadBench(const std::string& dataDir, size_t limit, int repeats) {
    const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(threads);
    // A backbone folder and an experiment file in a scratch folder (removed at the end).
    const fs::path dir = fs::temp_directory_path() / ("adapterlab-bench-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string vocabPath = dataDir + "/vocab/bert-base-uncased-vocab.txt";
    fs::copy_file(vocabPath, dir / "vocab.txt");
    const text::WordPieceTokenizer tok(text::Vocab::load(vocabPath));
    const auto c = benchModel("small", static_cast<int64_t>(tok.vocab().size()));
    {
        torch::manual_seed(1);
        model::BertModel m(c, std::nullopt, false);
        model::saveHfModel(m, dir.string());
    }
    // The same sentences as a task file, so that runTraining reads exactly what the bare trainer gets.
    const data::TaskData task = sst2Subset(dataDir, limit);
    {
        std::ofstream out(dir / "train.tsv");
        out << "sentence\tlabel\n";
        for (const auto& e : task.train.examples) out << e.text << '\t' << task.labels[size_t(e.label)] << '\n';
        std::ofstream dev(dir / "dev.tsv");
        dev << "sentence\tlabel\n" << task.train.examples[0].text << '\t' << task.labels[size_t(task.train.examples[0].label)] << '\n';
    }
    auto rc = benchConfig(train::Method::Adapter);
    rc.task = "file:" + (dir / "train.tsv").string() + ",dev=" + (dir / "dev.tsv").string();
    rc.backbone = dir.string();
    rc.threads = threads;
    const data::TaskData onDisk = data::loadTask(rc.task);
    const auto train = data::encodeSplit(onDisk.train, tok, rc.maxLength);
    const auto dev = data::encodeSplit(onDisk.dev, tok, rc.maxLength);

    // Progress as the CLI reports it: formatted each step (to a sink, not the terminal).
    struct Progress : train::TrainObserver {
        char line[160];
        size_t count = 0;
        void onStep(const train::StepInfo& s) override {
            count += size_t(std::snprintf(line, sizeof line, "\rstep %lld/%lld loss %.4f %.1f ex/s ETA %.0f s",
                                          static_cast<long long>(s.step), static_cast<long long>(s.totalSteps),
                                          s.loss, s.examplesPerSecond, s.etaSeconds));
        }
    } progress;
    std::vector<double> bare, stored, reportShare, checkpointShare;
    int64_t steps = 0;
    for (int i = 0; i < repeats; ++i) {
        std::optional<model::AdapterConfig> ad = rc.adapter;
        torch::manual_seed(rc.seed);
        model::BertModel m(model::BertConfig(c), ad, true);
        model::loadHfWeights(m, model::Checkpoint::load((dir / "model.safetensors").string()),
                             false);
        train::Trainer trainer(rc, m, onDisk, train, dev, tok.vocab().padId());
        bare.push_back(trainer.train().trainSeconds);
        store::Store s((dir / "e.alab").string());
        const int64_t id = experiments::runTraining(s, rc, &progress);
        const auto r = s.run(id);
        stored.push_back(r.durationSeconds);
        steps = r.steps;
        // Direct: the trainer's own clock around every report and checkpoint, with the recorder a
        // stored run uses (no A/B noise).
        {
            torch::manual_seed(rc.seed);
            model::BertModel m2(model::BertConfig(c), ad, true);
            model::loadHfWeights(m2, model::Checkpoint::load((dir / "model.safetensors").string()),
                                 false);
            const int64_t run = s.createRun(rc);
            s.startRun(run, store::RunStart{});
            train::Trainer timed(rc, m2, onDisk, train, dev, tok.vocab().padId());
            timed.setCheckpointPath((dir / "direct.pt").string());
            experiments::StoreRecorder recorder(s, run, &progress);
            const auto tr = timed.train(&recorder);
            reportShare.push_back(tr.observerSeconds / tr.trainSeconds);
            checkpointShare.push_back(tr.checkpointSeconds / tr.trainSeconds);
        }
    }
    fs::remove_all(dir);
    const double a = median(bare), b = median(stored);
    std::printf("SST-2 first %zu sentences, adapters on the small model, 1 epoch (%lld steps), %d threads, "
                "median of %d interleaved pairs\n", train.size(), static_cast<long long>(steps), threads, repeats);
    std::printf("bare trainer                          %8.2f s\n", a);
    std::printf("stored run (SQLite steps + evals,      %8.2f s\n   epoch checkpoint, progress each step)\n", b);
    std::printf("overhead %+.2f%% (spread of the bare runs: %.2f%%)\n", (b / a - 1) * 100,
                (*std::max_element(bare.begin(), bare.end()) / *std::min_element(bare.begin(), bare.end()) - 1) * 100);
    std::printf(
        "timed inside the trainer: reporting (step reports, SQLite writes, progress) %.3f%%, epoch "
        "checkpoint %.3f%% of training time (median; max %.3f%% / %.3f%%)\n",
        100 * median(reportShare), 100 * median(checkpointShare),
        100 * *std::max_element(reportShare.begin(), reportShare.end()),
        100 * *std::max_element(checkpointShare.begin(), checkpointShare.end()));
    return 0;
}

} // namespace adapterlab::bench
