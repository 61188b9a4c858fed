#pragma once
// BERT-compatible tokenizer: basic tokenization (cleaning, CJK split, lower-casing and accent
// stripping, punctuation split) followed by greedy longest-match-first WordPiece.
#include "text/vocab.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace adapterlab::text {

/// One encoded example: [CLS] A [SEP] (B [SEP]); all vectors have the same length.
struct Encoding {
    std::vector<int64_t> inputIds;
    std::vector<int64_t> tokenTypeIds;
    std::vector<int64_t> attentionMask;
};

struct TokenizerOptions {
    bool lowerCase = true;    ///< uncased vocabularies: lower-case and strip accents
    int maxInputCharsPerWord = 100; ///< longer words become [UNK]
};

class Tokenizer {
public:
    explicit Tokenizer(Vocab vocab, TokenizerOptions options = {});

    /// Splits text into normalised words (no WordPiece yet).
    std::vector<std::string> basicTokenize(std::string_view text) const;
    /// WordPiece ids of a text, without special tokens.
    std::vector<int32_t> tokenizeToIds(std::string_view text) const;
    /// Encodes a single text or a pair, truncated (longest first) to maxLength including the
    /// special tokens. maxLength must be at least 3 for a pair and 2 for a single text.
    Encoding encode(std::string_view a, std::optional<std::string_view> b = std::nullopt,
                    int maxLength = 512) const;

    const Vocab& vocab() const { return vocab_; }
    const TokenizerOptions& options() const { return options_; }

private:
    void wordPiece(std::string_view word, std::vector<int32_t>& out) const;

    Vocab vocab_;
    TokenizerOptions options_;
};

} // namespace adapterlab::text
