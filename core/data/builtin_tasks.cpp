#include "data/builtin_tasks.h"

#include "text/utf8.h"
#include "text/wordnet.h"
#include "util/error.h"
#include "util/seeded.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>

namespace adapterlab::data {
namespace fs = std::filesystem;
namespace {

constexpr uint64_t kSplitSeed = 20261129; // fixes every built-in split; documented

struct Def {
    const char* name;
    const char* description;
    const char* package;
    const char* source; // relative to the root (/usr/share)
};

const Def kDefs[] = {
    {"wordnet-pos", "WordNet definition → part of speech (noun, verb, adjective, adverb)",
     "wordnet-base", "wordnet"},
    {"wordnet-supersense", "WordNet noun definition → one of 25 supersenses (animal, food, act, …)",
     "wordnet-base", "wordnet"},
    {"fortune-topic", "fortune cookie → its topic (computers, politics, science, work, … 10 topics)",
     "fortunes", "games/fortunes"},
};

const Def& definition(const std::string& name) {
    for (const auto& d : kDefs)
        if (name == d.name) return d;
    std::string names;
    for (const auto& d : kDefs) names += std::string(names.empty() ? "" : ", ") + d.name;
    throw Error("unknown built-in task '" + name + "' (" + names + ")");
}

// WordNet's lexicographer files (lexnames(5WN)), by number.
const char* const kLexNames[] = {
    "adj.all", "adj.pert", "adv.all", "noun.Tops", "noun.act", "noun.animal", "noun.artifact",
    "noun.attribute", "noun.body", "noun.cognition", "noun.communication", "noun.event",
    "noun.feeling", "noun.food", "noun.group", "noun.location", "noun.motive", "noun.object",
    "noun.person", "noun.phenomenon", "noun.plant", "noun.possession", "noun.process",
    "noun.quantity", "noun.relation", "noun.shape", "noun.state", "noun.substance", "noun.time",
    "verb.body", "verb.change", "verb.cognition", "verb.communication", "verb.competition",
    "verb.consumption", "verb.contact", "verb.creation", "verb.emotion", "verb.motion",
    "verb.perception", "verb.possession", "verb.social", "verb.stative", "verb.weather", "adj.ppl"};

struct Labelled {
    std::string text, label;
};

// The synsets of a WordNet data file as (definition, label) pairs.
void readWordNet(const fs::path& path, bool supersense, std::vector<Labelled>& out) {
    text::forEachSynset(path.string(), [&](const text::Synset& synset) {
        const std::string text = text::glossDefinition(synset.gloss);
        if (text.empty() || synset.lexFile < 0 ||
            synset.lexFile >= static_cast<int>(std::size(kLexNames)))
            return;
        if (supersense) {
            const std::string lex = kLexNames[synset.lexFile];
            if (lex.rfind("noun.", 0) != 0 || lex == "noun.Tops") return;
            out.push_back({text, lex.substr(5)});
        } else {
            static const std::map<char, std::string> pos = {
                {'n', "noun"}, {'v', "verb"}, {'a', "adjective"}, {'s', "adjective"}, {'r', "adverb"}};
            const auto it = pos.find(synset.type);
            if (it == pos.end())
                throw Error(path.string() + ": unknown synset type '" +
                            std::string(1, synset.type) + "'");
            out.push_back({text, it->second});
        }
    });
}

// Fortune files: cookies separated by "%" lines; overstrike ("_\bx") removed, attributions kept
// out (a trailing "-- Name" line says who, not what about).
void readFortunes(const fs::path& path, const std::string& topic, std::vector<Labelled>& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot open '" + path.string() + "'");
    std::string line, cookie;
    const auto flush = [&] {
        std::string clean;
        for (size_t i = 0; i < cookie.size(); ++i) {
            if (i + 1 < cookie.size() && cookie[i + 1] == '\b') {
                ++i; // "c\b" overstrike: keep what follows
                continue;
            }
            clean += cookie[i] == '\n' || cookie[i] == '\t' ? ' ' : cookie[i];
        }
        clean = text::trimmed(clean);
        if (!clean.empty() && text::isValidUtf8(clean)) out.push_back({clean, topic});
        cookie.clear();
    };
    while (std::getline(in, line)) {
        if (line == "%") {
            flush();
            continue;
        }
        const std::string t = text::trimmed(line);
        if (t.rfind("--", 0) == 0 || t.rfind("~~", 0) == 0) continue;
        cookie += line + '\n';
    }
    flush();
}

// Per class (sorted by name): 10% (at most capEval) to dev, 10% to test, the rest (at most
// capTrain) to train. Texts seen with two labels are dropped; duplicates kept once.
TaskData split(const std::string& name, std::vector<Labelled> all, size_t capTrain, size_t capEval,
               const std::string& source) {
    std::map<std::string, std::set<std::string>> labelsOf;
    for (const auto& e : all) labelsOf[e.text].insert(e.label);
    std::map<std::string, std::vector<std::string>> byLabel;
    std::set<std::string> seen;
    for (auto& e : all)
        if (labelsOf[e.text].size() == 1 && seen.insert(e.text).second) byLabel[e.label].push_back(std::move(e.text));
    TaskData task;
    task.name = name;
    task.mainMetric = "accuracy";
    for (const auto& [label, texts] : byLabel) task.labels.push_back(label);
    task.test = Split{};
    std::mt19937_64 rng(kSplitSeed);
    int id = 0;
    for (auto& [label, texts] : byLabel) {
        seededShuffle(texts, rng);
        const size_t nEval = std::min(capEval, texts.size() / 10);
        size_t k = 0;
        for (; k < nEval; ++k) task.dev.examples.push_back({texts[k], std::nullopt, id, 0.f});
        for (; k < 2 * nEval; ++k) task.test->examples.push_back({texts[k], std::nullopt, id, 0.f});
        for (size_t t = 0; k < texts.size() && t < capTrain; ++k, ++t)
            task.train.examples.push_back({texts[k], std::nullopt, id, 0.f});
        ++id;
    }
    // Classes were appended in blocks; mix them (batches are shuffled anyway, but files and
    // previews read better mixed).
    for (Split* s : {&task.train, &task.dev, &*task.test}) {
        seededShuffle(s->examples, rng);
        s->source = "builtin:" + name + " from " + source;
    }
    task.devNote = "fixed split (seed " + std::to_string(kSplitSeed) + ", per class 10% dev, 10% test)";
    return task;
}

} // namespace

std::vector<BuiltinTaskInfo> builtinTasks() {
    std::vector<BuiltinTaskInfo> out;
    for (const auto& d : kDefs) {
        const fs::path src = fs::path("/usr/share") / d.source;
        out.push_back({d.name, d.description, d.package, src.string(), fs::is_directory(src)});
    }
    return out;
}

TaskData loadBuiltinTask(const std::string& name, const std::string& root) {
    const Def& d = definition(name);
    const fs::path src = fs::path(root) / d.source;
    if (!fs::is_directory(src))
        throw Error("built-in task '" + name + "' reads " + src.string() + " from the Debian package " +
                    d.package + ", which is not installed (sudo apt-get install " + d.package + ")");
    std::vector<Labelled> all;
    if (name == "wordnet-pos") {
        for (const char* f : {"data.noun", "data.verb", "data.adj", "data.adv"}) readWordNet(src / f, false, all);
        return split(name, std::move(all), 5000, 500, src.string());
    }
    if (name == "wordnet-supersense") {
        readWordNet(src / "data.noun", true, all);
        return split(name, std::move(all), 1000, 100, src.string());
    }
    for (const char* topic : {"computers", "politics", "science", "work", "men-women", "art",
                              "literature", "law", "education", "drugs"})
        readFortunes(src / topic, topic, all);
    return split(name, std::move(all), 100000, 100000, src.string());
}

} // namespace adapterlab::data
