#include "text/vocab.h"

#include "util/error.h"

#include <fstream>

namespace adapterlab::text {

Vocab Vocab::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot open vocabulary file '" + path + "'");
    std::vector<std::string> tokens;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        tokens.push_back(std::move(line));
        line.clear();
    }
    return fromTokens(std::move(tokens), path);
}

Vocab Vocab::fromTokens(std::vector<std::string> tokens, const std::string& origin) {
    if (tokens.empty()) throw Error("vocabulary '" + origin + "' is empty");
    Vocab v;
    v.tokens_ = std::move(tokens);
    v.ids_.reserve(v.tokens_.size() * 2);
    for (size_t i = 0; i < v.tokens_.size(); ++i)
        v.ids_.emplace(v.tokens_[i], static_cast<int32_t>(i)); // first occurrence wins
    const auto required = [&](const char* name) {
        const auto id = v.find(name);
        if (!id) throw Error("vocabulary '" + origin + "' has no " + name + " token");
        return *id;
    };
    v.unk_ = required("[UNK]");
    v.cls_ = required("[CLS]");
    v.sep_ = required("[SEP]");
    v.pad_ = v.find("[PAD]").value_or(0);
    v.mask_ = v.find("[MASK]").value_or(-1);
    return v;
}

std::optional<int32_t> Vocab::find(std::string_view token) const {
    // C++17 unordered_map has no heterogeneous lookup; the copy is cheap for short pieces.
    const auto it = ids_.find(std::string(token));
    if (it == ids_.end()) return std::nullopt;
    return it->second;
}

void Vocab::save(const std::string& path) const {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) throw Error("cannot write vocabulary file '" + path + "'");
    for (const auto& t : tokens_) out << t << '\n';
    if (!out) throw Error("error while writing vocabulary file '" + path + "'");
}

} // namespace adapterlab::text
