#include "pretrain/mlm.h"

#include "pretrain/word_vectors.h"
#include "model/bert.h"
#include "model/hf_import.h"
#include "text/tokenizer.h"
#include "text/wordpiece_trainer.h"
#include "train/device.h"
#include "train/optimizer.h"
#include "train/trainer.h"
#include "util/error.h"
#include "util/json_file.h"
#include "util/seeded.h"

#include <torch/nn/functional/loss.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <deque>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>

namespace adapterlab::pretrain {
namespace fs = std::filesystem;
using nlohmann::json;
namespace {

constexpr const char* kStateFormat = "adapterlab-pretrain-state";
constexpr int kStateVersion = 1;

// BERT's MLM head: transform (dense, GELU, LayerNorm), decoder tied to the word embeddings.
struct MlmHeadImpl : torch::nn::Module {
    MlmHeadImpl(int64_t d, int64_t vocab, double eps, double initRange) {
        dense = register_module("dense", torch::nn::Linear(d, d));
        norm = register_module("LayerNorm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}).eps(eps)));
        bias = register_parameter("bias", torch::zeros({vocab}));
        torch::NoGradGuard guard;
        dense->weight.normal_(0, initRange);
        dense->bias.zero_();
    }
    /// h: [N, d], embeddings: [V, d] -> logits [N, V]
    torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& embeddings) {
        return torch::nn::functional::linear(norm(torch::gelu(dense(h))), embeddings, bias);
    }
    torch::nn::Linear dense{nullptr};
    torch::nn::LayerNorm norm{nullptr};
    torch::Tensor bias;
};
TORCH_MODULE(MlmHead);

// BERT checkpoints keep their MLM head as cls.predictions.*; a continued pre-training takes it
// when it is there and fits (the decoder is tied to the word embeddings, so only these remain).
void loadMlmHead(MlmHead& head, const model::SafetensorsFile& file) {
    const std::vector<std::pair<std::vector<std::string>, torch::Tensor*>> wanted{
        {{"cls.predictions.transform.dense.weight"}, &head->dense->weight},
        {{"cls.predictions.transform.dense.bias"}, &head->dense->bias},
        {{"cls.predictions.transform.LayerNorm.weight",
          "cls.predictions.transform.LayerNorm.gamma"},
         &head->norm->weight},
        {{"cls.predictions.transform.LayerNorm.bias", "cls.predictions.transform.LayerNorm.beta"},
         &head->norm->bias},
        {{"cls.predictions.bias"}, &head->bias}};
    torch::NoGradGuard guard;
    for (const auto& [names, param] : wanted) {
        for (const auto& name : names) {
            const auto* t = file.find(name);
            if (!t || t->shape != param->sizes().vec()) continue;
            auto values = file.toFloat(*t);
            param->copy_(torch::from_blob(values.data(), t->shape, torch::kFloat));
            break;
        }
    }
}

// ELECTRA's generator body: encoder layers over the discriminator's own embeddings (shared, as
// in the paper), so it needs the same width; it is kept weak by depth (1 layer of L).
struct GeneratorImpl : torch::nn::Module {
    GeneratorImpl(const model::BertConfig& cfg, int64_t numLayers) {
        for (int64_t i = 0; i < numLayers; ++i)
            layers.push_back(
                register_module("layer_" + std::to_string(i), model::BertLayer(cfg, std::nullopt)));
    }
    /// hidden [B, T, d], bias [B, 1, 1, T] -> [B, T, d]
    torch::Tensor forward(torch::Tensor hidden, const torch::Tensor& bias) {
        for (auto& l : layers)
            hidden = l->forward(hidden, bias);
        return hidden;
    }
    std::vector<model::BertLayer> layers;
};
TORCH_MODULE(Generator);

// ELECTRA's discriminator head: dense, GELU, one logit per token ("was this token replaced?").
struct DetectorImpl : torch::nn::Module {
    DetectorImpl(int64_t d, double initRange) {
        dense = register_module("dense", torch::nn::Linear(d, d));
        out = register_module("out", torch::nn::Linear(d, 1));
        torch::NoGradGuard guard;
        for (auto* l : {&dense, &out}) {
            (*l)->weight.normal_(0, initRange);
            (*l)->bias.zero_();
        }
    }
    /// h: [B, T, d] -> logits [B, T]
    torch::Tensor forward(const torch::Tensor& h) { return out(torch::gelu(dense(h))).squeeze(-1); }
    torch::nn::Linear dense{nullptr}, out{nullptr};
};
TORCH_MODULE(Detector);

constexpr double kDetectionWeight = 50; // ELECTRA's λ: the per-token binary loss is much smaller

using Clock = std::chrono::steady_clock;

std::vector<int64_t> permutation(int64_t n, uint64_t seed) {
    std::vector<int64_t> p(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) p[static_cast<size_t>(i)] = i;
    std::mt19937_64 rng(seed);
    seededShuffle(p, rng);
    return p;
}

} // namespace

const std::vector<std::string>& pretrainPresetNames() {
    static const std::vector<std::string> names{"mini", "small", "gpu"};
    return names;
}

PretrainPreset pretrainPreset(const std::string& name) {
    PretrainPreset p;
    p.name = name;
    auto& m = p.model;
    m.hiddenSize = 256;
    m.numLayers = 4;
    m.numHeads = 4;
    m.intermediateSize = 1024;
    m.maxPositions = 128;
    if (name == "mini") {
        p.sequenceLength = 64;
        p.batchSize = 64;
        p.steps = 1600;
        p.learningRate = 1e-3;
        p.cost = "about 30 minutes on 2 CPU cores (6.5M tokens); measured on SST-2: 77.9% after full "
                 "fine-tuning (76.6% from random initialisation), adapters 72.5% after 3 epochs and "
                 "76.3% after 10: a starting point, not a BERT";
    } else if (name == "small") {
        // The mini shape with 3x the tokens: on 2 cores compute, not parameters, is scarce (the
        // mini model already has ~1 parameter per token seen), so the budget grows, not the model.
        p.sequenceLength = 64;
        p.batchSize = 64;
        p.steps = 5000;
        p.learningRate = 1e-3;
        p.cost =
            "about 70 minutes on 2 CPU cores (20.5M tokens), minutes on a GPU; measured on SST-2: "
            "78.5% after full fine-tuning (76.6% from random initialisation), adapters 74.6% after "
            "10 epochs; with the task's text (Task text / --task-text) 78.8% and 77.2%";
    } else if (name == "gpu") {
        m.hiddenSize = 512;
        m.numLayers = 8;
        m.numHeads = 8;
        m.intermediateSize = 2048;
        m.maxPositions = 512;
        p.vocabSize = 16000;
        p.sequenceLength = 128;
        p.batchSize = 256;
        p.steps = 40000;
        p.learningRate = 5e-4;
        p.cost = "for a GPU: about an hour on one (1.3B tokens), not measured yet; far too slow on CPU";
    } else {
        throw Error("unknown pre-training preset '" + name + "' (mini, small, gpu)");
    }
    m.labels = {"LABEL_0", "LABEL_1"};
    return p;
}

std::pair<torch::Tensor, torch::Tensor> maskForMlm(const torch::Tensor& ids, const torch::Tensor& special,
                                                   int64_t maskId, int64_t vocabSize, double probability) {
    // ids, special: [B, T]
    const auto opts = torch::TensorOptions().dtype(torch::kFloat).device(ids.device());
    auto chosen = torch::bernoulli(torch::full(ids.sizes(), probability, opts)).to(torch::kBool) & ~special;
    auto labels = torch::where(chosen, ids, torch::full_like(ids, -100));
    const auto roll = torch::rand(ids.sizes(), opts);
    const auto toMask = chosen & (roll < 0.8);
    const auto toRandom = chosen & (roll >= 0.8) & (roll < 0.9);
    auto inputs = torch::where(toMask, torch::full_like(ids, maskId), ids);
    inputs = torch::where(toRandom, torch::randint(vocabSize, ids.sizes(), ids.options()), inputs);
    return {inputs, labels};
}

PretrainResult pretrainBackbone(const PretrainOptions& o, const std::function<void(const PretrainProgress&)>& progress,
                                const std::atomic<bool>* cancel) {
    if (o.outDir.empty()) throw Error("pretrain: an output folder is needed");
    PretrainPreset preset = pretrainPreset(o.preset);
    if (o.maxSteps > 0) preset.steps = o.maxSteps;
    if (o.embeddingInit != "random" && o.embeddingInit != "ppmi-svd")
        throw Error("unknown embedding init '" + o.embeddingInit + "' (random | ppmi-svd)");
    if (o.objective != "mlm" && o.objective != "electra")
        throw Error("unknown pre-training objective '" + o.objective + "' (mlm | electra)");
    const bool electra = o.objective == "electra";
    if (o.learningRate < 0 || !std::isfinite(o.learningRate))
        throw Error("pretrain: the learning rate must be positive (got " +
                    std::to_string(o.learningRate) + ")");
    const bool continued = !o.initFrom.empty();
    const double peakLr = o.learningRate > 0 ? o.learningRate
                          : continued        ? preset.learningRate / 10
                                             : preset.learningRate;
    // Checked before anything is written: a continued pre-training needs the whole folder.
    std::optional<model::HfModelFiles> init;
    std::optional<model::BertConfig> initConfig;
    if (continued) {
        try {
            init = model::HfModelFiles::inDirectory(o.initFrom, true);
            initConfig = model::BertConfig::fromFile(init->config);
        } catch (const Error& e) {
            throw Error("pretrain: cannot continue from " + o.initFrom + ": " + e.what());
        }
        const auto vocabSize = static_cast<int64_t>(text::Vocab::load(init->vocab).size());
        if (vocabSize != initConfig->vocabSize)
            throw Error("pretrain: cannot continue from " + o.initFrom +
                        ": config.json has vocab_size " + std::to_string(initConfig->vocabSize) +
                        " but vocab.txt holds " + std::to_string(vocabSize) + " tokens");
        if (preset.sequenceLength > initConfig->maxPositions)
            throw Error("pretrain: " + o.initFrom + " takes sequences of at most " +
                        std::to_string(initConfig->maxPositions) + " positions, the preset needs " +
                        std::to_string(preset.sequenceLength));
    }
    fs::create_directories(o.outDir);
    const fs::path out(o.outDir);
    PretrainResult result;
    result.embeddingInit = continued ? "from " + o.initFrom : o.embeddingInit;

    // Stopping before training writes no state; a finished corpus and vocabulary are reused.
    const auto stopped = [&] {
        result.cancelled = cancel && cancel->load();
        return result.cancelled;
    };

    // Corpus and vocabulary, made once per folder (a resumed run reuses them).
    // corpus.json keeps what the corpus was asked for and what went in (a resumed run reports
    // it too, and a run asking for other text in the same folder is refused, not ignored).
    const fs::path corpusFile = out / "corpus.txt", vocabFile = out / "vocab.txt",
                   corpusReport = out / "corpus.json";
    json asked = {{"paths", o.corpus.paths},
                  {"task_texts", o.corpus.taskTexts},
                  {"debian_text", o.corpus.debianText}};
    if (continued) { // its vocabulary is this folder's; "dir" and "dir/" are the same start
        const fs::path start = fs::weakly_canonical(o.initFrom).lexically_normal();
        asked["init_from"] = (start.has_filename() ? start : start.parent_path()).string();
    }
    if (!fs::exists(vocabFile) || !fs::exists(corpusFile)) {
        CorpusOptions co = o.corpus;
        co.cancel = cancel;
        result.corpus = buildCorpus(co, corpusFile.string());
        if (stopped()) return result;
        json report = corpusReportJson(result.corpus);
        report["asked"] = asked;
        std::ofstream(corpusReport) << report.dump(2) << '\n';
        if (continued) {
            fs::copy_file(init->vocab, vocabFile, fs::copy_options::overwrite_existing);
        } else {
            text::WordPieceTrainer trainer({static_cast<size_t>(preset.vocabSize), 2, true});
            std::ifstream in(corpusFile);
            for (std::string line; std::getline(in, line);)
                if (!line.empty()) trainer.addText(line);
            trainer.train().save(vocabFile.string());
        }
    } else if (fs::exists(corpusReport)) {
        json report;
        try {
            std::ifstream in(corpusReport);
            report = json::parse(in);
            result.corpus = corpusReportFromJson(report);
        } catch (const json::exception&) {
            result.corpus = {}; // only a report: training does not depend on it
        }
        if (report.contains("asked") && report["asked"] != asked)
            throw Error(o.outDir + " already holds a corpus built from other text (" +
                        report["asked"].dump() +
                        "); choose another folder, or ask for the same text to continue");
    }
    if (stopped()) return result;
    const text::Tokenizer tok(text::Vocab::load(vocabFile.string()));
    if (tok.vocab().maskId() < 0) throw Error(vocabFile.string() + ": no [MASK] token");

    // Packed sequences: the corpus's tokens in order, cut into [CLS] chunk [SEP] rows.
    std::vector<int64_t> stream;
    {
        std::ifstream in(corpusFile);
        for (std::string line; std::getline(in, line);)
            if (!line.empty())
                for (int32_t id : tok.tokenizeToIds(line)) stream.push_back(id);
    }
    if (stopped()) return result;
    const int64_t chunk = preset.sequenceLength - 2;
    const int64_t rows = static_cast<int64_t>(stream.size()) / chunk;
    if (rows < preset.batchSize)
        throw Error("the corpus has " + std::to_string(stream.size()) + " tokens: too few for one batch of " +
                    std::to_string(preset.batchSize) + " × " + std::to_string(preset.sequenceLength));
    result.corpusTokens = static_cast<int64_t>(stream.size());
    auto data = torch::empty({rows, preset.sequenceLength}, torch::kLong);
    {
        auto a = data.accessor<int64_t, 2>();
        for (int64_t r = 0; r < rows; ++r) {
            a[r][0] = tok.vocab().clsId();
            for (int64_t k = 0; k < chunk; ++k) a[r][k + 1] = stream[static_cast<size_t>(r * chunk + k)];
            a[r][preset.sequenceLength - 1] = tok.vocab().sepId();
        }
    }

    train::setThreads(o.threads);
    const c10::Device device = train::resolveDevice(o.device);
    model::BertConfig cfg = continued ? *initConfig : preset.model;
    cfg.vocabSize = static_cast<int64_t>(tok.vocab().size());
    cfg.validate("pretrain preset " + preset.name);
    result.vocabSize = cfg.vocabSize;
    torch::manual_seed(o.seed);
    model::BertModel bert(cfg, std::nullopt, false);
    MlmHead head(cfg.hiddenSize, cfg.vocabSize, cfg.layerNormEps, cfg.initializerRange);
    const fs::path stateFile = out / "pretrain-state.pt";
    if (continued && !fs::exists(stateFile)) {
        const auto file = model::SafetensorsFile::load(init->weights);
        model::loadHfWeights(bert, file, false);
        loadMlmHead(head, file);
    } else if (o.embeddingInit == "ppmi-svd" && !fs::exists(stateFile)) {
        const auto t0 = Clock::now();
        WordVectorOptions wo;
        wo.seed = o.seed;
        initEmbeddings(bert->wordEmbeddings->weight, ppmiSvdVectors(stream, cfg.vocabSize, cfg.hiddenSize, wo),
                       cfg.initializerRange);
        result.wordVectorSeconds = std::chrono::duration<double>(Clock::now() - t0).count();
        if (stopped()) return result;
    }
    stream = {};
    // Made after the MLM modules so that an MLM pre-training draws the same initial weights.
    Generator generator{nullptr};
    Detector detector{nullptr};
    if (electra) {
        generator = Generator(cfg, 1);
        detector = Detector(cfg.hiddenSize, cfg.initializerRange);
    }
    std::vector<torch::nn::Module*> modules{bert.get(), head.get()};
    if (electra) modules.insert(modules.end(), {generator.get(), detector.get()});
    std::vector<std::pair<std::string, torch::Tensor>> named;
    for (auto* m : modules) {
        m->to(device);
        m->train();
        for (const auto& p : m->named_parameters()) named.emplace_back(p.key(), p.value());
    }
    const auto optimizer = train::makeAdamW(named, peakLr, 0.01);
    std::vector<torch::Tensor> all; // clipped together: the decaying group, then the others
    for (const auto& g : optimizer->param_groups())
        all.insert(all.end(), g.params().begin(), g.params().end());

    // Resume from the folder's state when it is of this preset and seed.
    json identity = {{"preset", preset.name}, {"seed", o.seed}, {"vocab", cfg.vocabSize},
                     {"rows", rows}, {"format", kStateFormat}, {"version", kStateVersion}};
    if (continued)
        identity["init_from"] = model::fileFingerprint(init->weights); // the weights it started from
    else if (o.embeddingInit != "random")
        identity["embedding_init"] = o.embeddingInit; // older states stay valid
    if (peakLr != preset.learningRate) identity["learning_rate"] = peakLr; // the preset's is implied
    if (electra) identity["objective"] = o.objective;
    int64_t step = 0;
    if (fs::exists(stateFile)) {
        try {
            torch::serialize::InputArchive ar;
            ar.load_from(stateFile.string(), device);
            c10::IValue meta;
            ar.read("meta", meta);
            const json m = json::parse(meta.toStringRef());
            if (m.at("identity") != identity)
                throw Error(stateFile.string() + " belongs to another pre-training (" + m.at("identity").dump() +
                            "); use another --out folder or delete it");
            torch::serialize::InputArchive a, h, s;
            ar.read("model", a);
            ar.read("head", h);
            ar.read("optimizer", s);
            bert->load(a);
            head->load(h);
            if (electra) {
                torch::serialize::InputArchive g, d;
                ar.read("generator", g);
                ar.read("detector", d);
                generator->load(g);
                detector->load(d);
            }
            optimizer->load(s);
            step = m.at("step").get<int64_t>();
            result.tokensSeen = m.at("tokens").get<int64_t>();
            result.resumed = true;
        } catch (const c10::Error& e) {
            throw Error(stateFile.string() + " is unreadable: " + firstLine(e.what()));
        } catch (const json::exception& e) {
            throw Error(stateFile.string() + " is damaged: " + e.what());
        }
    }
    const auto saveState = [&] {
        torch::serialize::OutputArchive ar, a, h, s;
        ar.write("meta", c10::IValue(json{{"identity", identity}, {"step", step}, {"tokens", result.tokensSeen}}.dump()));
        bert->save(a);
        head->save(h);
        optimizer->save(s);
        ar.write("model", a);
        ar.write("head", h);
        ar.write("optimizer", s);
        if (electra) {
            torch::serialize::OutputArchive g, d;
            generator->save(g);
            detector->save(d);
            ar.write("generator", g);
            ar.write("detector", d);
        }
        const std::string tmp = stateFile.string() + ".tmp";
        try {
            ar.save_to(tmp);
            fs::rename(tmp, stateFile);
        } catch (const std::exception& e) {
            fs::remove(tmp);
            throw Error("cannot write " + stateFile.string() + ": " + firstLine(e.what()));
        }
    };

    const int64_t batchesPerEpoch = rows / preset.batchSize;
    const auto special = [&] {
        auto s = torch::zeros({preset.batchSize, preset.sequenceLength}, torch::kBool);
        s.select(1, 0).fill_(true);
        s.select(1, preset.sequenceLength - 1).fill_(true);
        return s.to(device);
    }();
    const auto types = torch::zeros({preset.batchSize, preset.sequenceLength}, torch::kLong).to(device);
    const auto bias = model::BertModelImpl::maskBias(torch::ones({preset.batchSize, preset.sequenceLength}, torch::kLong).to(device),
                                                     torch::zeros({1}, torch::TensorOptions().device(device)));
    std::vector<int64_t> perm;
    int64_t permEpoch = -1;
    const auto notSpecial = ~special;
    std::deque<double> recent, recentDetection;
    const auto start = Clock::now();
    auto lastSave = Clock::now();
    const int64_t startStep = step;
    while (step < preset.steps) {
        if (cancel && cancel->load()) {
            result.cancelled = true;
            break;
        }
        const int64_t epoch = step / batchesPerEpoch;
        if (epoch != permEpoch) {
            perm = permutation(rows, o.seed * 1000003ULL + static_cast<uint64_t>(epoch));
            permEpoch = epoch;
        }
        const int64_t b0 = (step % batchesPerEpoch) * preset.batchSize;
        const auto index = torch::from_blob(perm.data() + b0, {preset.batchSize}, torch::kLong).clone();
        const auto ids = data.index_select(0, index).to(device);
        torch::manual_seed(o.seed * 7919ULL + static_cast<uint64_t>(step)); // masks and dropout per step
        const auto [inputs, labels] = maskForMlm(ids, special, tok.vocab().maskId(), cfg.vocabSize);
        const double lr =
            train::scheduledLearningRate(peakLr, step, preset.steps, preset.warmupFraction);
        train::setLearningRate(*optimizer, lr);
        // [B, T] -> hidden [B, T, d] -> masked positions [N, d] -> logits [N, V]
        const auto embedded = bert->embed(inputs, types);
        const auto hidden = electra ? generator->forward(embedded, bias)
                                    : bert->runLayers(embedded, bias, 0, cfg.numLayers);
        const auto flatLabels = labels.reshape({-1});
        const auto where = flatLabels.ne(-100).nonzero().squeeze(1);
        const auto logits = head->forward(hidden.reshape({-1, cfg.hiddenSize}).index_select(0, where),
                                          bert->wordEmbeddings->weight);
        const auto mlmLoss =
            torch::nn::functional::cross_entropy(logits, flatLabels.index_select(0, where));
        auto loss = mlmLoss;
        if (electra) {
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
            const auto detect = detector->forward(
                bert->runLayers(bert->embed(corrupted, types), bias, 0, cfg.numLayers));
            const auto detectionLoss = torch::nn::functional::binary_cross_entropy_with_logits(
                detect.masked_select(notSpecial), replaced);
            loss = mlmLoss + kDetectionWeight * detectionLoss;
            recentDetection.push_back(detectionLoss.item<double>());
            if (recentDetection.size() > 50) recentDetection.pop_front();
        }
        optimizer->zero_grad();
        loss.backward();
        torch::nn::utils::clip_grad_norm_(all, 1.0);
        optimizer->step();
        ++step;
        result.tokensSeen += preset.batchSize * preset.sequenceLength;
        recent.push_back(mlmLoss.item<double>());
        if (recent.size() > 50) recent.pop_front();
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        if (progress) {
            PretrainProgress p;
            p.step = step;
            p.totalSteps = preset.steps;
            p.loss = recent.back();
            p.detectionLoss = recentDetection.empty() ? 0.0 : recentDetection.back();
            p.tokensPerSecond = static_cast<double>((step - startStep) * preset.batchSize * preset.sequenceLength) / seconds;
            p.etaSeconds = seconds / static_cast<double>(step - startStep) * static_cast<double>(preset.steps - step);
            progress(p);
        }
        if (Clock::now() - lastSave > std::chrono::minutes(5)) {
            saveState();
            lastSave = Clock::now();
        }
    }
    result.steps = step;
    result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    for (double l : recent) result.finalLoss += l / static_cast<double>(recent.size());
    for (double l : recentDetection)
        result.finalDetectionLoss += l / static_cast<double>(recentDetection.size());
    saveState();
    if (!result.cancelled) {
        bert->to(torch::kCPU);
        model::saveHfModel(bert, o.outDir);
        json report = {{"preset", preset.name},
                       {"cost", preset.cost},
                       {"steps", step},
                       {"tokens_seen", result.tokensSeen},
                       {"corpus_tokens", result.corpusTokens},
                       {"vocab_size", cfg.vocabSize},
                       {"final_mlm_loss", result.finalLoss},
                       {"embedding_init", result.embeddingInit},
                       {"learning_rate", peakLr},
                       {"word_vector_seconds", result.wordVectorSeconds},
                       {"objective", o.objective},
                       {"final_detection_loss", result.finalDetectionLoss},
                       {"corpus", corpusReportJson(result.corpus)},
                       {"model", cfg.toJson()},
                       {"seconds_last_session", result.seconds}};
        std::ofstream(out / "pretrain.json") << report.dump(2) << '\n';
    }
    return result;
}

} // namespace adapterlab::pretrain
