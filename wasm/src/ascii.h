// ascii.h: the ASCII predicates the request path shares. Bytes at or above 0x80 are never
// letters, digits or space here: every check that cares about Unicode says so where it is made.
#ifndef PHONEHOME_ASCII_H
#define PHONEHOME_ASCII_H

#include <string_view>

namespace phonehome::ascii {

constexpr bool IsDigit(char c) { return c >= '0' && c <= '9'; }
constexpr bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
constexpr bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
constexpr bool IsAlpha(char c) { return IsUpper(c) || IsLower(c); }
constexpr bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }
constexpr bool IsHexDigit(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
// JSON's and C's white space, plus \f and \v, which a query string may carry.
constexpr bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
constexpr char ToLower(char c) { return IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

// EqualsIgnoringCase() compares two strings with ASCII letters folded.
constexpr bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLower(a[i]) != ToLower(b[i])) return false;
  }
  return true;
}

// IsBlank() is true when the text holds nothing but white space (or nothing).
constexpr bool IsBlank(std::string_view text) {
  for (char c : text) {
    if (!IsSpace(c)) return false;
  }
  return true;
}

}  // namespace phonehome::ascii

#endif  // PHONEHOME_ASCII_H
