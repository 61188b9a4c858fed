#pragma once
// XLM-RoBERTa's tokenizer: a SentencePiece model (Debian's libsentencepiece) with the fairseq
// id layout transformers applies: <s>=0, <pad>=1, </s>=2, <unk>=3, piece id + 1 for every other
// piece (SentencePiece's unknown, id 0, becomes 3), <mask> after the last piece. The library is
// reached through a dlopen'ed module (text/spm_module.cpp says why), which sanitizer builds
// cannot load: there the constructor throws Error saying so.
#include "text/text_tokenizer.h"

#include <memory>
#include <string>

namespace adapterlab::text {

class SentencePieceTokenizer : public TextTokenizer {
public:
    /// Loads sentencepiece.bpe.model; throws Error naming the file when it is not a model.
    explicit SentencePieceTokenizer(const std::string& modelFile);
    ~SentencePieceTokenizer() override;

    std::vector<int32_t> tokenizeToIds(std::string_view text) const override;
    size_t size() const override; ///< pieces + 1 (fairseq offset) + <mask>
    std::string token(int32_t id) const override;
    std::string kind() const override { return "sentencepiece"; }

    static constexpr int32_t kOffset = 1; ///< transformers' fairseq_offset

private:
    struct Handle;
    std::unique_ptr<Handle> handle_;
    int pieces_ = 0;
};

} // namespace adapterlab::text
