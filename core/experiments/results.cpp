#include "experiments/results.h"

#include <cmath>
#include <filesystem>
#include <iomanip>
#include <map>
#include <sstream>

namespace adapterlab::experiments {

using nlohmann::json;

std::string taskDisplayName(const std::string& spec) {
    if (spec.rfind("glue:", 0) == 0) {
        const auto c = spec.find(':', 5);
        return spec.substr(5, c == std::string::npos ? std::string::npos : c - 5);
    }
    const auto colon = spec.find(':');
    std::string path = colon == std::string::npos ? spec : spec.substr(colon + 1);
    path = path.substr(0, path.find(','));
    const std::filesystem::path p(path);
    // "data/imdb/train.csv" says more by its folder than by its file name.
    const std::string stem = p.stem().string();
    if ((stem == "train" || stem == "training") && p.has_parent_path() && !p.parent_path().filename().empty())
        return p.parent_path().filename().string();
    return stem;
}

int64_t runTrainSize(const store::RunRecord& run) {
    if (!run.config.is_object()) return 0;
    const auto it = run.config.find("train_size");
    return it != run.config.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

std::vector<ResultRow> resultTable(const std::vector<store::RunRecord>& runs, Table table,
                                   const std::string& taskFilter) {
    // group key -> configuration key (the config without its seed) -> runs
    std::map<std::string, std::map<std::string, std::vector<const store::RunRecord*>>> groups;
    for (const auto& r : runs) {
        if (r.status != "finished") continue;
        const std::string task = taskDisplayName(r.task);
        if (!taskFilter.empty() && taskFilter != task && taskFilter != r.task) continue;
        if (table != Table::Tradeoff && r.method != "adapter") continue;
        int64_t size = r.method == "adapter" ? r.adapterSize : r.method == "top_k" ? r.topK : 0;
        std::ostringstream key;
        key << task << '|' << r.method << '|' << std::setw(12) << size;
        if (table == Table::Robustness) key << '|' << std::scientific << r.initStd;
        key << '|' << std::setw(12) << runTrainSize(r);
        json cfg = r.config;
        for (const char* k : {"seed", "threads", "device"}) cfg.erase(k);
        groups[key.str()][cfg.dump()].push_back(&r);
    }
    std::vector<ResultRow> rows;
    for (const auto& [key, configs] : groups) {
        ResultRow best;
        bool have = false;
        for (const auto& [cfg, rs] : configs) {
            ResultRow row;
            const auto& first = *rs.front();
            row.task = taskDisplayName(first.task);
            row.method = first.method;
            row.size = first.method == "adapter" ? first.adapterSize : first.method == "top_k" ? first.topK : 0;
            row.initStd = first.initStd;
            row.trainable = first.paramsTrainable;
            row.percent = first.params.value("trainable_percent", 0.0);
            row.metric = first.mainMetric;
            row.learningRate = first.learningRate;
            row.epochs = first.epochs;
            row.trainSize = runTrainSize(first);
            row.best = -1e300;
            for (const auto* r : rs) {
                row.mean += r->bestScore;
                row.best = std::max(row.best, r->bestScore);
                row.runIds.push_back(r->id);
            }
            row.seeds = static_cast<int>(rs.size());
            row.mean /= row.seeds;
            for (const auto* r : rs) row.std += (r->bestScore - row.mean) * (r->bestScore - row.mean);
            row.std = row.seeds > 1 ? std::sqrt(row.std / (row.seeds - 1)) : 0.0; // sample std
            if (!have || row.mean > best.mean) {
                best = row;
                have = true;
            }
        }
        rows.push_back(best);
    }
    return rows;
}

json toJson(const ResultRow& r) {
    return {{"task", r.task},        {"method", r.method},       {"size", r.size},
            {"init_std", r.initStd}, {"trainable", r.trainable}, {"percent", r.percent},
            {"metric", r.metric},    {"mean", r.mean},           {"std", r.std},
            {"best", r.best},        {"seeds", r.seeds},         {"learning_rate", r.learningRate},
            {"epochs", r.epochs},    {"run_ids", r.runIds},      {"train_size", r.trainSize}};
}

std::string toCsv(const std::vector<ResultRow>& rows) {
    std::ostringstream o;
    o << "task,method,size,init_std,trainable,percent,metric,mean,std,best,seeds,learning_rate,"
         "epochs,run_ids,train_size\n";
    o << std::setprecision(10);
    for (const auto& r : rows) {
        std::string ids;
        for (auto id : r.runIds) ids += (ids.empty() ? "" : " ") + std::to_string(id);
        o << r.task << ',' << r.method << ',' << r.size << ',' << r.initStd << ',' << r.trainable
          << ',' << r.percent << ',' << r.metric << ',' << r.mean << ',' << r.std << ',' << r.best
          << ',' << r.seeds << ',' << r.learningRate << ',' << r.epochs << ',' << ids << ','
          << r.trainSize << '\n';
    }
    return o.str();
}

std::string ablationCsv(const std::vector<store::AblationRow>& rows) {
    double intact = 0;
    for (const auto& r : rows)
        if (r.first < 0) intact = r.score;
    std::ostringstream o;
    o << "first_layer,last_layer,score,drop\n" << std::setprecision(10);
    for (const auto& r : rows) o << r.first << ',' << r.last << ',' << r.score << ',' << intact - r.score << '\n';
    return o.str();
}

} // namespace adapterlab::experiments
