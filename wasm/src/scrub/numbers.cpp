// scrub/numbers.cpp: numbers that name a person or an account. Each format's checksum or numbering
// rules are verified, so ordinary numbers (ids, timestamps, sizes) that only look alike stay.
#include "scrub/scan.h"

namespace phonehome::scrub {
namespace {

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
// 1111, 3782-822463-10005, 4111.1111.1111.1111), starting as card networks do (2 to 6), passing
// the Luhn check.
bool TryCard(Scan& s) {
  char digits[kMaxCardDigits];
  size_t count = 0, groups = 0, p = s.i;
  char separator = '\0';
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
    const char c = s.At(p);
    if ((c == ' ' || c == '-' || c == '.') && IsDigit(s.At(p + 1)) && (separator == '\0' || separator == c)) {
      separator = c;
      ++p;
      continue;
    }
    break;
  }
  if (count < kMinCardDigits || s.Glued(p) || s.Continues(p, " -.")) return false;
  if (digits[0] < '2' || digits[0] > '6') return false;
  bool zeros = true;
  for (size_t k = 1; k < count; ++k) zeros = zeros && digits[k] == '0';
  if (zeros || !PassesLuhn(digits, count)) return false;
  return s.Emit(kCard, p);
}

// Two letters naming a country, two check digits and the account, electronic (DE89370400440532013000)
// or printed in groups of four; the country's length and the mod-97 check must hold.
bool TryIban(Scan& s) {
  const size_t at = s.i;
  if (!IsAlpha(s.At(at + 1)) || !IsDigit(s.At(at + 2)) || !IsDigit(s.At(at + 3))) return false;
  const size_t length = IbanLengthFor(static_cast<char>(s.s[at] & ~0x20), static_cast<char>(s.s[at + 1] & ~0x20));
  if (length == 0) return false;
  char chars[kMaxIbanLength];
  size_t count = 0, p = at;
  while (count < length) {
    const char c = s.At(p);
    if (IsAlnum(c)) {
      chars[count++] = IsLower(c) ? static_cast<char>(c - 'a' + 'A') : c;
      ++p;
    } else if (c == ' ' && count > 0 && count % 4 == 0 && IsAlnum(s.At(p + 1))) {
      ++p;
    } else {
      break;
    }
  }
  if (count != length || s.Glued(p) || !PassesMod97(chars, count)) return false;
  return s.Emit(kIban, p);
}

// AAA-GG-SSSS, with the numbers the Social Security Administration never issues ruled out: area
// 000, 666 or 900-999, group 00, serial 0000.
bool TrySsn(Scan& s) {
  const size_t at = s.i;
  for (size_t k : {0, 1, 2, 4, 5, 7, 8, 9, 10}) {
    if (!IsDigit(s.At(at + k))) return false;
  }
  if (s.At(at + 3) != '-' || s.At(at + 6) != '-') return false;
  const size_t end = at + 11;
  if (s.Glued(end) || s.Continues(end, "-")) return false;
  const std::string_view area = s.s.substr(at, 3), group = s.s.substr(at + 4, 2), serial = s.s.substr(at + 7, 4);
  if (area == "000" || area == "666" || area[0] == '9' || group == "00" || serial == "0000") return false;
  return s.Emit(kSsn, end);
}

// International numbers written with their country code (+44 20 7946 0958, +1 (415) 555-2671,
// +14155552671), and North American ones with separators ((415) 555-2671, 415-555-2671,
// 415.555.2671, 1-415-555-2671). Bare runs of digits are left alone: they are ids as often.
bool TryPhone(Scan& s) {
  size_t p = s.i;
  auto continues = [&](size_t at) {
    return s.Glued(at) || s.Continues(at, "-.");
  };
  if (s.At(p) == '+') {
    ++p;
    if (!IsDigit(s.At(p))) return false;
    size_t digits = 0;
    while (p < s.limit) {
      const char c = s.s[p];
      if (IsDigit(c)) {
        if (++digits > kMaxPhoneDigits) return false;
        ++p;
      } else if ((c == ' ' || c == '-' || c == '.') && (IsDigit(s.At(p + 1)) || (c == ' ' && s.At(p + 1) == '('))) {
        ++p;
      } else if (c == '(' && IsDigit(s.At(p + 1))) {
        size_t close = p + 1;
        while (IsDigit(s.At(close)) && close - p <= 4) ++close;
        if (s.At(close) != ')') break;
        digits += close - p - 1;
        p = close + 1;
        if (s.At(p) == ' ' && IsDigit(s.At(p + 1))) ++p;
      } else {
        break;
      }
    }
    if (digits < kMinPhoneDigits || digits > kMaxPhoneDigits || continues(p) || s.Continues(p, " (")) return false;
    return s.Emit(kPhone, p);
  }
  // North American: area code and exchange start with 2-9.
  auto nxx = [&](size_t at) { return s.At(at) >= '2' && s.At(at) <= '9' && IsDigit(s.At(at + 1)) && IsDigit(s.At(at + 2)); };
  auto four = [&](size_t at) { return IsDigit(s.At(at)) && IsDigit(s.At(at + 1)) && IsDigit(s.At(at + 2)) && IsDigit(s.At(at + 3)); };
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
    if (!nxx(p) || (between != '-' && between != '.') || (separator != '\0' && separator != between)) return false;
    if (!nxx(p + 4) || s.At(p + 7) != between || !four(p + 8)) return false;
    p += 12;
  }
  if (continues(p)) return false;
  return s.Emit(kPhone, p);
}

}  // namespace phonehome::scrub
