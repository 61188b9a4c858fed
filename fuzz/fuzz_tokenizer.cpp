// libFuzzer target: the WordPiece tokenizer on arbitrary bytes (invalid UTF-8 included), single
// texts and pairs split at the first TAB. Every id must be in the vocabulary and an encoding must
// respect the maximum length.
#include "text/tokenizer.h"
#include "util/error.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace {

const adapterlab::text::WordPieceTokenizer& tokenizer(bool lowerCase) {
    using adapterlab::text::Vocab;
    using adapterlab::text::WordPieceTokenizer;
    const auto make = [](bool lower) {
        Vocab v = Vocab::fromTokens({"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "un",
                                     "##aff", "##able", "runn", "##ing", "a", "##b", "é", "中",
                                     "!", ",", "##s", "x", "##x"});
        return WordPieceTokenizer(std::move(v), {lower, 100});
    };
    static const WordPieceTokenizer lower = make(true), cased = make(false);
    return lowerCase ? lower : cased;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const bool lower = data[0] & 1;
    const int maxLength = 3 + data[0] % 64;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    const auto& tok = tokenizer(lower);
    const auto vocabSize = static_cast<int64_t>(tok.vocab().size());
    try {
        for (int32_t id : tok.tokenizeToIds(text))
            if (id < 0 || id >= vocabSize) __builtin_trap();
        const size_t tab = text.find('\t');
        const auto e = tab == std::string_view::npos
            ? tok.encode(text, std::nullopt, maxLength)
            : tok.encode(text.substr(0, tab), text.substr(tab + 1), maxLength);
        if (e.inputIds.size() > static_cast<size_t>(maxLength) ||
            e.inputIds.size() != e.tokenTypeIds.size() || e.inputIds.size() != e.attentionMask.size())
            __builtin_trap();
        for (int64_t id : e.inputIds)
            if (id < 0 || id >= vocabSize) __builtin_trap();
    } catch (const adapterlab::Error&) {
    }
    return 0;
}
