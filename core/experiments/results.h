#pragma once
// Plot-ready tables from stored runs: model selection as in the paper (per group, the
// configuration with the best mean dev metric) and aggregation over seeds.
#include "store/store.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace adapterlab::experiments {

struct ResultRow {
    std::string task;          ///< display name (RTE, custrev, ...)
    train::Method method = train::Method::Adapter;
    /// The value of the method's knob (train::methodInfo(method).knob: m, k, …); 0 for a method
    /// without one. Exported as "size".
    int64_t knob = 0;
    double initStd = 0;        ///< adapter init sigma (robustness table)
    int64_t trainable = 0;
    double percent = 0;        ///< trainable as % of the backbone
    std::string metric;        ///< the main metric's name
    double mean = 0, std = 0, best = 0; ///< over seeds of the selected configuration
    int seeds = 0;
    double learningRate = 0;   ///< of the selected configuration
    int64_t epochs = 0;
    int64_t trainSize = 0; ///< training examples (0 = all): a learning curve's runs stay apart
    std::string variant;   ///< train::variantText: an architecture variant's runs stay apart
    std::vector<int64_t> runIds;
};

enum class Table { Tradeoff, Size, Robustness };

/// Finished runs grouped by (task, method, variant, knob value) for Tradeoff, adapters by m for
/// Size, and adapters by init sigma for Robustness, each also by training-set size (runs on a
/// sample are never selected against runs on the whole split). `taskFilter` keeps tasks whose name
/// or spec equals it.
std::vector<ResultRow> resultTable(const std::vector<store::RunRecord>& runs, Table table,
                                   const std::string& taskFilter = "");

nlohmann::json toJson(const ResultRow& row);
std::string toCsv(const std::vector<ResultRow>& rows);

/// glue:RTE:/x -> RTE; file:/a/train.csv,dev=... -> train; lines:/a/TREC.train.all -> TREC.train
std::string taskDisplayName(const std::string& spec);

/// The ablation matrix as CSV: first_layer,last_layer,score,drop (drop = intact - score).
std::string ablationCsv(const std::vector<store::AblationRow>& rows);

} // namespace adapterlab::experiments
