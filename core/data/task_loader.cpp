#include "data/task_loader.h"

#include "data/builtin_tasks.h"
#include "data/table_reader.h"
#include "util/error.h"
#include "util/seeded.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <set>

namespace adapterlab::data {
namespace fs = std::filesystem;

namespace {

// Where a task's columns are. Empty pair = single sentence; CoLA has no header (indices).
struct Columns {
    std::string text, pair, label;
};

struct GlueDef {
    const char* name;
    Columns columns;
    bool regression;
    const char* metric;
    const char* devFile;
};

const GlueDef kGlue[] = {
    {"CoLA", {"3", "", "1"}, false, "matthews", "dev.tsv"},
    {"SST-2", {"sentence", "", "label"}, false, "accuracy", "dev.tsv"},
    {"MRPC", {"#1 String", "#2 String", "Quality"}, false, "f1", "dev.tsv"},
    {"STS-B", {"sentence1", "sentence2", "score"}, true, "spearman", "dev.tsv"},
    {"QQP", {"question1", "question2", "is_duplicate"}, false, "f1", "dev.tsv"},
    {"MNLI", {"sentence1", "sentence2", "gold_label"}, false, "accuracy", "dev_matched.tsv"},
    {"QNLI", {"question", "sentence", "label"}, false, "accuracy", "dev.tsv"},
    {"RTE", {"sentence1", "sentence2", "label"}, false, "accuracy", "dev.tsv"},
    {"WNLI", {"sentence1", "sentence2", "label"}, false, "accuracy", "dev.tsv"},
};

// Raw labelled rows before label ids are assigned.
struct RawSplit {
    std::vector<Example> examples;
    std::vector<std::string> labels; ///< per example; empty when unlabelled
    std::vector<size_t> lines;
    bool labeled = true;
    std::string source;
};

size_t columnIndex(const Table& t, const std::string& col, bool headerless) {
    return headerless ? static_cast<size_t>(std::stoul(col)) : t.column(col);
}

RawSplit fromTable(const Table& t, const Columns& c, bool headerless, bool regression,
                   const LoadOptions& opt, size_t& skipped) {
    RawSplit s;
    s.source = t.path;
    const size_t text = columnIndex(t, c.text, headerless);
    const bool hasPair = !c.pair.empty();
    const size_t pair = hasPair ? columnIndex(t, c.pair, headerless) : 0;
    s.labeled = headerless || t.hasColumn(c.label);
    const size_t label = s.labeled ? columnIndex(t, c.label, headerless) : 0;
    const size_t needed = std::max({text, pair, s.labeled ? label : 0}) + 1;
    for (const Row& r : t.rows) {
        std::string problem;
        if (r.fields.size() < needed)
            problem = "expected at least " + std::to_string(needed) + " columns, found " +
                      std::to_string(r.fields.size());
        else if (r.fields[text].empty())
            problem = "empty text";
        else if (s.labeled && r.fields[label].empty())
            problem = "empty label";
        if (problem.empty() && s.labeled && regression) {
            try {
                size_t used = 0;
                (void)std::stof(r.fields[label], &used);
                if (used != r.fields[label].size()) throw std::invalid_argument("");
            } catch (const std::exception&) {
                problem = "regression target '" + r.fields[label] + "' is not a number";
            }
        }
        if (!problem.empty()) {
            if (opt.skipMalformed) {
                ++skipped;
                continue;
            }
            throw Error(where(t.path, r.line) + ": " + problem);
        }
        Example e;
        e.text = r.fields[text];
        if (hasPair) e.pair = r.fields[pair];
        if (s.labeled && regression) e.target = std::stof(r.fields[label]);
        s.examples.push_back(std::move(e));
        s.labels.push_back(s.labeled ? r.fields[label] : std::string());
        s.lines.push_back(r.line);
    }
    return s;
}

// Label ids by name; a label that does not occur in the train split is an error.
void applyLabels(const TaskData& task, RawSplit& s, Split& out) {
    out.labeled = s.labeled;
    out.source = s.source;
    for (size_t i = 0; i < s.examples.size(); ++i) {
        if (s.labeled && !task.regression) {
            const auto it = std::find(task.labels.begin(), task.labels.end(), s.labels[i]);
            if (it == task.labels.end())
                throw Error(where(s.source, s.lines[i]) + ": label '" + s.labels[i] +
                            "' does not occur in the train split");
            s.examples[i].label = static_cast<int>(it - task.labels.begin());
        }
    }
    out.examples = std::move(s.examples);
}

// Label ids from the train split (sorted names); dev/test labels must occur in train.
void assignLabels(TaskData& task, RawSplit& train, RawSplit& dev, std::optional<RawSplit>& test) {
    if (!task.regression) {
        const std::set<std::string> names(train.labels.begin(), train.labels.end());
        task.labels.assign(names.begin(), names.end());
        if (task.labels.size() < 2)
            throw Error(train.source + ": the train split has fewer than 2 labels");
    }
    applyLabels(task, train, task.train);
    applyLabels(task, dev, task.dev);
    if (test) {
        task.test.emplace();
        applyLabels(task, *test, *task.test);
    }
    if (task.train.examples.empty()) throw Error(train.source + ": no examples");
    if (task.dev.examples.empty()) throw Error(dev.source + ": no examples");
}

// Seeded, stratified hold-out of `fraction` of each label's examples.
void splitOffDev(RawSplit& train, RawSplit& dev, const LoadOptions& opt) {
    std::map<std::string, std::vector<size_t>> byLabel;
    for (size_t i = 0; i < train.examples.size(); ++i) byLabel[train.labels[i]].push_back(i);
    std::mt19937_64 rng(opt.splitSeed);
    std::vector<bool> toDev(train.examples.size(), false);
    for (auto& [label, idx] : byLabel) {
        std::shuffle(idx.begin(), idx.end(), rng);
        const auto n = static_cast<size_t>(std::lround(opt.devFraction * static_cast<double>(idx.size())));
        for (size_t k = 0; k < n; ++k) toDev[idx[k]] = true;
    }
    RawSplit kept;
    kept.source = train.source;
    dev = RawSplit{};
    dev.source = train.source + " (held-out " + std::to_string(static_cast<int>(opt.devFraction * 100)) +
                 "%, stratified, seed " + std::to_string(opt.splitSeed) + ")";
    for (size_t i = 0; i < train.examples.size(); ++i) {
        RawSplit& s = toDev[i] ? dev : kept;
        s.examples.push_back(std::move(train.examples[i]));
        s.labels.push_back(train.labels[i]);
        s.lines.push_back(train.lines[i]);
    }
    train = std::move(kept);
}

RawSplit readLines(const std::string& path, const LoadOptions& opt, size_t& skipped, Encoding enc) {
    Table t = readTable(path, Format::Tsv, false, enc);
    RawSplit s;
    s.source = path;
    for (const Row& r : t.rows) {
        // Re-join tabs: the whole line is "LABEL text".
        std::string line = r.fields[0];
        for (size_t i = 1; i < r.fields.size(); ++i) line += '\t' + r.fields[i];
        const size_t sp = line.find_first_of(" \t");
        if (sp == std::string::npos || sp == 0 || line.find_first_not_of(" \t", sp) == std::string::npos) {
            if (opt.skipMalformed) {
                ++skipped;
                continue;
            }
            throw Error(where(path, r.line) + ": expected 'LABEL text'" +
                        (sp == std::string::npos || sp > 0 ? ", found no text" : ""));
        }
        Example e;
        e.text = line.substr(line.find_first_not_of(" \t", sp));
        s.examples.push_back(std::move(e));
        s.labels.push_back(line.substr(0, sp));
        s.lines.push_back(r.line);
    }
    return s;
}

std::map<std::string, std::string> parseOptions(const std::string& rest, std::string& first) {
    std::map<std::string, std::string> opts;
    size_t start = 0;
    bool isFirst = true;
    while (start <= rest.size()) {
        const size_t comma = rest.find(',', start);
        const std::string part = rest.substr(start, comma - start);
        if (isFirst) {
            first = part;
            isFirst = false;
        } else {
            const size_t eq = part.find('=');
            if (eq == std::string::npos) throw Error("task spec: '" + part + "' should be KEY=VALUE");
            opts[part.substr(0, eq)] = part.substr(eq + 1);
        }
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return opts;
}

std::string stem(const std::string& path) { return fs::path(path).stem().string(); }

} // namespace

const std::vector<std::string>& glueTaskNames() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> n;
        for (const auto& d : kGlue) n.push_back(d.name);
        return n;
    }();
    return names;
}

TaskData loadGlueTask(const std::string& name, const std::string& dir, const LoadOptions& opt) {
    const GlueDef* def = nullptr;
    for (const auto& d : kGlue)
        if (name == d.name) def = &d;
    if (!def) throw Error("unknown GLUE task '" + name + "' (CoLA, SST-2, MRPC, STS-B, QQP, MNLI, QNLI, RTE, WNLI)");
    if (!fs::is_directory(dir)) throw Error("GLUE folder '" + dir + "' does not exist");
    const bool headerless = name == "CoLA";
    TaskData task;
    task.name = name;
    task.regression = def->regression;
    task.pairs = !std::string(def->columns.pair).empty();
    task.mainMetric = def->metric;
    const auto file = [&](const char* f) { return (fs::path(dir) / f).string(); };
    const auto read = [&](const std::string& path, bool noHeader) {
        return fromTable(readTable(path, Format::Tsv, !noHeader), def->columns, noHeader,
                         def->regression, opt, task.skippedRows);
    };
    RawSplit train = read(file("train.tsv"), headerless);
    RawSplit dev = read(file(def->devFile), headerless);
    std::optional<RawSplit> test;
    const std::string testPath = file(name == "MNLI" ? "test_matched.tsv" : "test.tsv");
    if (fs::exists(testPath)) {
        // GLUE test files have a header (even CoLA's) and no labels.
        Columns c = def->columns;
        if (headerless) c = {"sentence", "", "label"};
        test = fromTable(readTable(testPath, Format::Tsv, true), c, false, def->regression, opt,
                         task.skippedRows);
    }
    assignLabels(task, train, dev, test);
    if (name == "MNLI" && fs::exists(file("dev_mismatched.tsv"))) {
        RawSplit mm = read(file("dev_mismatched.tsv"), false);
        Split out;
        applyLabels(task, mm, out);
        task.extraSplits.emplace_back("dev_mismatched", std::move(out));
    }
    return task;
}

void sampleTrainSplit(TaskData& task, int64_t size, uint64_t seed) {
    auto& examples = task.train.examples;
    const auto total = static_cast<int64_t>(examples.size());
    if (size < 1 || size > total)
        throw Error(task.train.source + ": cannot keep " + std::to_string(size) +
                    " training examples of " + std::to_string(total) +
                    " (the training-set size must be between 1 and " + std::to_string(total) + ")");
    if (size == total) return;
    // Groups: one per label (classification) or one for all (regression, unlabelled).
    std::map<int, std::vector<size_t>> groups;
    for (size_t i = 0; i < examples.size(); ++i)
        groups[task.regression ? 0 : examples[i].label].push_back(i);
    // Largest-remainder shares of `size`, ties to the lower label id.
    std::vector<std::pair<int, int64_t>> quota; // (label, count)
    std::vector<std::pair<double, size_t>> remainders;
    int64_t given = 0;
    for (const auto& [label, idx] : groups) {
        const double exact = static_cast<double>(size) * static_cast<double>(idx.size()) /
                             static_cast<double>(total);
        quota.emplace_back(label, static_cast<int64_t>(exact));
        given += quota.back().second;
        remainders.emplace_back(exact - static_cast<double>(quota.back().second), quota.size() - 1);
    }
    std::stable_sort(remainders.begin(), remainders.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (size_t k = 0; given < size; ++k, ++given)
        ++quota[remainders[k].second].second;
    // A label left out by rounding takes one from the largest share (possible when size >= labels).
    if (size >= static_cast<int64_t>(quota.size()))
        for (auto& q : quota)
            if (q.second == 0) {
                auto largest =
                    std::max_element(quota.begin(), quota.end(), [](const auto& a, const auto& b) {
                        return a.second < b.second;
                    });
                --largest->second;
                q.second = 1;
            }
    std::mt19937_64 rng(seed);
    std::vector<bool> keep(examples.size(), false);
    size_t g = 0;
    for (auto& [label, idx] : groups) {
        seededShuffle(idx, rng);
        for (int64_t k = 0; k < quota[g].second; ++k)
            keep[idx[static_cast<size_t>(k)]] = true;
        ++g;
    }
    std::vector<Example> kept;
    kept.reserve(static_cast<size_t>(size));
    for (size_t i = 0; i < examples.size(); ++i)
        if (keep[i]) kept.push_back(std::move(examples[i]));
    examples = std::move(kept);
    task.train.source += " (" + std::to_string(size) + " of " + std::to_string(total) +
                         (task.regression ? "" : ", stratified") + ", seed " +
                         std::to_string(seed) + ")";
}

TaskData loadTask(const std::string& spec, const LoadOptions& opt) {
    const size_t colon = spec.find(':');
    if (colon == std::string::npos)
        throw Error("task spec '" + spec + "' should start with glue:, file:, lines: or builtin:");
    const std::string kind = spec.substr(0, colon);
    const std::string rest = spec.substr(colon + 1);
    if (kind == "glue") {
        const size_t c2 = rest.find(':');
        if (c2 == std::string::npos) throw Error("task spec '" + spec + "' should be glue:NAME:DIR");
        return loadGlueTask(rest.substr(0, c2), rest.substr(c2 + 1), opt);
    }
    if (kind == "builtin") return loadBuiltinTask(rest);
    if (kind != "file" && kind != "lines")
        throw Error("task spec '" + spec + "': unknown kind '" + kind + "' (glue, file, lines, builtin)");
    std::string trainPath;
    auto o = parseOptions(rest, trainPath);
    const std::set<std::string> known = kind == "file"
        ? std::set<std::string>{"dev", "test", "text", "text_pair", "label", "encoding"}
        : std::set<std::string>{"dev", "test", "encoding"};
    for (const auto& [k, v] : o)
        if (!known.count(k)) throw Error("task spec '" + spec + "': unknown option '" + k + "'");
    TaskData task;
    task.name = stem(trainPath);
    task.mainMetric = "accuracy";
    std::optional<RawSplit> test;
    RawSplit train, dev;
    const Encoding enc = o.count("encoding") ? parseEncoding(o["encoding"]) : Encoding::Utf8;
    if (kind == "lines") {
        train = readLines(trainPath, opt, task.skippedRows, enc);
        if (o.count("dev")) dev = readLines(o["dev"], opt, task.skippedRows, enc);
        if (o.count("test")) test = readLines(o["test"], opt, task.skippedRows, enc);
    } else {
        const Format f = formatFromPath(trainPath);
        Table t = readTable(trainPath, f, true, enc);
        Columns c{o.count("text") ? o["text"] : (t.hasColumn("text") || !t.hasColumn("sentence") ? "text" : "sentence"),
                  o.count("text_pair") ? o["text_pair"] : "", o.count("label") ? o["label"] : "label"};
        task.pairs = !c.pair.empty();
        train = fromTable(t, c, false, false, opt, task.skippedRows);
        if (!train.labeled) throw Error(trainPath + ": no label column '" + c.label + "'");
        const auto other = [&](const std::string& p) {
            return fromTable(readTable(p, formatFromPath(p), true, enc), c, false, false, opt, task.skippedRows);
        };
        if (o.count("dev")) dev = other(o["dev"]);
        if (o.count("test")) test = other(o["test"]);
    }
    if (!o.count("dev")) {
        splitOffDev(train, dev, opt);
        task.devNote = dev.source;
    }
    assignLabels(task, train, dev, test);
    return task;
}

std::vector<std::string> taskMetrics(const TaskData& task) {
    if (task.regression) return {"spearman", "pearson"};
    if (task.mainMetric == "f1") return {"f1", "accuracy"};
    if (task.mainMetric == "matthews") return {"matthews", "accuracy"};
    return {"accuracy"};
}

} // namespace adapterlab::data
