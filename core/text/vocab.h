#pragma once
// A BERT WordPiece vocabulary (vocab.txt: one token per line, id = line number).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace adapterlab::text {

class Vocab {
public:
    /// Loads vocab.txt; throws Error naming the file when it is unreadable, empty, or lacks
    /// [UNK], [CLS] or [SEP].
    static Vocab load(const std::string& path);
    /// Builds from tokens in id order; same checks as load().
    static Vocab fromTokens(std::vector<std::string> tokens, const std::string& origin = "<memory>");

    std::optional<int32_t> find(std::string_view token) const;
    const std::string& token(int32_t id) const { return tokens_.at(static_cast<size_t>(id)); }
    size_t size() const { return tokens_.size(); }
    const std::vector<std::string>& tokens() const { return tokens_; }

    int32_t unkId() const { return unk_; }
    int32_t clsId() const { return cls_; }
    int32_t sepId() const { return sep_; }
    int32_t padId() const { return pad_; }
    /// -1 when the vocabulary has no [MASK].
    int32_t maskId() const { return mask_; }

    /// Writes vocab.txt (one token per line).
    void save(const std::string& path) const;

private:
    std::vector<std::string> tokens_;
    std::unordered_map<std::string, int32_t> ids_;
    int32_t unk_ = -1, cls_ = -1, sep_ = -1, pad_ = 0, mask_ = -1;
};

} // namespace adapterlab::text
