#include "text/wordpiece_trainer.h"

#include "text/tokenizer.h"
#include "util/error.h"

#include <algorithm>
#include <map>
#include <queue>
#include <set>
#include <tuple>

namespace adapterlab::text {
namespace {

const WordPieceTokenizer& basic(bool lowerCase) {
    // basicTokenize needs no real vocabulary; the specials satisfy Vocab's checks.
    static const WordPieceTokenizer lower(
        Vocab::fromTokens({"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}), {true, 100});
    static const WordPieceTokenizer cased(
        Vocab::fromTokens({"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"}), {false, 100});
    return lowerCase ? lower : cased;
}

// UTF-8 characters of a word.
std::vector<std::string> characters(const std::string& w) {
    std::vector<std::string> out;
    for (size_t i = 0; i < w.size();) {
        const auto c = static_cast<unsigned char>(w[i]);
        const size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
        out.push_back(w.substr(i, n));
        i += n;
    }
    return out;
}

using Pair = std::pair<int, int>;

} // namespace

WordPieceTrainer::WordPieceTrainer(WordPieceTrainerOptions options) : options_(options) {
    if (options_.vocabSize < 16) throw Error("WordPiece vocabulary size must be at least 16");
}

void WordPieceTrainer::addText(const std::string& text) {
    for (auto& w : basic(options_.lowerCase).basicTokenize(text)) {
        ++counts_[w];
        ++total_;
    }
}

Vocab WordPieceTrainer::train() const {
    const std::vector<std::string> specials = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
    // Sorted words make symbol ids and tie-breaks independent of hash order.
    std::vector<std::pair<std::string, int64_t>> words(counts_.begin(), counts_.end());
    std::sort(words.begin(), words.end());

    // Alphabet: characters seen at least minFrequency times, as word starts and continuations.
    std::map<std::string, int64_t> charCount;
    for (const auto& [w, n] : words)
        for (const auto& c : characters(w)) charCount[c] += n;
    std::vector<std::string> symbols; // id -> piece
    std::map<std::string, int> ids;
    const auto symbol = [&](const std::string& s) {
        const auto it = ids.find(s);
        if (it != ids.end()) return it->second;
        ids.emplace(s, static_cast<int>(symbols.size()));
        symbols.push_back(s);
        return static_cast<int>(symbols.size()) - 1;
    };
    for (const auto& [c, n] : charCount)
        if (n >= options_.minFrequency) symbol(c);
    for (const auto& [c, n] : charCount)
        if (n >= options_.minFrequency) symbol("##" + c);

    // Words as symbol sequences; words with an unlearnt character take no part in merges.
    std::vector<std::vector<int>> seqs;
    std::vector<int64_t> freq;
    for (const auto& [w, n] : words) {
        std::vector<int> s;
        bool ok = true;
        const auto cs = characters(w);
        for (size_t i = 0; i < cs.size() && ok; ++i) {
            const auto it = ids.find(i == 0 ? cs[i] : "##" + cs[i]);
            ok = it != ids.end();
            if (ok) s.push_back(it->second);
        }
        if (ok && s.size() > 1) {
            seqs.push_back(std::move(s));
            freq.push_back(n);
        }
    }
    std::map<Pair, int64_t> pairCount;
    std::map<Pair, std::set<size_t>> where;
    std::set<Pair> changed; // pairs whose count moved during one merge
    const auto addPairs = [&](size_t w, int64_t sign) {
        const auto& s = seqs[w];
        for (size_t i = 0; i + 1 < s.size(); ++i) {
            const Pair p{s[i], s[i + 1]};
            pairCount[p] += sign * freq[w];
            changed.insert(p);
            if (sign > 0) where[p].insert(w); // stale entries are harmless: words are re-scanned
        }
    };
    for (size_t w = 0; w < seqs.size(); ++w) addPairs(w, +1);
    // Max-heap of (count, -pair) with lazy invalidation: stale entries are skipped.
    using Entry = std::tuple<int64_t, int, int>;
    std::priority_queue<Entry> heap;
    for (const auto& [p, n] : pairCount) heap.emplace(n, -p.first, -p.second);

    std::vector<std::string> merged;
    const size_t budget = options_.vocabSize - specials.size();
    while (symbols.size() < budget && !heap.empty()) {
        const auto [n, na, nb] = heap.top();
        heap.pop();
        const Pair p{-na, -nb};
        const auto it = pairCount.find(p);
        if (it == pairCount.end() || it->second != n) continue; // stale
        if (n < options_.minFrequency) break;
        const std::string& b = symbols[p.second];
        const int m = symbol(symbols[p.first] + b.substr(2)); // "un" + "##aff" -> "unaff"
        merged.push_back(symbols[m]);
        const std::set<size_t> affected = std::move(where[p]);
        where.erase(p);
        changed.clear();
        for (size_t w : affected) {
            addPairs(w, -1);
            auto& s = seqs[w];
            std::vector<int> out;
            for (size_t i = 0; i < s.size(); ++i) {
                if (i + 1 < s.size() && s[i] == p.first && s[i + 1] == p.second) {
                    out.push_back(m);
                    ++i;
                } else {
                    out.push_back(s[i]);
                }
            }
            s.swap(out);
            addPairs(w, +1);
        }
        pairCount.erase(p);
        changed.erase(p);
        for (const auto& q : changed) {
            const auto c = pairCount.find(q);
            if (c != pairCount.end() && c->second > 0) heap.emplace(c->second, -q.first, -q.second);
        }
    }
    std::vector<std::string> tokens = specials;
    for (const auto& s : symbols) tokens.push_back(s);
    return Vocab::fromTokens(std::move(tokens), "trained WordPiece vocabulary");
}

} // namespace adapterlab::text
