#pragma once
// Byte-level BPE as GPT-2 and RoBERTa use it: GPT-2's pre-tokenisation regex (ICU), every byte
// mapped to a printable character (bytes_to_unicode), then merges by rank; vocab.json + merges.txt.
#include "text/text_tokenizer.h"

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace adapterlab::text {

using Merge = std::pair<std::string, std::string>;
/// A merge written "a b" (merges.txt, tokenizer.json): exactly two non-empty tokens, one space
/// between them (as tokenizers reads them); nullopt otherwise.
std::optional<Merge> parseMerge(const std::string& line);

struct BpeOptions {
    bool addPrefixSpace = false; ///< a space before the text unless it starts with one
    /// Special tokens by name (looked up in the vocabulary; missing ones stay -1).
    std::string cls = "<s>", sep = "</s>", pad = "<pad>", unk = "<unk>", mask = "<mask>";
    Framing framing = Framing::Roberta;
};

class ByteLevelBpe : public TextTokenizer {
public:
    /// token -> id, and the merges in rank order ("a b" pairs); `origin` names the files in errors.
    ByteLevelBpe(std::unordered_map<std::string, int32_t> vocab,
                 std::vector<std::pair<std::string, std::string>> merges, BpeOptions options,
                 const std::string& origin);
    ~ByteLevelBpe() override;
    /// vocab.json and merges.txt (its "#version" line skipped); throws Error naming the file and
    /// line of anything malformed.
    static std::shared_ptr<ByteLevelBpe>
    fromFiles(const std::string& vocabJson, const std::string& mergesTxt, BpeOptions options = {});

    std::vector<int32_t> tokenizeToIds(std::string_view text) const override;
    size_t size() const override { return tokens_.size(); }
    std::string token(int32_t id) const override;
    std::string kind() const override { return "bpe"; }

    /// The pre-tokens of a text (GPT-2's regex), as UTF-8, before the byte mapping.
    std::vector<std::string> preTokenize(std::string_view text) const;

private:
    void bpe(const std::string& mapped, std::vector<int32_t>& out) const;

    std::unordered_map<std::string, int32_t> vocab_;
    std::vector<std::string> tokens_;            ///< by id ("" where the vocabulary skips an id)
    std::unordered_map<std::string, int> ranks_; ///< "a b" -> merge rank
    std::vector<std::string> byteChar_;          ///< byte -> its printable character (UTF-8)
    BpeOptions options_;
    struct Pattern; // the compiled ICU regex (ICU's namespace is an alias: no forward declaration)
    std::unique_ptr<Pattern> pattern_;
    mutable std::mutex cacheMutex_;
    mutable std::unordered_map<std::string, std::vector<int32_t>> cache_; ///< pre-token -> ids
};

} // namespace adapterlab::text
