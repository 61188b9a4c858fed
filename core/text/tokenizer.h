#pragma once
// BERT-compatible tokenizer: basic tokenization (cleaning, CJK split, lower-casing and accent
// stripping, punctuation split) followed by greedy longest-match-first WordPiece.
#include "text/text_tokenizer.h"
#include "text/vocab.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace adapterlab::text {

struct TokenizerOptions {
    bool lowerCase = true;    ///< uncased vocabularies: lower-case and strip accents
    int maxInputCharsPerWord = 100; ///< longer words become [UNK]
};

class WordPieceTokenizer : public TextTokenizer {
public:
    explicit WordPieceTokenizer(Vocab vocab, TokenizerOptions options = {});

    /// Splits text into normalised words (no WordPiece yet).
    std::vector<std::string> basicTokenize(std::string_view text) const;
    /// WordPiece ids of a text, without special tokens.
    std::vector<int32_t> tokenizeToIds(std::string_view text) const override;
    size_t size() const override { return vocab_.size(); }
    std::string token(int32_t id) const override { return vocab_.token(id); }
    std::string kind() const override { return "wordpiece"; }

    const Vocab& vocab() const { return vocab_; }
    const TokenizerOptions& options() const { return options_; }

private:
    void wordPiece(std::string_view word, std::vector<int32_t>& out) const;

    Vocab vocab_;
    TokenizerOptions options_;
};

} // namespace adapterlab::text
