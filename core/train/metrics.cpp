#include "train/metrics.h"

#include "util/error.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace adapterlab::train {
namespace {

template <typename A, typename B>
void checkSizes(const std::vector<A>& a, const std::vector<B>& b) {
    if (a.size() != b.size()) throw Error("metric: predictions and gold labels differ in length");
}

std::vector<double> ranks(const std::vector<double>& v) {
    std::vector<size_t> idx(v.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
    std::vector<double> r(v.size());
    for (size_t i = 0; i < idx.size();) {
        size_t j = i;
        while (j + 1 < idx.size() && v[idx[j + 1]] == v[idx[i]]) ++j;
        const double avg = (static_cast<double>(i) + static_cast<double>(j)) / 2.0 + 1.0;
        for (size_t k = i; k <= j; ++k) r[idx[k]] = avg;
        i = j + 1;
    }
    return r;
}

} // namespace

double accuracy(const std::vector<int>& pred, const std::vector<int>& gold) {
    checkSizes(pred, gold);
    if (gold.empty()) return 0.0;
    size_t ok = 0;
    for (size_t i = 0; i < gold.size(); ++i) ok += pred[i] == gold[i];
    return static_cast<double>(ok) / static_cast<double>(gold.size());
}

double f1Score(const std::vector<int>& pred, const std::vector<int>& gold, int positive) {
    checkSizes(pred, gold);
    double tp = 0, fp = 0, fn = 0;
    for (size_t i = 0; i < gold.size(); ++i) {
        const bool p = pred[i] == positive, g = gold[i] == positive;
        tp += p && g;
        fp += p && !g;
        fn += !p && g;
    }
    return tp == 0 ? 0.0 : 2 * tp / (2 * tp + fp + fn);
}

double matthews(const std::vector<int>& pred, const std::vector<int>& gold, int numClasses) {
    checkSizes(pred, gold);
    const auto K = static_cast<size_t>(numClasses);
    std::vector<double> t(K, 0), p(K, 0);
    double correct = 0;
    const auto n = static_cast<double>(gold.size());
    for (size_t i = 0; i < gold.size(); ++i) {
        t[static_cast<size_t>(gold[i])] += 1;
        p[static_cast<size_t>(pred[i])] += 1;
        correct += pred[i] == gold[i];
    }
    double tp = 0, tt = 0, pp = 0;
    for (size_t k = 0; k < K; ++k) {
        tp += t[k] * p[k];
        tt += t[k] * t[k];
        pp += p[k] * p[k];
    }
    const double denom = std::sqrt((n * n - pp) * (n * n - tt));
    return denom == 0 ? 0.0 : (correct * n - tp) / denom;
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
    checkSizes(x, y);
    const auto n = static_cast<double>(x.size());
    if (x.size() < 2) return 0.0;
    const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
    const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
    double sxy = 0, sxx = 0, syy = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxx == 0 || syy == 0 ? 0.0 : sxy / std::sqrt(sxx * syy);
}

double spearman(const std::vector<double>& x, const std::vector<double>& y) {
    checkSizes(x, y);
    return pearson(ranks(x), ranks(y));
}

Metrics classificationMetrics(const std::vector<int>& pred, const std::vector<int>& gold,
                              int numClasses, int positive) {
    Metrics m{{"accuracy", accuracy(pred, gold)}, {"matthews", matthews(pred, gold, numClasses)}};
    if (numClasses == 2) m["f1"] = f1Score(pred, gold, positive);
    return m;
}

Metrics regressionMetrics(const std::vector<double>& pred, const std::vector<double>& gold) {
    return {{"pearson", pearson(pred, gold)}, {"spearman", spearman(pred, gold)}};
}

} // namespace adapterlab::train
