#include "pretrain/corpus.h"

#include "text/utf8.h"
#include "util/error.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <unordered_set>

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

class Writer {
public:
    Writer(std::ofstream& out, CorpusReport& report) : out_(out), report_(report) {}
    void begin(const std::string& source) {
        report_.sources.push_back({source});
    }
    // One document: its paragraphs' sentences, deduplicated across the whole corpus.
    void document(const std::vector<std::string>& paragraphs) {
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
};

// WordNet: each synset's gloss (definition and usage examples) is a small document.
void addWordNet(const fs::path& dir, Writer& w) {
    for (const char* f : {"data.noun", "data.verb", "data.adj", "data.adv"}) {
        std::ifstream in(dir / f);
        if (!in) throw Error("cannot read '" + (dir / f).string() + "'");
        std::string line;
        while (std::getline(in, line)) {
            const size_t bar = line.find(" | ");
            if (line.empty() || line[0] == ' ' || bar == std::string::npos) continue;
            std::string gloss = line.substr(bar + 3);
            std::vector<std::string> parts;
            // "definition; "example one"; "example two"" -> sentences.
            std::string cur;
            bool quoted = false;
            for (char c : gloss) {
                if (c == '"') {
                    quoted = !quoted;
                    continue;
                }
                if (c == ';' && !quoted) {
                    parts.push_back(cur);
                    cur.clear();
                    continue;
                }
                cur += c;
            }
            parts.push_back(cur);
            std::vector<std::string> sentences;
            for (auto& p : parts) {
                p = collapse(p);
                if (p.empty()) continue;
                if (p.back() != '.' && p.back() != '!' && p.back() != '?') p += '.';
                p[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(p[0])));
                sentences.push_back(p);
            }
            w.document(sentences);
        }
    }
}

// Fortune files: "%"-separated cookies, each a document.
void addTextFile(const fs::path& file, Writer& w, bool percentSeparated) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error("cannot read '" + file.string() + "'");
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
        if (percentSeparated && line == "%") {
            endDocument();
        } else if (blank) {
            if (percentSeparated) endParagraph();
            else endDocument(); // plain text: a blank line ends a paragraph-document
        } else {
            paragraph += line + ' ';
        }
    }
    endDocument();
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
    const std::string tmp = outFile + ".tmp";
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw Error("cannot write the corpus '" + outFile + "'");
    Writer w(out, report);
    for (const auto& path : options.paths) {
        w.begin(path);
        if (fs::is_directory(path)) {
            std::vector<fs::path> files;
            for (const auto& e : fs::recursive_directory_iterator(path))
                if (e.is_regular_file() && (e.path().extension() == ".txt" || e.path().extension() == ".md"))
                    files.push_back(e.path());
            std::sort(files.begin(), files.end());
            for (const auto& f : files) addTextFile(f, w, false);
        } else if (fs::is_regular_file(path)) {
            addTextFile(path, w, false);
        } else {
            throw Error("corpus source '" + path + "' is neither a file nor a folder");
        }
    }
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
            for (const auto& f : files) addTextFile(f, w, true);
        }
    }
    out.close();
    for (const auto& s : report.sources) {
        report.documents += s.documents;
        report.sentences += s.sentences;
        report.words += s.words;
    }
    if (!out || report.sentences == 0) {
        fs::remove(tmp);
        throw Error(report.sentences == 0 ? "the corpus is empty: name text files or folders, or install "
                                            "wordnet-base and fortunes"
                                          : "cannot write the corpus '" + outFile + "'");
    }
    fs::rename(tmp, outFile);
    return report;
}

} // namespace adapterlab::pretrain
