// Pre-training end to end: the stages of pretrain/stages.h in order, and the training loop.
#include "pretrain/mlm.h"

#include "pretrain/stages.h"
#include "train/device.h"
#include "train/optimizer.h"
#include "train/trainer.h"
#include "util/error.h"
#include "util/seeded.h"

#include <torch/nn/functional/loss.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adamw.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <random>

namespace adapterlab::pretrain {
namespace fs = std::filesystem;
namespace {

constexpr double kDetectionWeight = 50; // ELECTRA's λ: the per-token binary loss is much smaller

using Clock = std::chrono::steady_clock;

std::vector<int64_t> permutation(int64_t n, uint64_t seed) {
    std::vector<int64_t> p(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i)
        p[static_cast<size_t>(i)] = i;
    std::mt19937_64 rng(seed);
    seededShuffle(p, rng);
    return p;
}

} // namespace

std::pair<torch::Tensor, torch::Tensor> maskForMlm(const torch::Tensor& ids,
                                                   const torch::Tensor& special, int64_t maskId,
                                                   int64_t vocabSize, double probability) {
    // ids, special: [B, T]
    const auto opts = torch::TensorOptions().dtype(torch::kFloat).device(ids.device());
    auto chosen =
        torch::bernoulli(torch::full(ids.sizes(), probability, opts)).to(torch::kBool) & ~special;
    auto labels = torch::where(chosen, ids, torch::full_like(ids, -100));
    const auto roll = torch::rand(ids.sizes(), opts);
    const auto toMask = chosen & (roll < 0.8);
    const auto toRandom = chosen & (roll >= 0.8) & (roll < 0.9);
    auto inputs = torch::where(toMask, torch::full_like(ids, maskId), ids);
    inputs = torch::where(toRandom, torch::randint(vocabSize, ids.sizes(), ids.options()), inputs);
    return {inputs, labels};
}

LoopOutcome trainLoop(const PretrainPlan& plan, uint64_t seed, const torch::Tensor& data,
                      int64_t maskId, PretrainModules& m, torch::optim::Optimizer& optimizer,
                      StateProgress& at,
                      const std::function<void(const PretrainProgress&)>& progress,
                      const std::atomic<bool>* cancel, const std::function<void()>& save) {
    const PretrainPreset& preset = plan.preset;
    const model::BertConfig& cfg = m.bert->config();
    const c10::Device device = m.bert->wordEmbeddings->weight.device();
    std::vector<torch::Tensor> all; // clipped together: the optimizer's groups in order
    for (const auto& g : optimizer.param_groups())
        all.insert(all.end(), g.params().begin(), g.params().end());
    const int64_t rows = data.size(0);
    const int64_t batchesPerEpoch = rows / preset.batchSize;
    const auto special = [&] {
        auto s = torch::zeros({preset.batchSize, preset.sequenceLength}, torch::kBool);
        s.select(1, 0).fill_(true);
        s.select(1, preset.sequenceLength - 1).fill_(true);
        return s.to(device);
    }();
    const auto types =
        torch::zeros({preset.batchSize, preset.sequenceLength}, torch::kLong).to(device);
    const auto bias = model::BertModelImpl::maskBias(
        torch::ones({preset.batchSize, preset.sequenceLength}, torch::kLong).to(device),
        torch::zeros({1}, torch::TensorOptions().device(device)));
    std::vector<int64_t> perm;
    int64_t permEpoch = -1;
    const auto notSpecial = ~special;
    std::deque<double> recent, recentDetection;
    LoopOutcome outcome;
    const auto start = Clock::now();
    auto lastSave = Clock::now();
    int64_t& step = at.step;
    const int64_t startStep = step;
    while (step < preset.steps) {
        if (cancel && cancel->load()) {
            outcome.cancelled = true;
            break;
        }
        const int64_t epoch = step / batchesPerEpoch;
        if (epoch != permEpoch) {
            perm = permutation(rows, seed * 1000003ULL + static_cast<uint64_t>(epoch));
            permEpoch = epoch;
        }
        const int64_t b0 = (step % batchesPerEpoch) * preset.batchSize;
        const auto index =
            torch::from_blob(perm.data() + b0, {preset.batchSize}, torch::kLong).clone();
        const auto ids = data.index_select(0, index).to(device);
        torch::manual_seed(seed * 7919ULL + static_cast<uint64_t>(step)); // masks, dropout per step
        const auto [inputs, labels] = maskForMlm(ids, special, maskId, cfg.vocabSize);
        const double lr =
            train::scheduledLearningRate(plan.peakLr, step, preset.steps, preset.warmupFraction);
        train::setLearningRate(optimizer, lr);
        // [B, T] -> hidden [B, T, d] -> masked positions [N, d] -> logits [N, V]
        const auto embedded = m.bert->embed(inputs, types);
        const auto hidden = plan.electra ? m.generator->forward(embedded, bias)
                                         : m.bert->runLayers(embedded, bias, 0, cfg.numLayers);
        const auto flatLabels = labels.reshape({-1});
        const auto where = flatLabels.ne(-100).nonzero().squeeze(1);
        const auto logits =
            m.head->forward(hidden.reshape({-1, cfg.hiddenSize}).index_select(0, where),
                            m.bert->wordEmbeddings->weight);
        const auto mlmLoss =
            torch::nn::functional::cross_entropy(logits, flatLabels.index_select(0, where));
        auto loss = mlmLoss;
        if (plan.electra) {
            // The generator's samples fill the chosen positions (no gradient through sampling);
            // the backbone learns, at every non-special position, whether its token was replaced.
            torch::Tensor corrupted; // [B, T]
            {
                torch::NoGradGuard guard;
                const auto sampled =
                    torch::multinomial(torch::softmax(logits.detach(), -1), 1).squeeze(1); // [N]
                corrupted = ids.reshape({-1}).index_copy(0, where, sampled).view_as(ids);
            }
            const auto replaced =
                corrupted.ne(ids).masked_select(notSpecial).to(torch::kFloat); // [M]
            const auto detect = m.detector->forward(
                m.bert->runLayers(m.bert->embed(corrupted, types), bias, 0, cfg.numLayers));
            const auto detectionLoss = torch::nn::functional::binary_cross_entropy_with_logits(
                detect.masked_select(notSpecial), replaced);
            loss = mlmLoss + kDetectionWeight * detectionLoss;
            recentDetection.push_back(detectionLoss.item<double>());
            if (recentDetection.size() > 50) recentDetection.pop_front();
        }
        optimizer.zero_grad();
        loss.backward();
        torch::nn::utils::clip_grad_norm_(all, 1.0);
        optimizer.step();
        ++step;
        at.tokensSeen += preset.batchSize * preset.sequenceLength;
        recent.push_back(mlmLoss.item<double>());
        if (recent.size() > 50) recent.pop_front();
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        if (progress) {
            const auto done = static_cast<double>(step - startStep);
            PretrainProgress p;
            p.step = step;
            p.totalSteps = preset.steps;
            p.loss = recent.back();
            p.detectionLoss = recentDetection.empty() ? 0.0 : recentDetection.back();
            p.tokensPerSecond =
                done * static_cast<double>(preset.batchSize * preset.sequenceLength) / seconds;
            p.etaSeconds = seconds / done * static_cast<double>(preset.steps - step);
            progress(p);
        }
        if (Clock::now() - lastSave > std::chrono::minutes(5)) {
            save();
            lastSave = Clock::now();
        }
    }
    outcome.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    for (double l : recent)
        outcome.finalLoss += l / static_cast<double>(recent.size());
    for (double l : recentDetection)
        outcome.finalDetectionLoss += l / static_cast<double>(recentDetection.size());
    return outcome;
}

PretrainResult pretrainBackbone(const PretrainOptions& o,
                                const std::function<void(const PretrainProgress&)>& progress,
                                const std::atomic<bool>* cancel) {
    const PretrainPlan plan = validateOptions(o);
    const PretrainPreset& preset = plan.preset;
    fs::create_directories(o.outDir);
    const fs::path out(o.outDir);
    PretrainResult result;
    result.embeddingInit = plan.continued() ? "from " + o.initFrom : o.embeddingInit;

    // Stopping before training writes no state; a finished corpus and vocabulary are reused.
    const auto stopped = [&] {
        result.cancelled = cancel && cancel->load();
        return result.cancelled;
    };
    const PreparedCorpus corpus = prepareCorpus(o, out, cancel);
    result.corpus = corpus.report;
    if (corpus.stopped) {
        result.cancelled = true;
        return result;
    }
    if (corpus.built) buildVocabulary(plan, out);
    if (stopped()) return result;
    const std::string vocabFile = (out / "vocab.txt").string();
    const text::WordPieceTokenizer tok(text::Vocab::load(vocabFile));
    if (tok.vocab().maskId() < 0) throw Error(vocabFile + ": no [MASK] token");

    std::vector<int64_t> stream = tokenizeCorpus(tok, (out / "corpus.txt").string());
    if (stopped()) return result;
    const torch::Tensor data =
        packSequences(stream, tok.vocab(), preset.sequenceLength, preset.batchSize); // [R, T]
    result.corpusTokens = static_cast<int64_t>(stream.size());

    train::setThreads(o.threads);
    const c10::Device device = train::resolveDevice(o.device);
    model::BertConfig cfg = plan.continued() ? *plan.initConfig : preset.model;
    cfg.vocabSize = static_cast<int64_t>(tok.vocab().size());
    cfg.validate("pretrain preset " + preset.name);
    result.vocabSize = cfg.vocabSize;
    const std::string stateFile = (out / "pretrain-state.pt").string();
    PretrainModules modules = initialiseModel(cfg, plan, o, stream, fs::exists(stateFile));
    if (modules.wordVectorSeconds) {
        result.wordVectorSeconds = *modules.wordVectorSeconds;
        if (stopped()) return result;
    }
    stream = {};
    modules.to(device);
    const auto optimizer = train::makeAdamW(modules.namedParameters(), plan.peakLr, 0.01);

    // Resume from the folder's state when it is of this same pre-training.
    const auto identity = stateIdentity(plan, o, cfg.vocabSize, data.size(0));
    StateProgress at;
    if (fs::exists(stateFile)) {
        at = loadState(stateFile, identity, modules, *optimizer, device);
        result.resumed = true;
    }
    const auto save = [&] { saveState(stateFile, identity, at, modules, *optimizer); };
    const LoopOutcome outcome = trainLoop(plan, o.seed, data, tok.vocab().maskId(), modules,
                                          *optimizer, at, progress, cancel, save);
    result.cancelled = outcome.cancelled;
    result.steps = at.step;
    result.tokensSeen = at.tokensSeen;
    result.seconds = outcome.seconds;
    result.finalLoss = outcome.finalLoss;
    result.finalDetectionLoss = outcome.finalDetectionLoss;
    save();
    if (!result.cancelled) writeBackbone(modules.bert, plan, o, result);
    return result;
}

} // namespace adapterlab::pretrain
