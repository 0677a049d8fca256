// scrub/chars.h: the character classes the scrubber's rules are written in. ASCII only, by design:
// bytes of non-ASCII characters are classed by the tables (tables.h), which know where each
// character starts and whether it is punctuation.
#ifndef PHONEHOME_SCRUB_CHARS_H
#define PHONEHOME_SCRUB_CHARS_H

#include <cstddef>
#include <string_view>

#include "ascii.h"

namespace phonehome::scrub {

// The plain classes are the core's (ascii.h); the scrubber's own follow.
using ascii::IsAlnum;
using ascii::IsAlpha;
using ascii::IsDigit;
using ascii::IsLower;
using ascii::IsUpper;
constexpr bool IsHex(char c) { return ascii::IsHexDigit(c); }
constexpr bool IsHigh(char c) { return static_cast<unsigned char>(c) >= 0x80; }
// A UTF-8 continuation byte (10xxxxxx): never the first byte of a match.
constexpr bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }
// Word characters glue tokens together: a match must not start after one. Only ASCII counts, so a
// secret right after a curly quote, a guillemet or CJK text is still found.
constexpr bool IsWord(char c) { return IsAlnum(c) || c == '_'; }
// JSON's white space only: \f and \v are not, here (ascii::IsSpace counts them, for query strings).
constexpr bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
using ascii::ToLower;
constexpr char Lower(char c) { return ToLower(c); }

constexpr int HexValue(char c) {
  return IsDigit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
}

// Characters of tokens, keys and secrets (base64 and base64url included).
constexpr bool IsTokenChar(char c) { return IsAlnum(c) || c == '_' || c == '-'; }
constexpr bool IsBase64Char(char c) { return IsTokenChar(c) || c == '+' || c == '/' || c == '='; }
constexpr bool IsSchemeChar(char c) { return IsAlnum(c) || c == '+' || c == '.' || c == '-'; }
// E-mail local parts and domains; their non-ASCII letters are added by the tables. RFC 5322 lets a
// local part hold more punctuation (o'brien@…, jane/doe@…); TryEmail() keeps it off its ends.
constexpr bool IsEmailLocalPunct(char c) {
  return c == '\'' || c == '!' || c == '#' || c == '$' || c == '&' || c == '*' || c == '/' || c == '=' || c == '?' ||
         c == '^' || c == '`' || c == '~' || c == '{' || c == '}' || c == '|';
}
constexpr bool IsEmailLocal(char c) {
  return IsAlnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-' || IsEmailLocalPunct(c);
}
constexpr bool IsDomainChar(char c) { return IsAlnum(c) || c == '.' || c == '-'; }
// Host names as machines name themselves (no IDN: macOS and Windows transliterate).
constexpr bool IsHostChar(char c) { return IsAlnum(c) || c == '.' || c == '-' || c == '_'; }
constexpr bool IsPosixPathChar(char c) {
  return IsAlnum(c) || c == '/' || c == '.' || c == '_' || c == '-' || c == '~' || c == '+' || c == '@' ||
         c == '%' || c == '=' || c == ',' || IsHigh(c);
}
// Windows path segments stop at the characters Windows forbids in names, and at quotes.
constexpr bool IsWindowsPathChar(char c) {
  return !(IsSpace(c) || c == '"' || c == '\'' || c == '<' || c == '>' || c == '|' || c == '*' || c == '?' ||
           c == ':' || c == ',' || c == ';' || c == '(' || c == ')' || c == '[' || c == ']' || c == '\0');
}

// StartsWithIgnoreCase() compares text at `at` with a lower-case `prefix`, ignoring ASCII case.
inline bool StartsWithIgnoreCase(std::string_view text, size_t at, std::string_view prefix) {
  if (at > text.size() || text.size() - at < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (Lower(text[at + i]) != prefix[i]) return false;
  }
  return true;
}

inline bool EqualsIgnoreCase(std::string_view text, std::string_view lower) {
  return text.size() == lower.size() && StartsWithIgnoreCase(text, 0, lower);
}

inline bool EndsWithIgnoreCase(std::string_view text, std::string_view lower) {
  return text.size() >= lower.size() && StartsWithIgnoreCase(text, text.size() - lower.size(), lower);
}

}  // namespace phonehome::scrub

#endif  // PHONEHOME_SCRUB_CHARS_H
