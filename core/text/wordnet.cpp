#include "text/wordnet.h"

#include "text/utf8.h"
#include "util/error.h"

#include <cstdlib>
#include <fstream>

namespace adapterlab::text {

void forEachSynset(const std::string& path, const std::function<void(const Synset&)>& f) {
    std::ifstream in(path);
    if (!in) throw Error("cannot open '" + path + "'");
    std::string line;
    size_t lineNo = 0;
    while (std::getline(in, line)) {
        ++lineNo;
        if (line.empty() || line[0] == ' ') continue; // the licence header
        // "offset(8) lexfile(2) type(1) ... | gloss"
        const size_t bar = line.find(" | ");
        if (bar == std::string::npos || line.size() < 15 || line[8] != ' ' || line[11] != ' ')
            throw Error(path + ":" + std::to_string(lineNo) + ": not a WordNet synset line");
        Synset s;
        s.lexFile = std::atoi(line.c_str() + 9);
        s.type = line[12];
        s.gloss = line.substr(bar + 3);
        f(s);
    }
}

std::string glossDefinition(const std::string& gloss) {
    size_t end = gloss.find("; \"");
    if (end == std::string::npos) end = gloss.find('"');
    return trimmed(gloss.substr(0, end == std::string::npos ? gloss.size() : end));
}

std::vector<std::string> glossParts(const std::string& gloss) {
    std::vector<std::string> parts;
    std::string cur;
    bool quoted = false;
    const auto flush = [&] {
        cur = trimmed(cur);
        if (!cur.empty()) parts.push_back(cur);
        cur.clear();
    };
    for (char c : gloss) {
        if (c == '"') {
            quoted = !quoted;
        } else if (c == ';' && !quoted) {
            flush();
        } else {
            cur += c;
        }
    }
    flush();
    return parts;
}

} // namespace adapterlab::text
