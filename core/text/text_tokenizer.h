#pragma once
// What every tokenizer of a model folder offers (WordPiece, byte-level BPE, SentencePiece): ids
// of a text, and the encoding of a text or pair framed by the family's special tokens.
#include <cstdint>
#include <memory>
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

/// How special tokens frame one text or a pair.
enum class Framing {
    Bert,    ///< [CLS] A [SEP] B [SEP]; token types 0 for A, 1 for B
    Roberta, ///< <s> A </s></s> B </s>; token types all 0
};

struct SpecialIds {
    int32_t cls = -1, sep = -1, pad = 0, unk = -1, mask = -1; ///< -1: none
};

class TextTokenizer {
public:
    virtual ~TextTokenizer() = default;

    /// Ids of a text, without special tokens.
    virtual std::vector<int32_t> tokenizeToIds(std::string_view text) const = 0;
    /// Ids are in [0, size()).
    virtual size_t size() const = 0;
    /// The token of an id (its piece as the vocabulary writes it).
    virtual std::string token(int32_t id) const = 0;
    /// "wordpiece" | "bpe" | "sentencepiece"
    virtual std::string kind() const = 0;

    const SpecialIds& special() const { return special_; }
    Framing framing() const { return framing_; }
    int32_t padId() const { return special_.pad; }
    /// Special tokens around a text (2) or a pair (Bert 3, Roberta 4).
    int specialCount(bool pair) const;

    /// Encodes a single text or a pair, truncated (longest first, as transformers does) to
    /// maxLength including the special tokens; throws Error when maxLength leaves no room for them.
    Encoding encode(std::string_view a, std::optional<std::string_view> b = std::nullopt,
                    int maxLength = 512) const;

protected:
    SpecialIds special_;
    Framing framing_ = Framing::Bert;
};

using TokenizerPtr = std::shared_ptr<const TextTokenizer>;

} // namespace adapterlab::text
