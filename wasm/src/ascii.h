// ascii.h: the ASCII predicates the request path shares. Bytes at or above 0x80 are never
// letters, digits or space here: every check that cares about Unicode says so where it is made.
#ifndef PHONEHOME_ASCII_H
#define PHONEHOME_ASCII_H

#include <cstdint>
#include <cstring>
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

// Eight bytes at a time (SWAR): the words below flag, in each byte's top bit, a byte of `word`
// that is not printable ASCII (below 0x20 or from 0x7F), or that equals `byte`. A flag may spill
// into a byte above a flagged one, never into a clean word, which is all the callers ask.
namespace swar {
constexpr uint64_t kOnes = 0x0101010101010101u;
constexpr uint64_t kHigh = 0x8080808080808080u;
inline uint64_t Load(const char* at) {
  uint64_t word;
  std::memcpy(&word, at, sizeof word);
  return word;
}
inline uint64_t NotPrintable(uint64_t word) { return ((word - kOnes * 0x20) & ~word) | word | (word + kOnes); }
inline uint64_t Equals(uint64_t word, unsigned char byte) {
  const uint64_t x = word ^ (kOnes * byte);
  return (x - kOnes) & ~x;
}
}  // namespace swar

// SameBytes() is a == b, compared eight bytes at a time in line: the library's memcmp is a call,
// and in the Wasm build a loop over bytes, for the short keys and values the core compares most.
inline bool SameBytes(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  size_t i = 0;
  for (; i + 8 <= a.size(); i += 8) {
    if (swar::Load(a.data() + i) != swar::Load(b.data() + i)) return false;
  }
  for (; i < a.size(); ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// PrintablePrefix() is the length of the longest prefix of printable ASCII (0x20 to 0x7E).
inline size_t PrintablePrefix(std::string_view text) {
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    if (swar::NotPrintable(swar::Load(text.data() + i)) & swar::kHigh) break;
  }
  while (i < text.size() && text[i] >= 0x20 && text[i] < 0x7F) ++i;
  return i;
}

// JsonPlainPrefix() is the length of the longest prefix of printable ASCII without '"' or '\\':
// bytes a JSON string holds as they are.
inline size_t JsonPlainPrefix(std::string_view text) {
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    const uint64_t word = swar::Load(text.data() + i);
    if ((swar::NotPrintable(word) | swar::Equals(word, '"') | swar::Equals(word, '\\')) & swar::kHigh) break;
  }
  while (i < text.size() && text[i] >= 0x20 && text[i] < 0x7F && text[i] != '"' && text[i] != '\\') ++i;
  return i;
}

}  // namespace phonehome::ascii

#endif  // PHONEHOME_ASCII_H
