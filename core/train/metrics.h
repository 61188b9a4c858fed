#pragma once
// The GLUE metrics: accuracy, F1, Matthews correlation, Pearson and Spearman correlation.
#include <map>
#include <string>
#include <vector>

namespace adapterlab::train {

double accuracy(const std::vector<int>& pred, const std::vector<int>& gold);
/// F1 of the class `positive`; 0 when it is never predicted nor present.
double f1Score(const std::vector<int>& pred, const std::vector<int>& gold, int positive);
/// Matthews correlation (multi-class form of Gorodkin 2004; the usual one for two classes);
/// 0 when undefined (a constant prediction or gold).
double matthews(const std::vector<int>& pred, const std::vector<int>& gold, int numClasses);
double pearson(const std::vector<double>& x, const std::vector<double>& y);
/// Pearson correlation of the ranks, ties sharing their average rank.
double spearman(const std::vector<double>& x, const std::vector<double>& y);

using Metrics = std::map<std::string, double>;

/// Classification metrics by name ("accuracy", "f1", "matthews"); f1 uses `positive`.
Metrics classificationMetrics(const std::vector<int>& pred, const std::vector<int>& gold,
                              int numClasses, int positive);
Metrics regressionMetrics(const std::vector<double>& pred, const std::vector<double>& gold);

} // namespace adapterlab::train
