// scrub/tables.h: what the scrubber's rules look up instead of rescanning.
//
// Linear time rests here. A rule tried at every token start of "a-a-a-a…" must not read the rest of
// the run each time, so where each run of each character class ends, and running counts of the
// classes some rules weigh, are computed once per text (a few passes) and read in constant time.
// Build() makes what the dispatcher needs for every text; Counts() adds the rest the first time a
// rule asks, so plain text never pays for it.
#ifndef PHONEHOME_SCRUB_TABLES_H
#define PHONEHOME_SCRUB_TABLES_H

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace phonehome::scrub {

class Tables {
 public:
  static constexpr uint32_t kNone = 0xFFFFFFFF;

  // Build() describes `text`; the tables stay valid until the next Build().
  void Build(std::string_view text);
  // Counts() builds the tables below "Counts()" once per text, and returns them.
  const Tables& Counts();

  // Punct() is true when byte i belongs to a non-ASCII punctuation or space character (curly
  // quotes, guillemets, dashes, CJK and full-width punctuation), which ends tokens and paths the
  // way ASCII punctuation does.
  bool Punct(size_t i) const { return any_high_ && punct_[i]; }
  // Letter() is true when byte i belongs to a non-ASCII character that is not punctuation.
  bool Letter(size_t i) const { return any_high_ && IsHighByte(i) && !punct_[i]; }

  // Run ends: the first position at or after i outside the class.
  std::vector<uint32_t> scheme_end, local_end, domain_end, token_end, base64_end, posix_end;

  // ---- Counts() ----
  // domain_trim[e], posix_trim[e]: e with trailing '.' and '-' (domains) or '.' and ',' (paths)
  // dropped; last_dot[e]: the last '.' before e, or kNone.
  std::vector<uint32_t> domain_trim, posix_trim, last_dot;
  // Prefix counts: count[j] - count[i] is the number in [i, j).
  std::vector<uint32_t> non_hex, upper, lower, digit, high, plus, slash, equals, case_switch;

  uint32_t Letters(size_t from, size_t to) const { return upper[to] - upper[from] + lower[to] - lower[from]; }

 private:
  bool IsHighByte(size_t i) const { return static_cast<unsigned char>(text_[i]) >= 0x80; }
  void MarkPunctuation();

  std::string_view text_;
  bool any_high_ = false;
  bool counts_ready_ = false;
  std::vector<uint8_t> punct_;
};

}  // namespace phonehome::scrub

#endif  // PHONEHOME_SCRUB_TABLES_H
