#include "text/text_tokenizer.h"

#include "util/error.h"

namespace adapterlab::text {

int TextTokenizer::specialCount(bool pair) const {
    if (!pair) return 2;
    return framing_ == Framing::Roberta ? 4 : 3;
}

Encoding TextTokenizer::encode(std::string_view a, std::optional<std::string_view> b,
                               int maxLength) const {
    const int specials = specialCount(b.has_value());
    if (maxLength < specials)
        throw Error("maximum sequence length " + std::to_string(maxLength) +
                    " leaves no room for the special tokens");
    std::vector<int32_t> ia = tokenizeToIds(a);
    std::vector<int32_t> ib = b ? tokenizeToIds(*b) : std::vector<int32_t>{};
    const size_t budget = static_cast<size_t>(maxLength - specials);
    // Longest first: drop one token at a time from the longer sequence (ties: the second).
    while (ia.size() + ib.size() > budget) {
        if (ia.size() > ib.size())
            ia.pop_back();
        else
            ib.pop_back();
    }
    Encoding e;
    const size_t n = ia.size() + ib.size() + static_cast<size_t>(specials);
    e.inputIds.reserve(n);
    e.inputIds.push_back(special_.cls);
    e.inputIds.insert(e.inputIds.end(), ia.begin(), ia.end());
    e.inputIds.push_back(special_.sep);
    e.tokenTypeIds.assign(e.inputIds.size(), 0);
    if (b) {
        if (framing_ == Framing::Roberta) e.inputIds.push_back(special_.sep);
        e.inputIds.insert(e.inputIds.end(), ib.begin(), ib.end());
        e.inputIds.push_back(special_.sep);
        e.tokenTypeIds.resize(e.inputIds.size(), framing_ == Framing::Bert ? 1 : 0);
    }
    e.attentionMask.assign(e.inputIds.size(), 1);
    return e;
}

} // namespace adapterlab::text
