#include "experiments/ablation.h"

#include "util/error.h"

namespace adapterlab::experiments {
namespace {

constexpr size_t kBatch = 32;

// logits [B, C] -> one value per example (class id, or the regression output)
std::vector<double> toValues(const torch::Tensor& logits, bool regression) {
    const auto v = (regression ? logits.squeeze(1) : logits.argmax(1)).to(torch::kDouble).contiguous();
    return std::vector<double>(v.data_ptr<double>(), v.data_ptr<double>() + v.numel());
}

int spanIndex(int first, int last, int L) {
    // Spans ordered by first, then last: first i starts after sum_{k<i} (L - k) cells.
    return first * L - first * (first - 1) / 2 + (last - first);
}

// Shared bookkeeping: predictions per cell, scattered back to example order.
struct Collector {
    int L;
    size_t n;
    std::vector<std::vector<double>> spans;
    std::vector<double> intact;
    Collector(int layers, size_t examples)
        : L(layers), n(examples), spans(static_cast<size_t>(layers * (layers + 1) / 2), std::vector<double>(examples)),
          intact(examples) {}
    static void put(std::vector<double>& dst, const std::vector<size_t>& idx, const std::vector<double>& v) {
        for (size_t k = 0; k < idx.size(); ++k) dst[idx[k]] = v[k];
    }
    AblationResult finish(const MetricFn& metrics, const std::string& mainMetric) const {
        AblationResult r;
        r.numLayers = L;
        r.intact.metrics = metrics(intact);
        r.intact.score = r.intact.metrics.at(mainMetric);
        for (int i = 0; i < L; ++i)
            for (int j = i; j < L; ++j) {
                AblationCell c{i, j, metrics(spans[static_cast<size_t>(spanIndex(i, j, L))]), 0};
                c.score = c.metrics.at(mainMetric);
                r.cells.push_back(std::move(c));
            }
        return r;
    }
};

void requireLayerModules(model::BertModel& m) {
    if (!m->hasLayerModules())
        throw Error(
            "layer ablation needs a method with per-layer modules (adapters, LoRA, prefix, (IA)³)");
    if (m->layer(0)->loraMerged()) throw Error("layer ablation needs LoRA unmerged");
}

} // namespace

AblationResult ablateLayers(model::BertModel& m, const data::EncodedSplit& dev, int64_t padId,
                            bool regression, const MetricFn& metrics, const std::string& mainMetric,
                            const std::function<void(int, int)>& progress,
                            const std::atomic<bool>* cancel) {
    requireLayerModules(m);
    torch::NoGradGuard guard;
    m->eval();
    const int L = static_cast<int>(m->numLayers());
    const auto device = m->parameters().front().device();
    Collector col(L, dev.size());
    int64_t work = 0;
    const auto batches = data::makeBatches(dev, kBatch, false, 0);
    int done = 0;
    for (const auto& idx : batches) {
        if (cancel && cancel->load()) {
            AblationResult r; // the adapters are all on again between batches
            r.numLayers = L;
            r.cancelled = true;
            return r;
        }
        const data::Batch b = data::collate(dev, idx, padId);
        const auto mask = b.mask.to(device);
        m->setAllModulesEnabled(true);
        // inputs[i] = input of layer i in the intact model, i < L.
        std::vector<torch::Tensor> inputs{m->embed(b.ids.to(device), b.typeIds.to(device))};
        const auto bias = model::BertModelImpl::maskBias(mask, inputs[0]);
        for (int i = 0; i + 1 < L; ++i)
            inputs.push_back(m->layerForward(i, inputs.back(), bias));
        // logitsFrom runs the rest; its last layer computes only what the pooling reads.
        const auto head = [&](const torch::Tensor& h, int from) {
            return toValues(m->logitsFrom(h, bias, mask, from), regression);
        };
        Collector::put(col.intact, idx, head(inputs[static_cast<size_t>(L - 1)], L - 1));
        work += L;
        for (int i = 0; i < L; ++i) {
            torch::Tensor off = inputs[static_cast<size_t>(i)]; // layers below i are unchanged
            for (int j = i; j < L; ++j) {
                // off enters layer j with span [i, j-1] ablated; extend it to [i, j].
                m->setModulesEnabled(j, false);
                std::vector<double> values;
                if (j + 1 < L) {
                    off = m->layerForward(j, off, bias);
                    m->setModulesEnabled(j, true);
                    values = head(off, j + 1); // the rest, adapters on
                } else {
                    values = head(off, j); // the span reaches the last layer
                    m->setModulesEnabled(j, true);
                }
                work += 1 + (L - 1 - j);
                Collector::put(col.spans[static_cast<size_t>(spanIndex(i, j, L))], idx, values);
            }
        }
        if (progress) progress(++done, static_cast<int>(batches.size()));
    }
    m->setAllModulesEnabled(true);
    AblationResult r = col.finish(metrics, mainMetric);
    r.layerEvaluations = work;
    r.naiveLayerEvaluations = static_cast<int64_t>(batches.size()) * L * (L * (L + 1) / 2 + 1);
    return r;
}

AblationResult ablateLayersNaive(model::BertModel& m, const data::EncodedSplit& dev, int64_t padId,
                                 bool regression, const MetricFn& metrics, const std::string& mainMetric) {
    requireLayerModules(m);
    torch::NoGradGuard guard;
    m->eval();
    const int L = static_cast<int>(m->numLayers());
    const auto device = m->parameters().front().device();
    Collector col(L, dev.size());
    const auto batches = data::makeBatches(dev, kBatch, false, 0);
    const auto predict = [&](const std::vector<size_t>& idx) {
        const data::Batch b = data::collate(dev, idx, padId);
        return toValues(m->logits(b.ids.to(device), b.typeIds.to(device), b.mask.to(device)),
                        regression);
    };
    for (const auto& idx : batches) {
        m->setAllModulesEnabled(true);
        Collector::put(col.intact, idx, predict(idx));
        for (int i = 0; i < L; ++i)
            for (int j = i; j < L; ++j) {
                m->setAllModulesEnabled(true);
                for (int k = i; k <= j; ++k)
                    m->setModulesEnabled(k, false);
                Collector::put(col.spans[static_cast<size_t>(spanIndex(i, j, L))], idx, predict(idx));
            }
    }
    m->setAllModulesEnabled(true);
    AblationResult r = col.finish(metrics, mainMetric);
    r.naiveLayerEvaluations = r.layerEvaluations = static_cast<int64_t>(batches.size()) * L * (L * (L + 1) / 2 + 1);
    return r;
}

} // namespace adapterlab::experiments
