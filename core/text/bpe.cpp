#include "text/bpe.h"

#include "text/utf8.h"
#include "util/error.h"
#include "util/json_file.h"

#include <nlohmann/json.hpp>
#include <unicode/regex.h>
#include <unicode/unistr.h>

#include <climits>
#include <fstream>

namespace adapterlab::text {
namespace {

// GPT-2's pre-tokenisation (encoder.py), as transformers and tokenizers' ByteLevel use it.
const char16_t* const kPattern =
    u"'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

// bytes_to_unicode(): printable Latin-1 bytes keep their code point, the other 68 bytes take
// 256, 257, … in byte order.
std::vector<std::string> byteCharacters() {
    std::vector<std::string> out(256);
    int next = 256;
    for (int b = 0; b < 256; ++b) {
        const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
        std::string s;
        appendUtf8(s, static_cast<char32_t>(printable ? b : next++));
        out[static_cast<size_t>(b)] = s;
    }
    return out;
}

} // namespace

std::optional<Merge> parseMerge(const std::string& line) {
    const auto sp = line.find(' ');
    if (sp == std::string::npos || sp == 0 || sp + 1 == line.size() ||
        line.find(' ', sp + 1) != std::string::npos)
        return std::nullopt;
    return Merge{line.substr(0, sp), line.substr(sp + 1)};
}

struct ByteLevelBpe::Pattern {
    std::unique_ptr<icu::RegexPattern> regex;
};

ByteLevelBpe::ByteLevelBpe(std::unordered_map<std::string, int32_t> vocab,
                           std::vector<std::pair<std::string, std::string>> merges,
                           BpeOptions options, const std::string& origin)
    : vocab_(std::move(vocab)), byteChar_(byteCharacters()), options_(std::move(options)) {
    if (vocab_.empty()) throw Error(origin + ": the vocabulary is empty");
    int32_t top = -1;
    for (const auto& [t, id] : vocab_) {
        if (id < 0 || id > 10'000'000)
            throw Error(origin + ": token id " + std::to_string(id) + " is out of range");
        top = std::max(top, id);
    }
    tokens_.assign(static_cast<size_t>(top) + 1, std::string());
    for (const auto& [t, id] : vocab_)
        tokens_[static_cast<size_t>(id)] = t;
    ranks_.reserve(merges.size());
    for (size_t i = 0; i < merges.size(); ++i)
        ranks_.emplace(merges[i].first + " " + merges[i].second, static_cast<int>(i));
    const auto id = [&](const std::string& name) {
        const auto it = vocab_.find(name);
        return it == vocab_.end() ? -1 : it->second;
    };
    special_ = {id(options_.cls), id(options_.sep), std::max(0, id(options_.pad)), id(options_.unk),
                id(options_.mask)};
    framing_ = options_.framing;
    if (special_.cls < 0 || special_.sep < 0)
        throw Error(origin + ": the vocabulary lacks the special tokens '" + options_.cls +
                    "' and '" + options_.sep + "'");
    UErrorCode status = U_ZERO_ERROR;
    UParseError parse;
    pattern_ = std::make_unique<Pattern>();
    pattern_->regex.reset(icu::RegexPattern::compile(icu::UnicodeString(kPattern), parse, status));
    if (U_FAILURE(status)) throw Error(std::string("ICU regex: ") + u_errorName(status));
}

ByteLevelBpe::~ByteLevelBpe() = default;

std::shared_ptr<ByteLevelBpe> ByteLevelBpe::fromFiles(const std::string& vocabJson,
                                                      const std::string& mergesTxt,
                                                      BpeOptions options) {
    const nlohmann::json j = readJsonFile(vocabJson, "BPE vocabulary");
    if (!j.is_object()) throw Error(vocabJson + ": expected an object of token: id");
    std::unordered_map<std::string, int32_t> vocab;
    for (const auto& [t, v] : j.items()) {
        if (!v.is_number_integer())
            throw Error(vocabJson + ": the id of '" + t + "' is not an integer");
        vocab.emplace(t, v.get<int32_t>());
    }
    std::ifstream in(mergesTxt, std::ios::binary);
    if (!in) throw Error("cannot read BPE merges '" + mergesTxt + "'");
    std::vector<std::pair<std::string, std::string>> merges;
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.empty() || (n == 1 && line.rfind("#version", 0) == 0)) continue;
        auto merge = parseMerge(line);
        if (!merge)
            throw Error(mergesTxt + ":" + std::to_string(n) +
                        ": expected two tokens separated by a space");
        merges.push_back(std::move(*merge));
    }
    return std::make_shared<ByteLevelBpe>(std::move(vocab), std::move(merges), std::move(options),
                                          vocabJson);
}

std::string ByteLevelBpe::token(int32_t id) const {
    if (id < 0 || static_cast<size_t>(id) >= tokens_.size())
        throw Error("token id " + std::to_string(id) + " is out of range");
    return tokens_[static_cast<size_t>(id)];
}

std::vector<std::string> ByteLevelBpe::preTokenize(std::string_view text) const {
    std::vector<std::string> out;
    const icu::UnicodeString u = icu::UnicodeString::fromUTF8(
        icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::RegexMatcher> m(pattern_->regex->matcher(u, status));
    if (U_FAILURE(status)) throw Error(std::string("ICU regex: ") + u_errorName(status));
    while (m->find(status) && U_SUCCESS(status)) {
        const int32_t from = m->start(status), to = m->end(status);
        std::string piece;
        u.tempSubStringBetween(from, to).toUTF8String(piece);
        out.push_back(std::move(piece));
    }
    return out;
}

void ByteLevelBpe::bpe(const std::string& mapped, std::vector<int32_t>& out) const {
    // Symbols: the mapped word's characters; merge the best-ranked adjacent pair everywhere
    // (left to right) until no pair has a rank: GPT-2's bpe().
    std::vector<std::string> syms;
    for (size_t pos = 0; pos < mapped.size();) {
        const size_t start = pos;
        decodeUtf8(mapped, pos);
        syms.push_back(mapped.substr(start, pos - start));
    }
    std::string key;
    while (syms.size() > 1) {
        int best = INT_MAX;
        size_t at = 0;
        for (size_t i = 0; i + 1 < syms.size(); ++i) {
            key.assign(syms[i]).append(" ").append(syms[i + 1]);
            const auto it = ranks_.find(key);
            if (it != ranks_.end() && it->second < best) {
                best = it->second;
                at = i;
            }
        }
        if (best == INT_MAX) break;
        const std::string first = syms[at], second = syms[at + 1];
        std::vector<std::string> merged;
        merged.reserve(syms.size());
        for (size_t i = 0; i < syms.size();) {
            if (i + 1 < syms.size() && syms[i] == first && syms[i + 1] == second) {
                merged.push_back(first + second);
                i += 2;
            } else {
                merged.push_back(std::move(syms[i]));
                ++i;
            }
        }
        syms = std::move(merged);
    }
    for (const auto& s : syms) {
        const auto it = vocab_.find(s);
        out.push_back(it != vocab_.end() ? it->second : special_.unk);
    }
}

std::vector<int32_t> ByteLevelBpe::tokenizeToIds(std::string_view text) const {
    std::string prefixed;
    if (options_.addPrefixSpace && !text.empty() && text.front() != ' ') {
        prefixed = " " + std::string(text);
        text = prefixed;
    }
    std::vector<int32_t> ids;
    std::string mapped;
    for (const std::string& piece : preTokenize(text)) {
        {
            std::lock_guard<std::mutex> lock(cacheMutex_);
            if (const auto it = cache_.find(piece); it != cache_.end()) {
                ids.insert(ids.end(), it->second.begin(), it->second.end());
                continue;
            }
        }
        mapped.clear();
        for (unsigned char c : piece)
            mapped += byteChar_[c];
        std::vector<int32_t> pieceIds;
        bpe(mapped, pieceIds);
        ids.insert(ids.end(), pieceIds.begin(), pieceIds.end());
        std::lock_guard<std::mutex> lock(cacheMutex_);
        if (cache_.size() < 200'000) cache_.emplace(piece, std::move(pieceIds));
    }
    return ids;
}

} // namespace adapterlab::text
