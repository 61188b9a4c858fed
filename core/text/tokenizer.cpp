#include "text/tokenizer.h"

#include "text/utf8.h"
#include "util/error.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/locid.h>
#include <unicode/unistr.h>

#include <algorithm>

namespace adapterlab::text {
namespace {

bool isWhitespace(char32_t c) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') return true;
    if (c < 0x80) return false;
    const auto cat = u_charType(static_cast<UChar32>(c));
    return cat == U_SPACE_SEPARATOR || cat == U_LINE_SEPARATOR || cat == U_PARAGRAPH_SEPARATOR;
}

// Control and other "C*" categories (Cc, Cf, Cn, Co, Cs), except the whitespace controls.
bool isControl(char32_t c) {
    if (c == '\t' || c == '\n' || c == '\r') return false;
    if (c < 0x80) return c < 0x20 || c == 0x7F;
    const auto cat = u_charType(static_cast<UChar32>(c));
    return cat == U_CONTROL_CHAR || cat == U_FORMAT_CHAR || cat == U_UNASSIGNED ||
           cat == U_PRIVATE_USE_CHAR || cat == U_SURROGATE;
}

// BERT treats all non-alphanumeric ASCII as punctuation, plus Unicode P* categories.
bool isPunctuation(char32_t c) {
    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
        (c >= 123 && c <= 126))
        return true;
    if (c < 0x80) return false;
    switch (u_charType(static_cast<UChar32>(c))) {
    case U_DASH_PUNCTUATION:
    case U_START_PUNCTUATION:
    case U_END_PUNCTUATION:
    case U_CONNECTOR_PUNCTUATION:
    case U_OTHER_PUNCTUATION:
    case U_INITIAL_PUNCTUATION:
    case U_FINAL_PUNCTUATION:
        return true;
    default:
        return false;
    }
}

// The CJK Unified Ideographs blocks, as in BERT's reference tokenizer.
bool isCjk(char32_t c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
           (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

// NFD, drop combining marks (Mn), then full Unicode lower-casing. Only called for non-ASCII words.
std::string stripAccentsAndLower(const std::string& word) {
    UErrorCode err = U_ZERO_ERROR;
    const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(err);
    icu::UnicodeString src = icu::UnicodeString::fromUTF8(word);
    icu::UnicodeString decomposed = U_SUCCESS(err) ? nfd->normalize(src, err) : src;
    if (U_FAILURE(err)) decomposed = src;
    icu::UnicodeString kept;
    for (int32_t i = 0; i < decomposed.length();) {
        const UChar32 c = decomposed.char32At(i);
        if (u_charType(c) != U_NON_SPACING_MARK) kept.append(c);
        i += U16_LENGTH(c);
    }
    kept.toLower(icu::Locale::getRoot());
    std::string out;
    kept.toUTF8String(out);
    return out;
}

} // namespace

WordPieceTokenizer::WordPieceTokenizer(Vocab vocab, TokenizerOptions options)
    : vocab_(std::move(vocab)), options_(options) {
    special_ = {vocab_.clsId(), vocab_.sepId(), vocab_.padId(), vocab_.unkId(), vocab_.maskId()};
    framing_ = Framing::Bert;
}

std::vector<std::string> WordPieceTokenizer::basicTokenize(std::string_view text) const {
    std::vector<std::string> words;
    std::string current;
    bool currentAscii = true;
    const auto flush = [&] {
        if (current.empty()) return;
        if (options_.lowerCase) {
            if (currentAscii)
                std::transform(current.begin(), current.end(), current.begin(),
                               [](char ch) { return (ch >= 'A' && ch <= 'Z') ? ch + 32 : ch; });
            else
                current = stripAccentsAndLower(current);
        }
        words.push_back(std::move(current));
        current.clear();
        currentAscii = true;
    };
    for (size_t pos = 0; pos < text.size();) {
        const char32_t c = decodeUtf8(text, pos);
        if (c == 0 || c == kReplacementChar || isControl(c)) continue;
        if (isWhitespace(c)) {
            flush();
        } else if (isCjk(c) || isPunctuation(c)) {
            // Punctuation and CJK characters always stand alone.
            flush();
            appendUtf8(current, c);
            currentAscii = c < 0x80;
            flush();
        } else {
            appendUtf8(current, c);
            currentAscii = currentAscii && c < 0x80;
        }
    }
    flush();
    return words;
}

void WordPieceTokenizer::wordPiece(std::string_view word, std::vector<int32_t>& out) const {
    // Code point boundaries, so pieces never split a multi-byte character.
    std::vector<size_t> bounds;
    for (size_t pos = 0; pos < word.size();) {
        bounds.push_back(pos);
        decodeUtf8(word, pos);
    }
    bounds.push_back(word.size());
    const size_t nChars = bounds.size() - 1;
    if (static_cast<int>(nChars) > options_.maxInputCharsPerWord) {
        out.push_back(vocab_.unkId());
        return;
    }
    const size_t mark = out.size();
    std::string key;
    size_t start = 0;
    while (start < nChars) {
        size_t end = nChars;
        std::optional<int32_t> found;
        while (end > start) {
            key.assign(start > 0 ? "##" : "");
            key.append(word.substr(bounds[start], bounds[end] - bounds[start]));
            found = vocab_.find(key);
            if (found) break;
            --end;
        }
        if (!found) {
            out.resize(mark); // the whole word becomes [UNK]
            out.push_back(vocab_.unkId());
            return;
        }
        out.push_back(*found);
        start = end;
    }
}

std::vector<int32_t> WordPieceTokenizer::tokenizeToIds(std::string_view text) const {
    std::vector<int32_t> ids;
    for (const auto& w : basicTokenize(text)) wordPiece(w, ids);
    return ids;
}

} // namespace adapterlab::text
