#include "pretrain/word_vectors.h"

#include "util/error.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Functions.h> // linalg_qr, linalg_svd (torch/linalg.h is gone in LibTorch 2.x)

#include <algorithm>
#include <cmath>

namespace adapterlab::pretrain {

WordVectors ppmiSvdVectors(const std::vector<int64_t>& stream, int64_t V, int64_t dim,
                           const WordVectorOptions& o) {
    if (V < 2 || dim < 1 || dim >= V) throw Error("word vectors: need 1 <= dim < vocabulary size");
    if (o.window < 1) throw Error("word vectors: the window must be at least 1");
    torch::NoGradGuard guard;
    // Symmetric co-occurrence counts C [V, V], neighbours weighted 1/distance.
    auto counts = torch::zeros({V, V}, torch::kFloat);
    auto frequency = torch::zeros({V}, torch::kLong);
    {
        float* c = counts.data_ptr<float>();
        int64_t* f = frequency.data_ptr<int64_t>();
        const auto n = static_cast<int64_t>(stream.size());
        for (int64_t i = 0; i < n; ++i) {
            const int64_t a = stream[static_cast<size_t>(i)];
            if (a < 0 || a >= V) throw Error("word vectors: token id " + std::to_string(a) + " out of range");
            ++f[a];
            for (int64_t k = 1; k <= o.window && i + k < n; ++k) {
                const int64_t b = stream[static_cast<size_t>(i + k)];
                if (b < 0 || b >= V) continue; // reported when the loop reaches it
                const float w = 1.0f / static_cast<float>(k);
                c[a * V + b] += w;
                c[b * V + a] += w;
            }
        }
    }
    // PPMI with smoothed contexts: max(0, log(C_ij · Σ_j c_j^α / (r_i · c_j^α))).
    const auto rows = counts.sum(1);                   // [V]
    const auto ctx = counts.sum(0).pow(o.contextPower); // [V]
    const double ctxTotal = ctx.sum().item<double>();
    if (ctxTotal <= 0) throw Error("word vectors: the corpus has no co-occurring tokens");
    auto ppmi = counts.mul_(ctxTotal)
                    .div_(rows.clamp_min(1e-12).unsqueeze(1))
                    .div_(ctx.clamp_min(1e-12).unsqueeze(0));
    ppmi.clamp_min_(1.0).log_(); // zero counts -> log 1 = 0: positive part only
    const auto known = frequency.ge(o.minCount);
    ppmi.mul_(known.to(torch::kFloat).unsqueeze(1)).mul_(known.to(torch::kFloat).unsqueeze(0));

    // Randomized range finder with power iterations, then an exact SVD of the small projection.
    const int64_t k = std::min<int64_t>(V, dim + o.oversample);
    auto gen = at::detail::createCPUGenerator(o.seed);
    auto q = std::get<0>(torch::linalg_qr(ppmi.matmul(at::randn({V, k}, gen, torch::kFloat))));
    for (int it = 0; it < o.powerIterations; ++it) {
        q = std::get<0>(torch::linalg_qr(ppmi.t().matmul(q)));
        q = std::get<0>(torch::linalg_qr(ppmi.matmul(q)));
    }
    const auto small = q.t().matmul(ppmi); // [k, V]
    const auto [u, s, vt] = torch::linalg_svd(small, false);
    WordVectors out;
    const auto top = s.slice(0, 0, dim);
    out.vectors = q.matmul(u.slice(1, 0, dim)).mul(top.sqrt().unsqueeze(0)).contiguous(); // [V, dim]
    out.known = known;
    for (int64_t i = 0; i < dim; ++i) out.singularValues.push_back(top[i].item<double>());
    return out;
}

void initEmbeddings(torch::Tensor embeddings, const WordVectors& wv, double std) {
    torch::NoGradGuard guard;
    if (embeddings.dim() != 2 || embeddings.size(0) != wv.vectors.size(0) || embeddings.size(1) != wv.vectors.size(1))
        throw Error("word vectors: shape does not match the embeddings");
    const auto rows = wv.known.nonzero().squeeze(1);
    if (rows.numel() == 0) return;
    const auto picked = wv.vectors.index_select(0, rows);
    const double s = picked.std().item<double>();
    if (!(s > 0)) return;
    embeddings.index_copy_(0, rows.to(embeddings.device()), picked.mul(std / s).to(embeddings.device()));
}

} // namespace adapterlab::pretrain
