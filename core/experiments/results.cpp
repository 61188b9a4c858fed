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

std::vector<ResultRow> resultTable(const std::vector<store::RunRecord>& runs, Table table,
                                   const std::string& taskFilter) {
    // group key -> configuration key (the config without its seed) -> runs
    std::map<std::string, std::map<std::string, std::vector<const store::RunRecord*>>> groups;
    for (const auto& r : runs) {
        // A run whose settings this build cannot read (a newer release's method) is never
        // counted as the method its fallback settings name.
        if (r.status != store::RunStatus::Finished || !r.configError.empty()) continue;
        const std::string task = taskDisplayName(r.config.task);
        if (!taskFilter.empty() && taskFilter != task && taskFilter != r.config.task) continue;
        // The size and robustness figures are the Houlsby adapter's (over m, over init σ).
        if (table != Table::Tradeoff && r.config.method.method != train::Method::Adapter) continue;
        std::ostringstream key;
        key << task << '|' << train::toString(r.config.method.method) << '|' << std::setw(12)
            << train::knobValue(r.config);
        if (table == Table::Robustness) key << '|' << std::scientific << r.config.adapter.initStd;
        key << '|' << std::setw(12) << r.config.trainSize << '|' << train::variantText(r.config);
        // As parsed: runs stored before a setting existed carry its default.
        json cfg = r.config.toJson();
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
            row.task = taskDisplayName(first.config.task);
            row.method = first.config.method.method;
            row.knob = train::knobValue(first.config);
            row.initStd = first.config.adapter.initStd;
            row.trainable = first.paramsTrainable;
            row.percent = first.params.value("trainable_percent", 0.0);
            row.metric = first.mainMetric;
            row.learningRate = first.config.learningRate;
            row.epochs = first.config.epochs;
            row.trainSize = first.config.trainSize;
            row.variant = train::variantText(first.config);
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
    return {{"task", r.task},
            {"method", train::toString(r.method)},
            {"size", r.knob},
            {"init_std", r.initStd},
            {"trainable", r.trainable},
            {"percent", r.percent},
            {"metric", r.metric},
            {"mean", r.mean},
            {"std", r.std},
            {"best", r.best},
            {"seeds", r.seeds},
            {"learning_rate", r.learningRate},
            {"epochs", r.epochs},
            {"run_ids", r.runIds},
            {"train_size", r.trainSize},
            {"knob", train::methodInfo(r.method).knob
                         ? json(train::methodInfo(r.method).knob->symbol)
                         : json(nullptr)},
            {"variant", r.variant}};
}

std::string toCsv(const std::vector<ResultRow>& rows) {
    std::ostringstream o;
    o << "task,method,size,init_std,trainable,percent,metric,mean,std,best,seeds,learning_rate,"
         "epochs,run_ids,train_size,knob,variant\n";
    o << std::setprecision(10);
    for (const auto& r : rows) {
        std::string ids;
        for (auto id : r.runIds) ids += (ids.empty() ? "" : " ") + std::to_string(id);
        o << r.task << ',' << train::toString(r.method) << ',' << r.knob << ',' << r.initStd << ','
          << r.trainable << ',' << r.percent << ',' << r.metric << ',' << r.mean << ',' << r.std
          << ',' << r.best << ',' << r.seeds << ',' << r.learningRate << ',' << r.epochs << ','
          << ids << ',' << r.trainSize << ','
          << (train::methodInfo(r.method).knob ? train::methodInfo(r.method).knob->symbol : "")
          << ',' << (r.variant.find(',') == std::string::npos ? r.variant : '"' + r.variant + '"')
          << '\n';
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
