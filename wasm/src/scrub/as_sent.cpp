// scrub/as_sent.cpp: whether a value that is stored exactly as sent could carry something personal.
#include <string>

#include "ascii.h"
#include "scrub.h"
#include "scrub/chars.h"

namespace phonehome::scrub {
namespace {

// Glued parts are at most this many: the values checked here are short (a version, a map key, a
// model id, a column), and each part costs one scrubber pass.
constexpr int kMaxGluedParts = 12;

// IsDateTimeStamp() is true for 12 or 14 digits that read as YYYYMMDDhhmm[ss] in this century or
// the last: Go's pseudo-versions (0.0.0-20191109021931-daa7c04131f5) and nightly builds carry one.
bool IsDateTimeStamp(std::string_view digits) {
  if (digits.size() != 12 && digits.size() != 14) return false;
  auto number = [&](size_t at, size_t count) {
    int value = 0;
    for (size_t k = 0; k < count; ++k) value = value * 10 + (digits[at + k] - '0');
    return value;
  };
  const int century = number(0, 2), month = number(4, 2), day = number(6, 2), hour = number(8, 2), minute = number(10, 2);
  const int second = digits.size() == 14 ? number(12, 2) : 0;
  return (century == 19 || century == 20) && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour < 24 &&
         minute < 60 && second < 60;
}

bool IsHexLetter(char c) { return IsHex(c) && !IsDigit(c); }

// IsPseudoVersionCommit() is true for the 12-hex commit of a Go pseudo-version
// (v0.0.0-20191109021931-daa7c04131f5) when all twelve happen to be digits (1 in 280).
bool IsPseudoVersionCommit(std::string_view value, size_t start, size_t run) {
  return run == 12 && start >= 15 && value[start - 1] == '-' && IsDateTimeStamp(value.substr(start - 15, 14)) &&
         (start == 15 || !IsDigit(value[start - 16]));
}

// IsDescribedCommit() is true for digits after the 'g' that git describe and setuptools-scm put
// before a commit (1.2.3-4-g0a1b2c3, 1.2.3.dev4+g0a1b2c3).
bool IsDescribedCommit(std::string_view value, size_t start) {
  return start >= 2 && value[start - 1] == 'g' && (value[start - 2] == '-' || value[start - 2] == '+' || value[start - 2] == '.');
}

// HasLongNumber() is true for a run of more than 8 digits that is not a date and time: a phone
// number, an SSN, an account or card number, whatever separators the scrubber's rules expect. A run
// touching a hex letter is part of a hex id (a UUID or commit group such as 948454193fe9, 3% of
// random UUIDs hold one), not a number.
bool HasLongNumber(std::string_view value) {
  size_t run = 0;
  for (size_t i = 0; i <= value.size(); ++i) {
    if (i < value.size() && IsDigit(value[i])) {
      ++run;
      continue;
    }
    const size_t start = i - run;
    const bool in_hex = (start > 0 && IsHexLetter(value[start - 1])) || (i < value.size() && IsHexLetter(value[i])) ||
                        IsDescribedCommit(value, start);
    if (run > 8 && !in_hex && !IsDateTimeStamp(value.substr(start, run)) && !IsPseudoVersionCommit(value, start, run)) return true;
    run = 0;
  }
  return false;
}

// IsCanonicalUuid() is true for 8-4-4-4-12 hex digits: an id that can hold nothing but itself.
bool IsCanonicalUuid(std::string_view value) {
  if (value.size() != 36) return false;
  for (size_t i = 0; i < value.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? value[i] != '-' : !IsHex(value[i])) return false;
  }
  return true;
}

// HasSmallNumberQuad() is true for four numbers of at most 255 in a row, joined by '-' or '_':
// an IPv4 address as host names and identifiers write it (ip-10-0-0-5, 192_168_1_1).
bool HasSmallNumberQuad(std::string_view value) {
  int in_row = 0;
  size_t i = 0;
  while (i < value.size()) {
    if (!IsDigit(value[i])) {
      if (value[i] != '-' && value[i] != '_') in_row = 0;
      ++i;
      continue;
    }
    const size_t start = i;
    int number = 0;
    while (i < value.size() && IsDigit(value[i]) && i - start < 4) number = number * 10 + (value[i++] - '0');
    const bool small = i - start <= 3 && number <= 255 && (i == value.size() || !IsDigit(value[i]));
    while (i < value.size() && IsDigit(value[i])) ++i;
    const bool joined_before = start > 0 && (value[start - 1] == '-' || value[start - 1] == '_');
    in_row = small ? (joined_before && in_row > 0 ? in_row + 1 : 1) : 0;
    if (in_row == 4) return true;
  }
  return false;
}

// HasHexGroupRun() is true for six or more groups of one to four hex digits joined by '_' or '-',
// one of them with a digit: an IPv6 address as an identifier writes it (x_2a02_8108_1940_5e00_…).
// UUIDs (a 12-digit group) and dates (three groups) are not.
bool HasHexGroupRun(std::string_view value) {
  constexpr int kGroups = 6;
  int groups = 0;
  bool digit = false;
  size_t i = 0;
  while (i < value.size()) {
    const size_t start = i;
    bool has_digit = false;
    while (i < value.size() && IsHex(value[i]) && i - start < 5) has_digit |= IsDigit(value[i++]);
    const size_t length = i - start;
    const bool group = length >= 1 && length <= 4 && (i == value.size() || value[i] == '_' || value[i] == '-');
    if (group) {
      digit |= has_digit;
      if (++groups >= kGroups && digit) return true;
    } else {
      groups = 0;
      digit = false;
      while (i < value.size() && value[i] != '_' && value[i] != '-') ++i;
    }
    if (i < value.size()) ++i;  // the joint
  }
  return false;
}

// HasRandomRun() is true for a run of 12 or more letters and digits that mixes upper case, lower
// case and digits and switches between them more often than every other character: a key cut into
// pieces short enough for each rule. Names do not switch that often (TinyLlama1B, Wav2Vec2Base,
// GPT4AllJ13BSnoozy), and hex commits have no upper case.
bool HasRandomRun(std::string_view value) {
  auto kind = [](char c) { return IsDigit(c) ? 0 : (c >= 'A' && c <= 'Z') ? 1 : 2; };
  size_t i = 0;
  while (i < value.size()) {
    if (!IsAlnum(value[i])) {
      ++i;
      continue;
    }
    const size_t start = i;
    int seen[3] = {0, 0, 0};
    size_t switches = 0;
    for (; i < value.size() && IsAlnum(value[i]); ++i) {
      ++seen[kind(value[i])];
      if (i > start && kind(value[i]) != kind(value[i - 1])) ++switches;
    }
    const size_t length = i - start;
    if (length >= 12 && seen[0] > 0 && seen[1] > 0 && seen[2] > 0 && 2 * switches > length) return true;
  }
  return false;
}

// Recent verdicts. A batch repeats its versions, model ids and keys in every event, and one
// verdict costs several scrubber passes; it depends only on the value.
class RecentVerdicts {
 public:
  static constexpr size_t kLongestValue = 128;

  const bool* Find(std::string_view value) const {
    for (const Entry& entry : entries_) {
      if (entry.used && ascii::SameBytes(entry.value, value)) return &entry.unsafe;
    }
    return nullptr;
  }
  bool Keep(std::string_view value, bool unsafe) {
    Entry& entry = entries_[next_];
    next_ = (next_ + 1) % kEntries;
    entry = {true, std::string(value), unsafe};
    return unsafe;
  }

 private:
  static constexpr size_t kEntries = 8;
  struct Entry {
    bool used = false;
    std::string value;
    bool unsafe = false;
  };
  Entry entries_[kEntries];
  size_t next_ = 0;
};

bool UnsafeAsSentUncached(std::string_view value);

}  // namespace

bool UnsafeAsSent(std::string_view value) {
  if (IsCanonicalUuid(value)) return false;
  if (value.size() > RecentVerdicts::kLongestValue) return UnsafeAsSentUncached(value);
  static RecentVerdicts recent;
  if (const bool* known = recent.Find(value)) return *known;
  return recent.Keep(value, UnsafeAsSentUncached(value));
}

namespace {

bool UnsafeAsSentUncached(std::string_view value) {
  if (HasHexGroupRun(value) || HasLongNumber(value) || HasSmallNumberQuad(value) || HasRandomRun(value) || Changes(value)) return true;
  // The rules look for a token where a word starts, so one glued after a version, an owner or a
  // prefix (1.0.0-Janes-MacBook-Pro, key_AKIA…, x_4111_1111_1111_1111) is read on its own too, with
  // the joints that are no part of any token read as spaces.
  std::string spaced(value);
  bool joints = false;
  for (char& c : spaced) {
    if (c == '_' || c == '+' || c == '/' || c == '=') {
      c = ' ';
      joints = true;
    }
  }
  if (joints && Changes(spaced)) return true;
  // Identifiers join words with '_' where text writes '-': jdoe_laptop, desktop_7qk2m3p.
  if (value.find('_') != std::string_view::npos) {
    std::string dashed(value);
    for (char& c : dashed) c = c == '_' ? '-' : c;
    if (Changes(dashed)) return true;
  }
  int parts = 0;
  for (size_t i = 0; i + 1 < spaced.size() && parts < kMaxGluedParts; ++i) {
    if ((spaced[i] == '-' || spaced[i] == '.') && IsAlnum(spaced[i + 1])) {
      ++parts;
      if (Changes(std::string_view(spaced).substr(i + 1))) return true;
    }
  }
  return false;
}

}  // namespace

}  // namespace phonehome::scrub
