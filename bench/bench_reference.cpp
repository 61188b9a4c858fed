// Side by side with the plain-PyTorch reference (bench/reference/bert_adapter_step.py): first the
// same weights through both (logits and loss must agree), then the same training step timed in
// the same invocation with the same thread count; the ratio is printed.
#include "bench_common.h"

#include "model/bert.h"
#include "model/safetensors.h"
#include "train/optimizer.h"
#include "train/trainer.h"

#include <ATen/Parallel.h>
#include <nlohmann/json.hpp>
#include <torch/nn/functional/loss.h>
#include <torch/nn/utils/clip_grad.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <thread>

namespace adapterlab::bench {
namespace {

using nlohmann::json;

std::string runCommand(const std::string& cmd) {
    std::array<char, 4096> buf{};
    std::string out;
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
    if (!pipe) return out;
    while (fgets(buf.data(), buf.size(), pipe.get())) out += buf.data();
    return out;
}

json hfConfig(const model::BertConfig& c) {
    return {{"hidden_size", c.hiddenSize}, {"num_hidden_layers", c.numLayers}, {"num_attention_heads", c.numHeads},
            {"intermediate_size", c.intermediateSize}, {"vocab_size", c.vocabSize},
            {"max_position_embeddings", c.maxPositions}, {"type_vocab_size", c.typeVocabSize},
            {"layer_norm_eps", c.layerNormEps}};
}

// The engine's training step (as in train::Trainer) on a fixed synthetic batch; ms per step.
// fullLastLayer: the whole last layer as the reference computes it, instead of the trainer's
// logits() that computes only the [CLS] row there.
double timeEngine(model::BertModel& m, const train::MethodSpec& method, int steps,
                  bool fullLastLayer) {
    const auto names = train::freezeForMethod(m, method);
    auto named = m->named_parameters();
    std::vector<std::pair<std::string, torch::Tensor>> trainable;
    std::vector<torch::Tensor> all;
    for (const auto& n : names) {
        trainable.emplace_back(n, named[n]);
        all.push_back(named[n]);
    }
    const auto opt = train::makeAdamW(trainable, 1e-4, 0.01);
    const int64_t B = 32, T = 128;
    auto ids = torch::empty({B, T}, torch::kLong);
    for (int64_t i = 0; i < B; ++i)
        for (int64_t t = 0; t < T; ++t) ids[i][t] = (i * 131 + t * 17) % 30000 + 100;
    const auto types = torch::zeros_like(ids), mask = torch::ones_like(ids);
    const auto labels = torch::arange(B, torch::kLong) % 2;
    m->train();
    const auto step = [&] {
        const auto logits =
            fullLastLayer ? m->forward(ids, types, mask).logits : m->logits(ids, types, mask);
        const auto loss = torch::nn::functional::cross_entropy(logits, labels);
        opt->zero_grad();
        loss.backward();
        torch::nn::utils::clip_grad_norm_(all, 1.0);
        opt->step();
    };
    step(); // warm-up, as in the reference
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < steps; ++i) step();
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() / steps;
}

} // namespace

int runReferenceBench(const std::string& python, const std::string& script, int steps, int repeats,
                      const std::string& size, const std::string& anchor) {
    const int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    at::set_num_threads(threads);
    const model::BertConfig c = benchModel(size);
    const std::string cfg = hfConfig(c).dump();
    const std::string base = python + " " + script + " --config '" + cfg + "' --threads " + std::to_string(threads);

    // 1. Same function: every parameter (adapters and head included) and a padded batch.
    torch::manual_seed(7);
    model::BertModel m(c, model::AdapterConfig{64, 0.05}, true);
    m->eval();
    std::vector<torch::Tensor> keep;
    std::vector<model::TensorToWrite> tensors;
    for (const auto& p : m->named_parameters()) {
        keep.push_back(p.value().detach().contiguous());
        tensors.push_back({p.key(), keep.back().sizes().vec(), keep.back().data_ptr<float>()});
    }
    const std::string weights = "/tmp/adapterlab_ref_weights.safetensors", batchFile = "/tmp/adapterlab_ref_batch.json";
    model::writeSafetensors(weights, tensors, {});
    const int64_t B = 4, T = 24;
    auto ids = torch::randint(1000, 29000, {B, T}, torch::kLong);
    auto mask = torch::ones({B, T}, torch::kLong);
    mask.index_put_({1, torch::indexing::Slice(10)}, 0);
    mask.index_put_({3, torch::indexing::Slice(17)}, 0);
    auto types = torch::zeros({B, T}, torch::kLong);
    types.index_put_({torch::indexing::Slice(), torch::indexing::Slice(12)}, 1);
    const auto labels = torch::tensor(std::vector<int64_t>{0, 1, 1, 0});
    const auto toList = [](const torch::Tensor& t) {
        json rows = json::array();
        for (int64_t i = 0; i < t.size(0); ++i) {
            json r = json::array();
            for (int64_t j = 0; j < t.size(1); ++j) r.push_back(t[i][j].item<int64_t>());
            rows.push_back(r);
        }
        return rows;
    };
    std::ofstream(batchFile) << json{{"ids", toList(ids)}, {"types", toList(types)}, {"mask", toList(mask)},
                                     {"labels", {0, 1, 1, 0}}}.dump();
    torch::Tensor logits;
    {
        torch::NoGradGuard g;
        logits = m->logits(ids, types, mask); // the trainer's path ([CLS]-only last layer)
    }
    const double loss = torch::nn::functional::cross_entropy(logits, labels).item<double>();
    const std::string out = runCommand(base + " --method adapter --check " + weights + " " + batchFile);
    json ref;
    try {
        ref = json::parse(out);
    } catch (const json::exception&) {
        std::fprintf(stderr, "reference failed: %s\n", out.c_str());
        return 1;
    }
    double maxDiff = 0;
    for (int64_t i = 0; i < B; ++i)
        for (int64_t j = 0; j < 2; ++j)
            maxDiff = std::max(maxDiff, std::abs(logits[i][j].item<double>() - ref["logits"][i][j].get<double>()));
    std::printf("same function: max |logit diff| %.3g, loss %.6f vs %.6f (reference)\n", maxDiff, loss,
                ref["loss"].get<double>());

    // 2. The same training step, timed side by side (median of repeats).
    std::printf("train step d=%lld L=%lld batch 32x128, %d threads, %d steps, median of %d:\n",
                static_cast<long long>(c.hiddenSize), static_cast<long long>(c.numLayers), threads, steps, repeats);
    for (const char* method : {"full", "adapter"}) {
        std::vector<double> engine, engineFull, reference, second;
        std::string secondTorch;
        for (int r = 0; r < repeats; ++r) {
            for (bool full : {false, true}) {
                torch::manual_seed(1);
                model::BertModel mm(
                    c,
                    std::string(method) == "adapter"
                        ? std::optional<model::AdapterConfig>(model::AdapterConfig{64, 1e-2})
                        : std::nullopt,
                    true);
                (full ? engineFull : engine)
                    .push_back(timeEngine(mm, {train::parseMethod(method)}, steps, full));
            }
            const json t = json::parse(runCommand(base + " --method " + method + " --steps " + std::to_string(steps)));
            reference.push_back(t["ms_per_step"].get<double>());
            if (!anchor.empty()) {
                const std::string cmd = anchor + " --config '" + cfg + "' --threads " +
                                        std::to_string(threads) + " --method " + method +
                                        " --steps " + std::to_string(steps);
                const std::string got = runCommand(cmd);
                try {
                    const json a = json::parse(got);
                    second.push_back(a["ms_per_step"].get<double>());
                    secondTorch = a.value("torch", "?") + (a.value("sdpa", false) ? ", SDPA" : "");
                } catch (const json::exception&) {
                    std::fprintf(stderr, "second anchor failed (%s): %s\n", cmd.c_str(),
                                 got.c_str());
                    return 1;
                }
            }
        }
        std::printf("  %-8s engine %8.1f ms/step (whole last layer %8.1f), PyTorch %8.1f ms/step: "
                    "%.2fx the "
                    "reference's throughput (%.2fx with the whole last layer)\n",
                    method, median(engine), median(engineFull), median(reference),
                    median(reference) / median(engine), median(reference) / median(engineFull));
        if (!second.empty())
            std::printf("  %-8s second anchor (PyTorch %s) %8.1f ms/step: %.2fx its throughput\n",
                        method, secondTorch.c_str(), median(second),
                        median(second) / median(engine));
    }
    return maxDiff < 1e-4 ? 0 : 1;
}

} // namespace adapterlab::bench
