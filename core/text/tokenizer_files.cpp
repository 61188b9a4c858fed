#include "text/tokenizer_files.h"

#include "text/bpe.h"
#include "text/sentencepiece_tokenizer.h"
#include "text/tokenizer.h"
#include "util/error.h"
#include "util/json_file.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>

namespace adapterlab::text {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

bool exists(const std::string& dir, const char* name) {
    return fs::is_regular_file(fs::path(dir) / name);
}
std::string at(const std::string& dir, const char* name) {
    return (fs::path(dir) / name).string();
}

json optionalJson(const std::string& path) {
    if (!fs::is_regular_file(path)) return json::object();
    try {
        const json j = readJsonFile(path, "tokenizer settings");
        return j.is_object() ? j : json::object();
    } catch (const Error&) {
        return json::object(); // unreadable settings: the defaults still tokenize
    }
}

// A special token of special_tokens_map.json / tokenizer_config.json: a string or {"content"}.
std::string tokenName(const json& settings, const char* key, std::string fallback) {
    const auto it = settings.find(key);
    if (it == settings.end()) return fallback;
    if (it->is_string()) return it->get<std::string>();
    if (it->is_object() && it->contains("content") && (*it)["content"].is_string())
        return (*it)["content"].get<std::string>();
    return fallback;
}

BpeOptions bpeOptions(const std::string& dir) {
    json s = optionalJson(at(dir, "special_tokens_map.json"));
    s.update(optionalJson(at(dir, "tokenizer_config.json")));
    BpeOptions o;
    o.addPrefixSpace = s.value("add_prefix_space", false);
    o.cls = tokenName(s, "cls_token", tokenName(s, "bos_token", o.cls));
    o.sep = tokenName(s, "sep_token", tokenName(s, "eos_token", o.sep));
    o.pad = tokenName(s, "pad_token", o.pad);
    o.unk = tokenName(s, "unk_token", o.unk);
    o.mask = tokenName(s, "mask_token", o.mask);
    return o;
}

TokenizerOptions wordPieceOptions(const std::string& dir) {
    TokenizerOptions o;
    const json s = optionalJson(at(dir, "tokenizer_config.json"));
    if (s.contains("do_lower_case") && s["do_lower_case"].is_boolean())
        o.lowerCase = s["do_lower_case"].get<bool>();
    return o;
}

// The name of a processor's [token, id] pair ("cls": ["<s>", 0]).
std::string processorToken(const json& p, const char* key, const std::string& fallback) {
    const auto it = p.find(key);
    if (it != p.end() && it->is_array() && !it->empty() && (*it)[0].is_string())
        return (*it)[0].get<std::string>();
    return fallback;
}

// Framing and the cls/sep names from a post_processor (null: the model's usual one).
void readPostProcessor(const json& p, Framing& framing, std::string& cls, std::string& sep,
                       const std::string& origin) {
    if (p.is_null()) return;
    const std::string type = p.value("type", "");
    if (type == "BertProcessing" || type == "RobertaProcessing") {
        framing = type == "BertProcessing" ? Framing::Bert : Framing::Roberta;
        cls = processorToken(p, "cls", cls);
        sep = processorToken(p, "sep", sep);
        return;
    }
    if (type == "TemplateProcessing") {
        // pair: [CLS] $A [SEP] $B:1 [SEP]:1 (BERT) or <s> $A </s> </s> $B </s> (RoBERTa)
        const json& pair = p.value("pair", json::array());
        std::vector<std::string> specials;
        bool secondTyped = false;
        for (const auto& piece : pair) {
            if (piece.contains("SpecialToken"))
                specials.push_back(piece["SpecialToken"].value("id", ""));
            else if (piece.contains("Sequence") && piece["Sequence"].value("id", "") == "B")
                secondTyped = piece["Sequence"].value("type_id", 0) == 1;
        }
        if (specials.size() == 3 && secondTyped)
            framing = Framing::Bert;
        else if (specials.size() == 4 && !secondTyped)
            framing = Framing::Roberta;
        else
            throw Error(origin + ": post_processor template " + pair.dump() +
                        " is not supported (BERT's or RoBERTa's framing)");
        cls = specials.front();
        sep = specials.back();
        return;
    }
    throw Error(origin + ": post_processor " + json(type).dump() + " is not supported");
}

bool byteLevel(const json& pre) {
    if (pre.is_null()) return false;
    if (pre.value("type", "") == "ByteLevel") return true;
    if (pre.value("type", "") == "Sequence")
        for (const auto& p : pre.value("pretokenizers", json::array()))
            if (byteLevel(p)) return true;
    return false;
}

bool prefixSpace(const json& pre) {
    if (pre.value("type", "") == "ByteLevel") return pre.value("add_prefix_space", false);
    for (const auto& p : pre.value("pretokenizers", json::array()))
        if (byteLevel(p)) return prefixSpace(p);
    return false;
}

} // namespace

bool hasTokenizerFiles(const std::string& dir) {
    return exists(dir, "vocab.txt") || (exists(dir, "vocab.json") && exists(dir, "merges.txt")) ||
           exists(dir, "sentencepiece.bpe.model") || exists(dir, "tokenizer.json");
}

TokenizerPtr loadTokenizerJson(const std::string& path) {
    const json j = readJsonFile(path, "tokenizer");
    if (!j.is_object() || !j.contains("model") || !j["model"].is_object())
        throw Error(path + ": no \"model\" object (not a tokenizers file?)");
    const json& m = j["model"];
    const std::string type = m.value("type", "");
    if (!m.contains("vocab") || !m["vocab"].is_object())
        throw Error(path + ": model " + json(type).dump() +
                    " is not supported (WordPiece, byte-level BPE)");
    std::map<int32_t, std::string> byId;
    for (const auto& [t, v] : m["vocab"].items()) {
        if (!v.is_number_integer()) throw Error(path + ": the id of '" + t + "' is not an integer");
        byId[v.get<int32_t>()] = t;
    }
    for (const auto& a : j.value("added_tokens", json::array()))
        if (a.contains("id") && a["id"].is_number_integer() && a.contains("content"))
            byId.emplace(a["id"].get<int32_t>(), a["content"].get<std::string>());
    if (type == "WordPiece") {
        if (m.value("continuing_subword_prefix", "##") != "##")
            throw Error(path + ": continuing_subword_prefix other than '##' is not supported");
        std::vector<std::string> tokens;
        for (const auto& [id, t] : byId) {
            if (id != static_cast<int32_t>(tokens.size()))
                throw Error(path + ": WordPiece ids are not contiguous at " + std::to_string(id));
            tokens.push_back(t);
        }
        TokenizerOptions o;
        const json& norm = j.value("normalizer", json());
        if (norm.is_object() && norm.value("type", "") == "BertNormalizer")
            o.lowerCase = norm.value("lowercase", true);
        else if (norm.is_object())
            throw Error(path + ": normalizer " + json(norm.value("type", "")).dump() +
                        " is not supported (BertNormalizer)");
        if (m.contains("max_input_chars_per_word") &&
            m["max_input_chars_per_word"].is_number_integer())
            o.maxInputCharsPerWord = m["max_input_chars_per_word"].get<int>();
        Framing framing = Framing::Bert;
        std::string cls = "[CLS]", sep = "[SEP]";
        readPostProcessor(j.value("post_processor", json()), framing, cls, sep, path);
        if (framing != Framing::Bert || cls != "[CLS]" || sep != "[SEP]")
            throw Error(
                path +
                ": a WordPiece model framed other than [CLS] A [SEP] B [SEP] is not supported");
        return std::make_shared<WordPieceTokenizer>(Vocab::fromTokens(std::move(tokens), path), o);
    }
    if (type == "BPE") {
        if (!byteLevel(j.value("pre_tokenizer", json())))
            throw Error(path + ": only byte-level BPE is supported (pre_tokenizer ByteLevel)");
        std::unordered_map<std::string, int32_t> vocab;
        for (const auto& [id, t] : byId)
            vocab.emplace(t, id);
        std::vector<std::pair<std::string, std::string>> merges;
        for (const auto& mg : m.value("merges", json::array())) {
            if (mg.is_string()) {
                auto merge = parseMerge(mg.get<std::string>());
                if (!merge) throw Error(path + ": merge " + mg.dump() + " is not 'a b'");
                merges.push_back(std::move(*merge));
            } else if (mg.is_array() && mg.size() == 2 && mg[0].is_string() && mg[1].is_string()) {
                merges.emplace_back(mg[0].get<std::string>(), mg[1].get<std::string>());
            } else {
                throw Error(path + ": merge " + mg.dump() + " is neither 'a b' nor [a, b]");
            }
        }
        BpeOptions o;
        o.addPrefixSpace = prefixSpace(j["pre_tokenizer"]);
        if (m.contains("unk_token") && m["unk_token"].is_string())
            o.unk = m["unk_token"].get<std::string>();
        readPostProcessor(j.value("post_processor", json()), o.framing, o.cls, o.sep, path);
        return std::make_shared<ByteLevelBpe>(std::move(vocab), std::move(merges), o, path);
    }
    throw Error(path + ": model " + json(type).dump() +
                " is not supported (WordPiece, byte-level BPE; for Unigram use the folder's "
                "sentencepiece.bpe.model)");
}

TokenizerPtr loadTokenizer(const std::string& dir) {
    if (!fs::is_directory(dir)) throw Error("model folder '" + dir + "' does not exist");
    if (exists(dir, "vocab.txt"))
        return std::make_shared<WordPieceTokenizer>(Vocab::load(at(dir, "vocab.txt")),
                                                    wordPieceOptions(dir));
    if (exists(dir, "vocab.json") && exists(dir, "merges.txt"))
        return ByteLevelBpe::fromFiles(at(dir, "vocab.json"), at(dir, "merges.txt"),
                                       bpeOptions(dir));
    if (exists(dir, "sentencepiece.bpe.model"))
        return std::make_shared<SentencePieceTokenizer>(at(dir, "sentencepiece.bpe.model"));
    if (exists(dir, "tokenizer.json")) return loadTokenizerJson(at(dir, "tokenizer.json"));
    throw Error("model folder '" + dir + "' has no tokenizer (" + kTokenizerFileList + ")");
}

} // namespace adapterlab::text
