#pragma once
// Minimal UTF-8 decoding/encoding; invalid sequences decode to U+FFFD.
#include <string>
#include <string_view>
#include <vector>

namespace adapterlab::text {

constexpr char32_t kReplacementChar = 0xFFFD;

/// Decodes one code point at `pos` and advances `pos`; malformed input yields U+FFFD.
char32_t decodeUtf8(std::string_view s, size_t& pos);

/// Appends the UTF-8 encoding of `cp` to `out`.
void appendUtf8(std::string& out, char32_t cp);

/// Decodes a whole string into code points.
std::vector<char32_t> toCodePoints(std::string_view s);

/// `s` without leading and trailing ASCII whitespace (space, tab, CR, LF).
std::string trimmed(std::string_view s);

/// True when the string is valid UTF-8 (no overlongs, no surrogates).
bool isValidUtf8(std::string_view s);

} // namespace adapterlab::text
