#include "pretrain/corpus.h"

#include "data/task_loader.h"
#include "text/utf8.h"
#include "text/wordnet.h"
#include "util/atomic_file.h"
#include "util/error.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <unordered_set>

#include <nlohmann/json.hpp>
#include <zlib.h>

namespace adapterlab::pretrain {
namespace fs = std::filesystem;
namespace {

std::string collapse(const std::string& s) {
    std::string out;
    bool space = false;
    for (size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (i + 1 < s.size() && s[i + 1] == '\b') { // terminal overstrike "_\bx"
            ++i;
            continue;
        }
        if (c < 0x20 || c == 0x7f || std::isspace(c)) {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += static_cast<char>(c);
    }
    return out;
}

int64_t wordCount(const std::string& s) {
    return std::count(s.begin(), s.end(), ' ') + (s.empty() ? 0 : 1);
}

struct Stopped {}; // thrown by Writer when cancelled, caught by buildCorpus

class Writer {
public:
    Writer(std::ofstream& out, CorpusReport& report, const std::atomic<bool>* cancel)
        : out_(out), report_(report), cancel_(cancel) {}
    void begin(const std::string& source) { report_.sources.push_back({source}); }
    // One document: its paragraphs' sentences, deduplicated across the whole corpus.
    void document(const std::vector<std::string>& paragraphs) {
        if (cancel_ && cancel_->load()) throw Stopped{};
        std::vector<std::string> kept;
        for (const auto& p : paragraphs)
            for (auto& s : splitSentences(p)) {
                if (wordCount(s) < 3 || !text::isValidUtf8(s)) continue;
                if (!seen_.insert(std::hash<std::string>{}(s)).second) {
                    ++report_.duplicateSentences;
                    continue;
                }
                kept.push_back(std::move(s));
            }
        if (kept.empty()) return;
        auto& src = report_.sources.back();
        for (const auto& s : kept) {
            out_ << s << '\n';
            ++src.sentences;
            src.words += wordCount(s);
        }
        out_ << '\n';
        ++src.documents;
    }

private:
    std::ofstream& out_;
    CorpusReport& report_;
    std::unordered_set<size_t> seen_;
    const std::atomic<bool>* cancel_;
};

// WordNet: each synset's gloss (definition and usage examples) is a small document.
void addWordNet(const fs::path& dir, Writer& w) {
    for (const char* f : {"data.noun", "data.verb", "data.adj", "data.adv"})
        text::forEachSynset((dir / f).string(), [&](const text::Synset& synset) {
            std::vector<std::string> sentences;
            for (auto& p : text::glossParts(synset.gloss)) {
                p = collapse(p);
                if (p.empty()) continue;
                if (p.back() != '.' && p.back() != '!' && p.back() != '?') p += '.';
                p[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(p[0])));
                sentences.push_back(p);
            }
            w.document(sentences);
        });
}

// How a text's lines make documents; within a document, blank lines separate paragraphs.
enum class Layout {
    BlankLineDocuments, ///< plain text: each paragraph is a document
    PercentDocuments,   ///< fortune files: "%" lines end a document (a cookie)
    OneDocument,        ///< a dictionary entry: the whole text
};

void addText(std::istream& in, Writer& w, Layout layout) {
    std::string line, paragraph;
    std::vector<std::string> doc;
    const auto endParagraph = [&] {
        if (!paragraph.empty()) doc.push_back(collapse(paragraph));
        paragraph.clear();
    };
    const auto endDocument = [&] {
        endParagraph();
        w.document(doc);
        doc.clear();
    };
    while (std::getline(in, line)) {
        const bool blank = line.find_first_not_of(" \t\r") == std::string::npos;
        if (layout == Layout::PercentDocuments && line == "%") {
            endDocument();
        } else if (blank) {
            if (layout == Layout::BlankLineDocuments)
                endDocument();
            else
                endParagraph();
        } else {
            paragraph += line + ' ';
        }
    }
    endDocument();
}

void addTextFile(const fs::path& file, Writer& w, Layout layout) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error("cannot read '" + file.string() + "'");
    addText(in, w, layout);
}

// dictd numbers: base64 digits, most significant first ("A" = 0 ... "/" = 63).
int64_t dictdNumber(const std::string& digits) {
    static const std::string alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (digits.empty() || digits.size() > 10) return -1;
    int64_t v = 0;
    for (char c : digits) {
        const size_t d = alphabet.find(c);
        if (d == std::string::npos) return -1;
        v = v * 64 + static_cast<int64_t>(d);
    }
    return v;
}

// The whole text of NAME.dict.dz (gzip; dictzip is gzip with random-access hints) or NAME.dict.
std::string readDictText(const fs::path& stem) {
    const fs::path plain = stem.string() + ".dict", packed = stem.string() + ".dict.dz";
    if (fs::exists(plain)) {
        std::ifstream in(plain, std::ios::binary);
        if (!in) throw Error("cannot read '" + plain.string() + "'");
        return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    }
    gzFile f = gzopen(packed.string().c_str(), "rb");
    if (!f) throw Error("cannot read '" + packed.string() + "'");
    std::string text;
    char buf[1 << 16];
    int n = 0;
    while ((n = gzread(f, buf, sizeof buf)) > 0)
        text.append(buf, static_cast<size_t>(n));
    int code = Z_OK;
    const std::string why = n < 0 ? gzerror(f, &code) : "";
    const bool raw = gzdirect(f) != 0; // zlib passes non-gzip input through unchanged
    gzclose(f);
    if (n < 0 || raw)
        throw Error("'" + packed.string() + "' is not a readable gzip file" +
                    (why.empty() ? "" : " (" + why + ")"));
    return text;
}

// Removes [bracketed] spans (etymology, sources such as "[1913 Webster]", usage labels), even
// across lines, \pronunciation\ spans and the braces of {cross references} (keeping the words),
// and "--Author." citations to the end of their line (a spaced " -- " dash stays).
std::string cleanDictEntry(const std::string& e) {
    std::string out;
    int depth = 0;
    bool pron = false;
    for (size_t i = 0; i < e.size(); ++i) {
        const char c = e[i];
        if (c == '[')
            ++depth;
        else if (c == ']' && depth > 0)
            --depth;
        else if (depth > 0)
            continue;
        else if (c == '\\')
            pron = !pron;
        else if (pron || c == '{' || c == '}')
            continue;
        else if (c == '-' && i + 2 < e.size() && e[i + 1] == '-' &&
                 std::isupper(static_cast<unsigned char>(e[i + 2]))) {
            while (i < e.size() && e[i] != '\n')
                ++i;
            out += '\n';
        } else
            out += c;
    }
    return out;
}

// A dictd database (dict-gcide, dict-devil): NAME.index lines "headword TAB offset TAB length"
// point into the text; each entry is a document. GCIDE puts headword, pronunciation and part of
// speech on the entry's first line (dropped); the Devil's Dictionary starts the definition on
// it after "HEADWORD, pos." (that prefix is dropped).
void addDictd(const fs::path& stem, bool definitionOnFirstLine, Writer& w) {
    const fs::path indexPath = stem.string() + ".index";
    std::ifstream index(indexPath);
    if (!index) throw Error("cannot read '" + indexPath.string() + "'");
    const std::string text = readDictText(stem);
    std::vector<std::pair<int64_t, int64_t>> spans;
    std::string line;
    for (int64_t lineNo = 1; std::getline(index, line); ++lineNo) {
        const size_t t1 = line.find('\t'),
                     t2 = t1 == std::string::npos ? t1 : line.find('\t', t1 + 1);
        if (t2 == std::string::npos)
            throw Error(indexPath.string() + ":" + std::to_string(lineNo) +
                        ": not 'headword TAB offset TAB length'");
        if (line.rfind("00database", 0) == 0 || line.rfind("00-database", 0) == 0)
            continue; // metadata
        const int64_t off = dictdNumber(line.substr(t1 + 1, t2 - t1 - 1));
        const int64_t len = dictdNumber(line.substr(t2 + 1));
        if (off < 0 || len < 0 || off + len > static_cast<int64_t>(text.size()))
            throw Error(indexPath.string() + ":" + std::to_string(lineNo) +
                        ": offset or length is not a dictd number "
                        "inside the " +
                        std::to_string(text.size()) + "-byte text");
        spans.emplace_back(off, len);
    }
    // Several headwords can share one entry.
    std::sort(spans.begin(), spans.end());
    spans.erase(std::unique(spans.begin(), spans.end()), spans.end());
    for (const auto& [off, len] : spans) {
        std::string entry =
            cleanDictEntry(text.substr(static_cast<size_t>(off), static_cast<size_t>(len)));
        const size_t eol = entry.find('\n');
        if (!definitionOnFirstLine) {
            entry = eol == std::string::npos ? "" : entry.substr(eol + 1);
        } else {
            // "ABNORMAL, adj.  Not conforming ..." -> "Not conforming ..."
            const size_t comma = entry.find(',');
            if (comma != std::string::npos && comma < eol) {
                size_t i = comma + 1;
                // Skip part-of-speech abbreviations such as "n.", "adj.", "v.t." on the first line;
                // each word taken ends after `start`, so the loop always advances.
                for (;;) {
                    const size_t start = entry.find_first_not_of(' ', i);
                    if (start == std::string::npos || start >= eol) break;
                    const size_t end = std::min(entry.find(' ', start), eol);
                    if (end - start > 6 || entry[end - 1] != '.') break;
                    i = end;
                }
                entry = entry.substr(i);
            }
        }
        // Blank lines separate the entry's paragraphs (senses, quotations).
        std::istringstream in(entry);
        addText(in, w, Layout::OneDocument);
    }
}

// A task's training text: each example (its text and, for pairs, its second text) a document.
void addTaskText(const std::string& spec, Writer& w) {
    const data::TaskData task = data::loadTask(spec);
    w.begin("task " + task.name + " (training text, labels not read)");
    for (const auto& e : task.train.examples) {
        std::vector<std::string> paragraphs{collapse(e.text)};
        if (e.pair) paragraphs.push_back(collapse(*e.pair));
        w.document(paragraphs);
    }
}

// The user's paths and tasks, then the Debian text that is installed.
void addSources(const CorpusOptions& options, Writer& w) {
    for (const auto& path : options.paths) {
        w.begin(path);
        if (fs::is_directory(path)) {
            std::vector<fs::path> files;
            for (const auto& e : fs::recursive_directory_iterator(path))
                if (e.is_regular_file() &&
                    (e.path().extension() == ".txt" || e.path().extension() == ".md"))
                    files.push_back(e.path());
            std::sort(files.begin(), files.end());
            for (const auto& f : files)
                addTextFile(f, w, Layout::BlankLineDocuments);
        } else if (fs::is_regular_file(path)) {
            addTextFile(path, w, Layout::BlankLineDocuments);
        } else {
            throw Error("corpus source '" + path + "' is neither a file nor a folder");
        }
    }
    for (const auto& spec : options.taskTexts)
        addTaskText(spec, w);
    if (options.debianText) {
        const fs::path wordnet = fs::path(options.root) / "wordnet";
        if (fs::exists(wordnet / "data.noun")) {
            w.begin("wordnet (wordnet-base)");
            addWordNet(wordnet, w);
        }
        const fs::path fortunes = fs::path(options.root) / "games/fortunes";
        if (fs::is_directory(fortunes)) {
            w.begin("fortunes (fortunes, fortunes-min)");
            std::vector<fs::path> files;
            for (const auto& e : fs::directory_iterator(fortunes))
                if (e.is_regular_file() && !e.path().has_extension()) files.push_back(e.path());
            std::sort(files.begin(), files.end());
            for (const auto& f : files)
                addTextFile(f, w, Layout::PercentDocuments);
        }
        const fs::path dictd = fs::path(options.root) / "dictd";
        if (fs::exists(dictd / "gcide.index")) {
            w.begin("gcide (dict-gcide)");
            addDictd(dictd / "gcide", false, w);
        }
        if (fs::exists(dictd / "devil.index")) {
            w.begin("devil (dict-devil)");
            addDictd(dictd / "devil", true, w);
        }
    }
}

// The report's totals are the sum of its sources.
void addTotals(CorpusReport& r) {
    for (const auto& s : r.sources) {
        r.documents += s.documents;
        r.sentences += s.sentences;
        r.words += s.words;
    }
}

} // namespace

std::vector<std::string> splitSentences(const std::string& paragraph) {
    const std::string p = collapse(paragraph);
    std::vector<std::string> out;
    size_t start = 0;
    for (size_t i = 0; i + 2 < p.size(); ++i) {
        if ((p[i] == '.' || p[i] == '!' || p[i] == '?') && p[i + 1] == ' ') {
            const auto next = static_cast<unsigned char>(p[i + 2]);
            if (std::isupper(next) || std::isdigit(next) || next == '"' || next == '\'') {
                out.push_back(p.substr(start, i + 1 - start));
                start = i + 2;
            }
        }
    }
    if (start < p.size()) out.push_back(p.substr(start));
    return out;
}

CorpusReport buildCorpus(const CorpusOptions& options, const std::string& outFile) {
    CorpusReport report;
    try {
        writeFileAtomically(outFile, [&](const std::string& tmp) {
            report = {}; // a retried write starts over
            std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
            if (!out) throw Error("cannot write the corpus '" + outFile + "'");
            Writer w(out, report, options.cancel);
            addSources(options, w);
            out.close();
            addTotals(report);
            if (report.sentences == 0)
                throw Error("the corpus is empty: name text files or folders, or install "
                            "wordnet-base and fortunes");
            if (!out) throw Error("cannot write the corpus '" + outFile + "'");
        });
    } catch (const Stopped&) {
        report.cancelled = true; // no half-written corpus: the writer removed it
    }
    return report;
}

nlohmann::json corpusReportJson(const CorpusReport& report) {
    auto sources = nlohmann::json::array();
    for (const auto& s : report.sources)
        sources.push_back({{"name", s.name},
                           {"documents", s.documents},
                           {"sentences", s.sentences},
                           {"words", s.words}});
    return {{"sources", sources}, {"duplicate_sentences", report.duplicateSentences}};
}

CorpusReport corpusReportFromJson(const nlohmann::json& j) {
    CorpusReport r;
    for (const auto& s : j.at("sources")) {
        r.sources.push_back({s.at("name").get<std::string>(), s.at("documents").get<int64_t>(),
                             s.at("sentences").get<int64_t>(), s.at("words").get<int64_t>()});
    }
    addTotals(r);
    r.duplicateSentences = j.at("duplicate_sentences").get<int64_t>();
    return r;
}

} // namespace adapterlab::pretrain
