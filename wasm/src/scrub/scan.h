// scrub/scan.h: the scan the rules share, and the rules themselves (internal to scrub/).
//
// One left-to-right pass. At each token start (scan.cpp decides which positions are), the rules
// that can start with the current character are tried, most specific first; the first that
// matches writes its placeholder and moves the scan past what it consumed.
//
// The contract every rule keeps, which makes the whole scan linear in the text: when it fails it
// has read a bounded number of bytes, or looked up runs and counts in the tables; when it reads
// further, it matches and consumes what it read. A rule that scans a whole run on failure does so
// only at the run's first byte.
#ifndef PHONEHOME_SCRUB_SCAN_H
#define PHONEHOME_SCRUB_SCAN_H

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scrub/chars.h"
#include "scrub/tables.h"

namespace phonehome::scrub {

// The placeholders: each names what it replaced, and none is itself matched by a rule.
inline constexpr std::string_view kPath = "<path>";
inline constexpr std::string_view kEmail = "<email>";
inline constexpr std::string_view kIp = "<ip>";
inline constexpr std::string_view kMac = "<mac>";
inline constexpr std::string_view kHost = "<host>";
inline constexpr std::string_view kSecret = "<secret>";
inline constexpr std::string_view kQuery = "<query>";
inline constexpr std::string_view kCard = "<card>";
inline constexpr std::string_view kIban = "<iban>";
inline constexpr std::string_view kSsn = "<ssn>";
inline constexpr std::string_view kPhone = "<phone>";

// PlaceholderLength() is the length of the placeholder at text[at], or 0: a rule that decides
// where something ends reads a placeholder as part of it, so a second pass sees what the first did.
inline size_t PlaceholderLength(std::string_view text, size_t at) {
  for (std::string_view placeholder : {kPath, kEmail, kIp, kMac, kHost, kSecret, kQuery, kCard, kIban, kSsn, kPhone}) {
    if (text.compare(at, placeholder.size(), placeholder) == 0) return placeholder.size();
  }
  return 0;
}

struct Scan {
  Scan(std::string_view text, std::string& output, Tables& tables) : s(text), out(output), t(tables) {}

  // Run() scrubs the whole text.
  void Run() { Range(0, s.size(), false); }
  // Range() scrubs s[begin, end) with the rules that apply there; inside a URL (in_url) its host
  // and path are the URL's own: no nested URL, no file path.
  void Range(size_t begin, size_t end, bool in_url);

  char At(size_t pos) const { return pos < limit ? s[pos] : '\0'; }
  // End() clamps a precomputed run end to the range being scanned.
  size_t End(const std::vector<uint32_t>& table, size_t pos) const {
    return pos >= limit ? limit : (table[pos] < limit ? table[pos] : limit);
  }
  bool Matches(size_t at, std::string_view word) const {
    if (at > limit || limit - at < word.size()) return false;
    for (size_t k = 0; k < word.size(); ++k) {
      if (s[at + k] != word[k]) return false;
    }
    return true;
  }
  bool MatchesIgnoreCase(size_t at, std::string_view lower_word) const {
    return at <= limit && limit - at >= lower_word.size() && StartsWithIgnoreCase(s, at, lower_word);
  }
  static uint32_t Count(const std::vector<uint32_t>& prefix, size_t from, size_t to) { return prefix[to] - prefix[from]; }

  // Emit() writes a placeholder for s[i, end) and moves past it; it returns true for the caller.
  bool Emit(std::string_view placeholder, size_t end) {
    out.append(placeholder);
    i = end;
    return true;
  }
  // Copy() writes s[i, end) as it is and moves past it.
  void Copy(size_t end) {
    out.append(s.substr(i, end - i));
    i = end;
  }
  // Glued() is true when the character at `pos` continues a word, so nothing may end before it. A
  // placeholder counts as a word: it stands for what a match took, which a first pass saw there.
  bool Glued(size_t pos) const { return IsWord(At(pos)) || PlaceholderAt(pos); }
  bool PlaceholderAt(size_t pos) const { return At(pos) == '<' && PlaceholderLength(s.substr(0, limit), pos) > 0; }
  // Continues() is true when a separator at `pos` joins more of a number: a digit, or a placeholder
  // standing for what a first pass found there.
  bool Continues(size_t pos, std::string_view separators, bool (*digit)(char) = IsDigit) const {
    return separators.find(At(pos)) != std::string_view::npos && At(pos) != '\0' && (digit(At(pos + 1)) || PlaceholderAt(pos + 1));
  }
  // AtTokenStart() is true when nothing glues the current character to the one before. What follows
  // a match (or a placeholder, in text scrubbed before) is glued to it, as it was to the match's
  // last character: so scrubbing scrubbed text changes nothing.
  bool AtTokenStart() const {
    if (i == begin) return true;
    if (IsWord(s[i - 1]) || i == after_match) return false;
    return !(s[i - 1] == '>' && PlaceholderBefore(s.substr(begin), i - begin));
  }
  // PlaceholderBefore() is true when text[0, at) ends with a placeholder.
  static bool PlaceholderBefore(std::string_view text, size_t at) {
    for (size_t length = 4; length <= 8 && at >= length; ++length) {
      if (text[at - length] == '<' && PlaceholderLength(text, at - length) == length) return true;
    }
    return false;
  }
  // RunStart() is true when `pos` begins a run of characters of `in_class`.
  bool RunStart(size_t pos, bool (*in_class)(char)) const { return pos == begin || !in_class(s[pos - 1]); }

  std::string_view s;
  std::string& out;
  Tables& t;
  size_t i = 0;      // the scan position
  size_t begin = 0;  // the range being scanned: [begin, limit)
  size_t limit = 0;
  size_t after_match = static_cast<size_t>(-1);  // where the last match that wrote a placeholder last ended
  bool in_url = false;

 private:
  bool TryHere();
};

// ---- the rules, by file. Each tries to match at s.i; on a match it writes and moves past. ----

// secrets.cpp
bool TryPemBlock(Scan& s);       // -----BEGIN … PRIVATE KEY----- … -----END …-----, PuTTY key files
bool TryKeyValue(Scan& s);       // password=…, "token": "…", --password …, password is …
bool TryAuthScheme(Scan& s);     // Bearer …, Basic …, Token …
bool TryTokenPrefix(Scan& s);    // sk-…, ghp_…, AKIA…, xoxb-…: provider tokens by prefix
bool TryJwt(Scan& s);            // eyJ….….…
bool TryLongSecret(Scan& s);     // long hex or random-looking base64
// Prefix first bytes TryTokenPrefix() can match: the dispatcher's constant-time guard.
bool StartsTokenPrefix(char c);

// network.cpp
bool TryUrl(Scan& s);            // scheme://credentials@host/path?query
bool TryEmail(Scan& s);          // local@domain, non-ASCII and IDN too
bool TryIpv4(Scan& s);           // dotted decimal, leading zeros, hex-dotted
bool TryGluedIpv4(Scan& s);      // an IPv4 address right after a word: ip_10.0.0.5
bool TryIpv6(Scan& s);           // full, compressed, IPv4-mapped, with a zone
bool TryMac(Scan& s);            // aa:bb:cc:dd:ee:ff, AA-BB-…, aabb.ccdd.eeff
bool TryHostName(Scan& s);       // Janes-MacBook-Pro.local, DESKTOP-1D8K0YZ, jane-ThinkPad
bool TryDeviceName(Scan& s);     // Jane's MacBook Pro

// paths.cpp
bool TryPath(Scan& s, bool after_scheme);  // POSIX, Windows, UNC, ~user, %USERPROFILE%\, $HOME/
bool TryGluedHomePath(Scan& s);            // a home folder inside a longer path: x/home/alice/…

// numbers.cpp
bool TryCard(Scan& s);           // payment card numbers (Luhn)
bool TryIban(Scan& s);           // IBANs (mod 97)
bool TrySsn(Scan& s);            // US social security numbers
bool TryPhone(Scan& s);          // +44 20 7946 0958, (415) 555-2671, 415-555-2671

}  // namespace phonehome::scrub

#endif  // PHONEHOME_SCRUB_SCAN_H
