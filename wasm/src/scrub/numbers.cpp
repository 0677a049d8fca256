// scrub/numbers.cpp: numbers that name a person or an account. Each format's checksum or numbering
// rules are verified, so ordinary numbers (ids, timestamps, sizes) that only look alike stay.
#include "scrub/scan.h"

namespace phonehome::scrub {
namespace {

// ---- separators -------------------------------------------------------------------------------

// The spaces typesetters and locales put between digit groups: no-break (U+00A0), figure
// (U+2007), thin (U+2009) and narrow no-break (U+202F).
size_t WideSpaceLength(const Scan& s, size_t at) {
  const auto b0 = static_cast<unsigned char>(s.At(at)), b1 = static_cast<unsigned char>(s.At(at + 1));
  const auto b2 = static_cast<unsigned char>(s.At(at + 2));
  if (b0 == 0xC2 && b1 == 0xA0) return 2;
  if (b0 == 0xE2 && b1 == 0x80 && (b2 == 0x87 || b2 == 0x89 || b2 == 0xAF)) return 3;
  return 0;
}

// NumberBefore() is true when a digit ends at `at`, or a placeholder, which stands for what a first
// pass found there.
bool NumberBefore(const Scan& s, size_t at) {
  return at > s.begin && (IsDigit(s.s[at - 1]) || (s.s[at - 1] == '>' && Scan::PlaceholderBefore(s.s.substr(s.begin), at - s.begin)));
}

// GroupSeparator() is the separator between digit groups at `at`, or "": one of " -._", a wide
// space, two spaces, " - ", or (SSNs) an en dash. A separator joins groups only when a digit or a
// placeholder (what a first pass made of one) follows it.
std::string_view GroupSeparator(const Scan& s, size_t at, bool en_dash = false) {
  size_t length = 0;
  const char c = s.At(at);
  if (c == ' ' && s.At(at + 1) == '-' && s.At(at + 2) == ' ') {
    length = 3;
  } else if (c == ' ' && s.At(at + 1) == ' ') {
    length = 2;
  } else if (c == ' ' || c == '-' || c == '.' || c == '_') {
    length = 1;
  } else if (en_dash && s.Matches(at, "\xE2\x80\x93")) {
    length = 3;
  } else {
    length = WideSpaceLength(s, at);
  }
  if (length == 0 || !(IsDigit(s.At(at + length)) || s.PlaceholderAt(at + length))) return {};
  return s.s.substr(at, length);
}

// ---- payment cards ----------------------------------------------------------------------------

constexpr size_t kMinCardDigits = 13;
constexpr size_t kMaxCardDigits = 19;

bool PassesLuhn(const char* digits, size_t count) {
  int sum = 0;
  for (size_t k = 0; k < count; ++k) {
    int d = digits[count - 1 - k] - '0';
    if (k % 2 == 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 == 0;
}

// ---- IBAN -------------------------------------------------------------------------------------

struct IbanLength {
  char country[3];
  uint8_t length;
};

// IBAN lengths by country (SWIFT's IBAN registry).
constexpr IbanLength kIbanLengths[] = {
    {"AD", 24}, {"AE", 23}, {"AL", 28}, {"AT", 20}, {"AZ", 28}, {"BA", 20}, {"BE", 16}, {"BG", 22}, {"BH", 22},
    {"BI", 27}, {"BR", 29}, {"BY", 28}, {"CH", 21}, {"CR", 22}, {"CY", 28}, {"CZ", 24}, {"DE", 22}, {"DJ", 27},
    {"DK", 18}, {"DO", 28}, {"EE", 20}, {"EG", 29}, {"ES", 24}, {"FI", 18}, {"FK", 18}, {"FO", 18}, {"FR", 27},
    {"GB", 22}, {"GE", 22}, {"GI", 23}, {"GL", 18}, {"GR", 27}, {"GT", 28}, {"HN", 28}, {"HR", 21}, {"HU", 28},
    {"IE", 22}, {"IL", 23}, {"IQ", 23}, {"IS", 26}, {"IT", 27}, {"JO", 30}, {"KW", 30}, {"KZ", 20}, {"LB", 28},
    {"LC", 32}, {"LI", 21}, {"LT", 20}, {"LU", 20}, {"LV", 21}, {"LY", 25}, {"MC", 27}, {"MD", 24}, {"ME", 22},
    {"MK", 19}, {"MN", 20}, {"MR", 27}, {"MT", 31}, {"MU", 30}, {"NI", 28}, {"NL", 18}, {"NO", 15}, {"OM", 23},
    {"PK", 24}, {"PL", 28}, {"PS", 29}, {"PT", 25}, {"QA", 29}, {"RO", 24}, {"RS", 22}, {"RU", 33}, {"SA", 24},
    {"SC", 31}, {"SD", 18}, {"SE", 24}, {"SI", 19}, {"SK", 24}, {"SM", 27}, {"SO", 23}, {"ST", 25}, {"SV", 28},
    {"TL", 23}, {"TN", 24}, {"TR", 26}, {"UA", 29}, {"VA", 22}, {"VG", 24}, {"XK", 20}, {"YE", 30},
};
constexpr size_t kMaxIbanLength = 34;

size_t IbanLengthFor(char first, char second) {
  for (const IbanLength& entry : kIbanLengths) {
    if (entry.country[0] == first && entry.country[1] == second) return entry.length;
  }
  return 0;
}

// ISO 7064 MOD 97-10 over the IBAN with its first four characters moved to the end, letters read as
// 10..35: a valid IBAN leaves 1.
bool PassesMod97(const char* chars, size_t count) {
  int remainder = 0;
  for (size_t k = 0; k < count; ++k) {
    const char c = chars[(k + 4) % count];
    if (IsDigit(c)) {
      remainder = (remainder * 10 + (c - '0')) % 97;
    } else {
      const int value = c - 'A' + 10;
      remainder = (remainder * 100 + value) % 97;
    }
  }
  return remainder == 1;
}

// ---- phone numbers ----------------------------------------------------------------------------

constexpr size_t kMinPhoneDigits = 8;   // a country code and the shortest national numbers
constexpr size_t kMaxPhoneDigits = 15;  // E.164

}  // namespace

// 13 to 19 digits, plain or in groups of 3 to 6 joined by one kind of separator (4111 1111 1111
// 1111, 3782-822463-10005, 4111.1111.1111.1111, 4111_1111_…, 4111 - 1111 - …, no-break and thin
// spaces), starting as card networks do (2 to 6), passing the Luhn check.
bool TryCard(Scan& s) {
  char digits[kMaxCardDigits];
  size_t count = 0, groups = 0, p = s.i;
  std::string_view separator;
  while (true) {
    size_t group = 0;
    while (IsDigit(s.At(p))) {
      if (count == kMaxCardDigits) return false;  // a longer number: an id, not a card
      digits[count++] = s.s[p++];
      ++group;
    }
    ++groups;
    if (groups == 1 && group >= kMinCardDigits) break;
    if (group < 3 || group > 6) return false;
    const std::string_view next = GroupSeparator(s, p);
    if (!next.empty() && IsDigit(s.At(p + next.size())) && (separator.empty() || separator == next)) {
      separator = next;
      p += next.size();
      continue;
    }
    break;
  }
  // More digits after the same separator, or any one-character one, make a longer number.
  const std::string_view after = GroupSeparator(s, p);
  if (count < kMinCardDigits || s.Glued(p) || (!after.empty() && (after == separator || after.size() == 1))) {
    return false;
  }
  if (digits[0] < '2' || digits[0] > '6') return false;
  bool zeros = true;
  for (size_t k = 1; k < count; ++k) zeros = zeros && digits[k] == '0';
  if (zeros || !PassesLuhn(digits, count)) return false;
  return s.Emit(kCard, p);
}

// Two letters naming a country, two check digits and the account, electronic (DE89370400440532013000)
// or printed: the first four, then groups of four or three (DE89 370 400 …), joined by one kind of
// separator (a space, "-", ".", "_", a no-break or thin space). The country's length and the
// mod-97 check must hold.
bool TryIban(Scan& s) {
  const size_t at = s.i;
  if (!IsAlpha(s.At(at + 1)) || !IsDigit(s.At(at + 2)) || !IsDigit(s.At(at + 3))) return false;
  const size_t length = IbanLengthFor(static_cast<char>(s.s[at] & ~0x20), static_cast<char>(s.s[at + 1] & ~0x20));
  if (length == 0) return false;
  char chars[kMaxIbanLength];
  size_t count = 0, p = at, group = 0, group_size = 0;
  std::string_view separator;
  while (count < length) {
    const char c = s.At(p);
    if (IsAlnum(c)) {
      chars[count++] = IsLower(c) ? static_cast<char>(c - 'a' + 'A') : c;
      ++p;
      ++group;
      continue;
    }
    const size_t width = (c == ' ' || c == '-' || c == '.' || c == '_') ? 1 : WideSpaceLength(s, p);
    if (width == 0 || !IsAlnum(s.At(p + width))) break;
    const std::string_view next = s.s.substr(p, width);
    if (!separator.empty() && next != separator) break;
    if (count == group ? group != 4 : (group_size == 0 ? group != 3 && group != 4 : group != group_size)) break;
    if (count != group) group_size = group;
    separator = next;
    p += width;
    group = 0;
  }
  if (count != length || s.Glued(p) || !PassesMod97(chars, count)) return false;
  // Joined by "-", "." or "_", more of the same after it makes a longer token.
  if (separator.size() == 1 && separator[0] != ' ' && s.Matches(p, separator) &&
      (IsAlnum(s.At(p + 1)) || s.PlaceholderAt(p + 1))) {
    return false;
  }
  return s.Emit(kIban, p);
}

// AAA-GG-SSSS, the dashes also written as spaces, dots, "_" or en dashes (the same both times),
// with the numbers the Social Security Administration never issues ruled out: area 000, 666 or
// 900-999, group 00, serial 0000. Nine bare digits are left alone: they are ids as often.
bool TrySsn(Scan& s) {
  const size_t at = s.i;
  if (!IsDigit(s.At(at)) || !IsDigit(s.At(at + 1)) || !IsDigit(s.At(at + 2))) return false;
  const std::string_view separator = GroupSeparator(s, at + 3, true);
  if (separator.empty() || separator == "  " || separator == " - ") return false;
  // A group of a longer spaced or dotted number (12 345 67 8901) is not one.
  if (separator != "-" && at >= s.begin + separator.size() && s.Matches(at - separator.size(), separator) &&
      NumberBefore(s, at - separator.size())) {
    return false;
  }
  const size_t group_at = at + 3 + separator.size(), serial_at = group_at + 2 + separator.size();
  if (!IsDigit(s.At(group_at)) || !IsDigit(s.At(group_at + 1)) || !s.Matches(group_at + 2, separator)) return false;
  for (size_t k = 0; k < 4; ++k) {
    if (!IsDigit(s.At(serial_at + k))) return false;
  }
  const size_t end = serial_at + 4;
  if (s.Glued(end) || GroupSeparator(s, end, true) == separator) return false;
  const std::string_view area = s.s.substr(at, 3), group = s.s.substr(group_at, 2), serial = s.s.substr(serial_at, 4);
  if (area == "000" || area == "666" || area[0] == '9' || group == "00" || serial == "0000") return false;
  return s.Emit(kSsn, end);
}

// International numbers written with their country code, after "+" or the "00" dialled instead
// (+44 20 7946 0958, 0044 20 7946 0958, +1 (415) 555-2671, +14155552671, no-break spaces too), and
// North American ones with separators ((415) 555-2671, 415-555-2671, 415.555.2671, 1-415-555-2671,
// 415 555 2671). Bare runs of digits are left alone: they are ids as often.
bool TryPhone(Scan& s) {
  size_t p = s.i;
  // A separator inside a number: " ", "-", "." or a wide space.
  auto separator_width = [&](size_t at) -> size_t {
    const char c = s.At(at);
    return (c == ' ' || c == '-' || c == '.') ? 1 : WideSpaceLength(s, at);
  };
  size_t dashes_or_dots = 0;  // a dialled number is written with spaces
  // More of a number at `at`: a separator or "(" then a digit, or a placeholder a first pass made of one.
  auto joins = [&](size_t at) {
    const size_t width = s.At(at) == '(' ? 1 : separator_width(at);
    return width > 0 && (IsDigit(s.At(at + width)) || s.PlaceholderAt(at + width));
  };
  const bool plus = s.At(p) == '+';
  // "00" dialled before a country code, not a group of a longer number (DE89 3704 0044 0532 …).
  const bool dialled = !plus && s.Matches(p, "00") &&
                       !(s.i > s.begin && !IsAlnum(s.s[s.i - 1]) && NumberBefore(s, s.i - 1));
  if (plus || dialled) {
    p += plus ? 1 : 2;
    // No country code starts with 0.
    if (s.At(p) < '1' || s.At(p) > '9') return false;
    const size_t code_at = p;
    char national[4] = {};  // the first digits, to check North American numbers
    size_t digits = 0, groups = 1, group = 0, four_digit_groups = 0, first_group = 0;
    while (p < s.limit) {
      const char c = s.s[p];
      const size_t width = separator_width(p);
      if (IsDigit(c)) {
        if (++digits > kMaxPhoneDigits) return false;
        if (digits <= 4) national[digits - 1] = c;
        ++group;
        ++p;
      } else if (width > 0 && (IsDigit(s.At(p + width)) || (c != '-' && c != '.' && s.At(p + width) == '('))) {
        if (groups == 1) first_group = group;
        four_digit_groups += group == 4;
        dashes_or_dots += c == '-' || c == '.';
        ++groups;
        group = 0;
        p += width;
      } else if (c == '(' && IsDigit(s.At(p + 1))) {
        size_t close = p + 1;
        while (IsDigit(s.At(close)) && close - p <= 4) ++close;
        if (s.At(close) != ')') break;
        for (size_t k = p + 1; k < close; ++k) {
          if (++digits <= 4) national[digits - 1] = s.s[k];
        }
        p = close + 1;
        if (s.At(p) == ' ' && IsDigit(s.At(p + 1))) ++p;
      } else {
        break;
      }
    }
    four_digit_groups += group == 4;
    if (groups == 1) first_group = group;
    if (digits < kMinPhoneDigits || digits > kMaxPhoneDigits || s.Glued(p) || joins(p)) return false;
    // +1 is North America: ten digits after it, area code and exchange starting with 2-9. So a
    // signed number (delta +1234567890) is not one.
    if (s.At(code_at) == '1' && (digits != 11 || national[1] < '2' || national[1] > '9')) return false;
    // "00" reads as a dialled prefix only before a country code of one to three digits set apart,
    // and not in a row of four-digit groups (a hex dump: 0044 2079 4609 5800).
    if (dialled && (groups < 3 || first_group > 3 || four_digit_groups + 1 >= groups || dashes_or_dots > 0)) return false;
    return s.Emit(kPhone, p);
  }
  // North American: area code and exchange start with 2-9.
  auto nxx = [&](size_t at) { return s.At(at) >= '2' && s.At(at) <= '9' && IsDigit(s.At(at + 1)) && IsDigit(s.At(at + 2)); };
  auto four = [&](size_t at) { return IsDigit(s.At(at)) && IsDigit(s.At(at + 1)) && IsDigit(s.At(at + 2)) && IsDigit(s.At(at + 3)); };
  bool spaced = false;
  if (s.At(p) == '(') {
    if (!nxx(p + 1) || s.At(p + 4) != ')') return false;
    p += 5;
    if (s.At(p) == ' ') ++p;
    const char separator = s.At(p + 3);
    if (!nxx(p) || (separator != '-' && separator != '.' && separator != ' ') || !four(p + 4)) return false;
    p += 8;
  } else {
    char separator = '\0';
    if (s.At(p) == '1' && (s.At(p + 1) == '-' || s.At(p + 1) == '.')) {
      separator = s.At(p + 1);
      p += 2;
    }
    const char between = s.At(p + 3);
    if (!nxx(p) || (between != '-' && between != '.' && between != ' ') || (separator != '\0' && separator != between)) {
      return false;
    }
    if (!nxx(p + 4) || s.At(p + 7) != between || !four(p + 8)) return false;
    spaced = between == ' ';
    p += 12;
  }
  if (s.Glued(p) || s.Continues(p, spaced ? " -." : "-.")) return false;
  if (spaced) {
    // Three numbers in a row are more often sizes (256 512 1024, 800 600 1200) or a row of a
    // table: not after another number, not ending in round hundreds or a power of two.
    if (s.i > s.begin && s.s[s.i - 1] == ' ' && NumberBefore(s, s.i - 1)) return false;
    const std::string_view last = s.s.substr(p - 4, 4);
    if (last.substr(2) == "00" || last == "1024" || last == "2048" || last == "4096" || last == "8192") return false;
  }
  return s.Emit(kPhone, p);
}

}  // namespace phonehome::scrub
