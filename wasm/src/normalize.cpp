// normalize.cpp: value normalization for the catalogue's field kinds: one reader per kind (UUIDs,
// versions, times, enums, query-string numbers), each with the small helpers only it uses, which
// is why it is longer than most files.
#include "normalize.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "ascii.h"
#include "scrub.h"

namespace phonehome::normalize {
namespace {

using ascii::IsAlnum;
using ascii::IsDigit;
using ascii::IsSpace;
constexpr char Lower(char c) { return ascii::ToLower(c); }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && IsSpace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// DaysFromCivil() counts days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
// algorithm), so no time zone database or libc time function is needed.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool IsLeapYear(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// ReadDigits() reads exactly `count` decimal digits at `pos`.
bool ReadDigits(std::string_view s, size_t& pos, size_t count, int& value) {
  if (pos + count > s.size()) return false;
  value = 0;
  for (size_t i = 0; i < count; ++i) {
    const char c = s[pos + i];
    if (!IsDigit(c)) return false;
    value = value * 10 + (c - '0');
  }
  pos += count;
  return true;
}

Status CheckTimeRange(int64_t ms) {
  return ms >= kMinTimeMs && ms < kMaxTimeMs ? Status::ok : Status::out_of_range;
}

// AppendNumericPart() appends one dot-separated numeric version part without leading zeros.
bool AppendNumericPart(std::string_view part, std::string& out) {
  if (part.empty() || part.size() > 10) return false;
  for (char c : part) {
    if (!IsDigit(c)) return false;
  }
  while (part.size() > 1 && part.front() == '0') part.remove_prefix(1);
  out.append(part);
  return true;
}

// IsIdentifierList() checks semver's dot-separated pre-release and build identifiers, each short
// enough that it cannot hold a key.
bool IsIdentifierList(std::string_view s) {
  if (s.empty()) return false;
  size_t part = 0;
  for (char c : s) {
    if (c == '.') {
      if (part == 0) return false;
      part = 0;
    } else if ((IsAlnum(c) || c == '-') && part < kMaxVersionIdentifier) {
      ++part;
    } else {
      return false;
    }
  }
  return part > 0;
}

// IsPlainVersion() is true for "0.4.0", "v3.12", "2024.11.30": a "v" and at most three numeric
// parts of at most 8 digits, fewer than 13 digits, not shaped as a phone number (3.3.4 digits) or a Cisco MAC address
// (4.4.4). No scrubbing rule can match such a version, so it needs no scrubber pass: most versions
// are these, and a pass costs more than the rest of the field.
bool IsPlainVersion(std::string_view version) {
  if (!version.empty() && (version.front() == 'v' || version.front() == 'V')) version.remove_prefix(1);
  size_t parts = 0, digits = 0, length = 0;
  size_t lengths[3] = {0, 0, 0};
  for (size_t i = 0; i <= version.size(); ++i) {
    if (i < version.size() && IsDigit(version[i])) {
      ++length;
      ++digits;
    } else if (i == version.size() || version[i] == '.') {
      if (length == 0 || length > 8 || parts == 3) return false;
      lengths[parts++] = length;
      length = 0;
    } else {
      return false;
    }
  }
  const bool phone = parts == 3 && lengths[0] == 3 && lengths[1] == 3 && lengths[2] == 4;
  const bool mac = parts == 3 && lengths[0] == 4 && lengths[1] == 4 && lengths[2] == 4;
  return digits < 13 && !phone && !mac;
}

// InvisibleLength() is the length of the character at in[i] when it is one of Unicode's default-
// ignorable code points (soft hyphen, zero-width spaces and joiners, direction marks, variation
// selectors, tags, Hangul fillers…), else 0. They render as nothing, so a token with one inside
// reads the same to a person and escapes every scanner: they are removed before anything else.
size_t InvisibleLength(std::string_view in, size_t i) {
  auto byte = [&](size_t k) { return i + k < in.size() ? static_cast<unsigned char>(in[i + k]) : 0u; };
  const unsigned b0 = byte(0), b1 = byte(1), b2 = byte(2), b3 = byte(3);
  if (b0 < 0xC2) return 0;
  if ((b0 == 0xC2 && b1 == 0xAD) || (b0 == 0xCD && b1 == 0x8F) || (b0 == 0xD8 && b1 == 0x9C)) return 2;  // U+00AD U+034F U+061C
  if (b0 == 0xE1 && ((b1 == 0x85 && (b2 == 0x9F || b2 == 0xA0)) || (b1 == 0x9E && (b2 == 0xB4 || b2 == 0xB5)) ||
                     (b1 == 0xA0 && b2 >= 0x8B && b2 <= 0x8F))) {
    return 3;  // U+115F U+1160 U+17B4 U+17B5 U+180B-U+180F
  }
  if (b0 == 0xE2 && ((b1 == 0x80 && ((b2 >= 0x8B && b2 <= 0x8F) || (b2 >= 0xAA && b2 <= 0xAE))) || (b1 == 0x81 && b2 >= 0xA0))) {
    return 3;  // U+200B-U+200F U+202A-U+202E U+2060-U+206F
  }
  if ((b0 == 0xE3 && b1 == 0x85 && b2 == 0xA4) || (b0 == 0xEF && ((b1 == 0xB8 && b2 <= 0x8F) || (b1 == 0xBB && b2 == 0xBF) ||
                                                                 (b1 == 0xBE && b2 == 0xA0) || (b1 == 0xBF && b2 >= 0xB0 && b2 <= 0xB8)))) {
    return 3;  // U+3164 U+FE00-U+FE0F U+FEFF U+FFA0 U+FFF0-U+FFF8
  }
  if ((b0 == 0xF0 && b1 == 0x9D && b2 == 0x85 && b3 >= 0xB3 && b3 <= 0xBA) || (b0 == 0xF3 && b1 == 0xA0)) return 4;  // U+1D173-U+1D17A U+E0000-U+E0FFF
  return 0;
}

}  // namespace

void CleanText(std::string_view in, std::string& out, bool keep_newlines) {
  in = Trim(in);
  for (size_t i = 0; i < in.size(); ++i) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (keep_newlines && (c == '\n' || c == '\t')) {
      out.push_back(static_cast<char>(c));
      continue;
    }
    if (c < 0x20 || c == 0x7F) continue;
    if (const size_t invisible = InvisibleLength(in, i); invisible > 0) {
      i += invisible - 1;
      continue;
    }
    // C1 controls are U+0080..U+009F, encoded as C2 80..C2 9F.
    if (c == 0xC2 && i + 1 < in.size()) {
      const auto next = static_cast<unsigned char>(in[i + 1]);
      if (next >= 0x80 && next <= 0x9F) {
        ++i;
        continue;
      }
    }
    out.push_back(static_cast<char>(c));
  }
}

std::string_view CleanView(std::string_view in, std::string& buffer, bool keep_newlines) {
  bool clean = !in.empty() && !IsSpace(static_cast<unsigned char>(in.front())) && !IsSpace(static_cast<unsigned char>(in.back()));
  // Printable ASCII needs no look: skipped eight bytes at a time.
  for (size_t i = clean ? ascii::PrintablePrefix(in) : 0; clean && i < in.size(); ++i) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c < 0x20) {
      clean = keep_newlines && (c == '\n' || c == '\t');
    } else if (c == 0x7F || (c == 0xC2 && i + 1 < in.size() && static_cast<unsigned char>(in[i + 1]) <= 0x9F)) {
      clean = false;  // DEL, or a C1 control (C2 80..C2 9F)
    } else if (c >= 0xC2 && InvisibleLength(in, i) > 0) {
      clean = false;
    }
  }
  if (clean || in.empty()) return in;
  buffer.clear();
  CleanText(in, buffer, keep_newlines);
  return buffer;
}

size_t Utf8Boundary(std::string_view text, size_t max) {
  if (text.size() <= max) return text.size();
  size_t cut = max;
  // Step back over continuation bytes (10xxxxxx) to the start of the character that straddles.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return cut;
}

Status Uuid(std::string_view in, std::string& out) {
  in = Trim(in);
  if (in.size() == 38 && in.front() == '{' && in.back() == '}') in = in.substr(1, 36);
  const bool dashed = in.size() == 36;
  if (!dashed && in.size() != 32) return Status::invalid_uuid;
  const size_t start = out.size();
  size_t digits = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (dashed && (i == 8 || i == 13 || i == 18 || i == 23)) {
      if (c != '-') break;
      continue;
    }
    if (HexValue(c) < 0) break;
    if (digits == 8 || digits == 12 || digits == 16 || digits == 20) out.push_back('-');
    out.push_back(Lower(c));
    ++digits;
  }
  if (digits != 32) {
    out.resize(start);
    return Status::invalid_uuid;
  }
  return Status::ok;
}

Status Version(std::string_view in, std::string& out) {
  in = Trim(in);
  // Longer than any version (and than the scrubber should read for one: a megabyte "version" would
  // cost its run tables in memory).
  if (in.size() > kMaxVersionLength + 17) return Status::invalid_version;
  // As sent, too: a prefix dropped or a leading zero lost must not turn 078-05-1120 (an SSN) or
  // AKIA…12345 (a key) into something that reads as a version.
  const bool plain = IsPlainVersion(in);
  if (!plain && scrub::UnsafeAsSent(in)) return Status::sensitive_value;
  // A runtime's prefix: letters (and a '-' or '_' after them) before the first digit.
  size_t prefix = 0;
  while (prefix < in.size() && prefix < 16 && IsAlnum(in[prefix]) && !IsDigit(in[prefix])) ++prefix;
  if (prefix > 0 && prefix < in.size() && (in[prefix] == '-' || in[prefix] == '_')) ++prefix;
  if (prefix < in.size() && IsDigit(in[prefix])) in.remove_prefix(prefix);
  if (in.empty() || in.size() > kMaxVersionLength) return Status::invalid_version;

  const size_t build_at = in.find('+');
  std::string_view build = build_at == std::string_view::npos ? std::string_view() : in.substr(build_at + 1);
  std::string_view rest = in.substr(0, build_at);
  const size_t pre_at = rest.find('-');
  std::string_view pre = pre_at == std::string_view::npos ? std::string_view() : rest.substr(pre_at + 1);
  std::string_view core = rest.substr(0, pre_at);

  const size_t start = out.size();
  int parts = 0;
  while (true) {
    const size_t dot = core.find('.');
    if (++parts > 4 || !AppendNumericPart(core.substr(0, dot), out)) {
      out.resize(start);
      return Status::invalid_version;
    }
    if (dot == std::string_view::npos) break;
    out.push_back('.');
    core.remove_prefix(dot + 1);
  }
  if (pre_at != std::string_view::npos) {
    if (!IsIdentifierList(pre)) {
      out.resize(start);
      return Status::invalid_version;
    }
    out.push_back('-');
    out.append(pre);
  }
  if (build_at != std::string_view::npos) {
    if (!IsIdentifierList(build)) {
      out.resize(start);
      return Status::invalid_version;
    }
    out.push_back('+');
    out.append(build);
  }
  if (!plain && scrub::UnsafeAsSent(std::string_view(out).substr(start))) {
    out.resize(start);
    return Status::sensitive_value;
  }
  return Status::ok;
}

bool IsModelName(std::string_view name) {
  if (name.empty() || name.size() > 96) return false;
  bool alnum = false;
  for (char c : name) {
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.') return false;
    alnum = alnum || IsAlnum(c);
  }
  return alnum;  // "." and ".." name no repository
}

std::string_view CutVersion(std::string_view version, int parts) {
  if (parts <= 0) return version;
  size_t end = 0;
  for (int part = 0; part < parts && end < version.size(); ++part) {
    if (part > 0) {
      if (version[end] != '.') break;
      ++end;
    }
    while (end < version.size() && IsDigit(version[end])) ++end;
  }
  if (end > 0 && version[end - 1] == '.') --end;
  return version.substr(0, end);
}

namespace {

// CompareDigits() orders two runs of digits without leading zeros (as Version() writes them) by
// value, however long: the longer is larger, else the first differing digit decides.
int CompareDigits(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  const int order = a.compare(b);
  return order < 0 ? -1 : order > 0 ? 1 : 0;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) if (!IsDigit(c)) return false;
  return true;
}

// NextPart() takes the text up to the next `separator` (or the end) off the front of `rest`.
std::string_view NextPart(std::string_view& rest, char separator) {
  const size_t end = rest.find(separator);
  const std::string_view part = rest.substr(0, end);
  rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
  return part;
}

}  // namespace

int CompareVersions(std::string_view a, std::string_view b) {
  // Build metadata never orders (SemVer 2.0.0, item 10).
  a = a.substr(0, a.find('+'));
  b = b.substr(0, b.find('+'));
  const size_t a_dash = a.find('-');
  const size_t b_dash = b.find('-');
  std::string_view a_core = a.substr(0, a_dash);
  std::string_view b_core = b.substr(0, b_dash);
  // Numeric parts, a missing one read as 0: 1.2 is 1.2.0.
  while (!a_core.empty() || !b_core.empty()) {
    std::string_view a_part = NextPart(a_core, '.');
    std::string_view b_part = NextPart(b_core, '.');
    if (a_part.empty()) a_part = "0";
    if (b_part.empty()) b_part = "0";
    if (const int order = CompareDigits(a_part, b_part); order != 0) return order;
  }
  // A pre-release orders below its release; between two, identifier by identifier.
  const bool a_pre = a_dash != std::string_view::npos;
  const bool b_pre = b_dash != std::string_view::npos;
  if (!a_pre || !b_pre) return a_pre == b_pre ? 0 : (a_pre ? -1 : 1);
  std::string_view a_rest = a.substr(a_dash + 1);
  std::string_view b_rest = b.substr(b_dash + 1);
  while (!a_rest.empty() && !b_rest.empty()) {
    const std::string_view a_id = NextPart(a_rest, '.');
    const std::string_view b_id = NextPart(b_rest, '.');
    const bool a_number = AllDigits(a_id);
    const bool b_number = AllDigits(b_id);
    int order = 0;
    if (a_number && b_number) {
      order = CompareDigits(a_id, b_id);
    } else if (a_number != b_number) {
      order = a_number ? -1 : 1;  // numeric identifiers order below alphanumeric ones
    } else {
      const int text = a_id.compare(b_id);
      order = text < 0 ? -1 : text > 0 ? 1 : 0;
    }
    if (order != 0) return order;
  }
  if (a_rest.empty() == b_rest.empty()) return 0;
  return a_rest.empty() ? -1 : 1;  // more identifiers order above fewer
}

bool IsPathLike(std::string_view value) {
  if (value.empty()) return false;
  const char first = value.front();
  if (first == '/' || first == '~' || first == '.' || first == '\\') return true;
  if (value.size() >= 2 && value[1] == ':' && ((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z'))) return true;
  if (value.find('\\') != std::string_view::npos) return true;
  if (value.size() >= 5 && EqualsIgnoreCase(value.substr(0, 5), "file:")) return true;
  const size_t slash = value.find('/');
  return slash != std::string_view::npos && value.find('/', slash + 1) != std::string_view::npos;
}

Status TimestampFromNumber(double value, int64_t& ms) {
  if (!std::isfinite(value)) return Status::invalid_timestamp;
  // Below 1e11 a value is read as seconds (1e11 s is the year 5138; 1e11 ms is 1973), so the
  // two ranges cannot be confused for any time phonehome accepts.
  const double as_ms = std::fabs(value) < 1e11 ? value * 1000.0 : value;
  if (!(as_ms >= static_cast<double>(kMinTimeMs) && as_ms < static_cast<double>(kMaxTimeMs))) {
    return Status::out_of_range;
  }
  ms = static_cast<int64_t>(std::floor(as_ms));
  return Status::ok;
}

Status TimestampFromText(std::string_view in, int64_t& ms) {
  const std::string_view s = Trim(in);
  size_t pos = 0;
  int year, month, day, hour, minute, second;
  auto expect = [&](char c) {
    if (pos < s.size() && s[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  };
  if (!ReadDigits(s, pos, 4, year) || !expect('-') || !ReadDigits(s, pos, 2, month) || !expect('-') ||
      !ReadDigits(s, pos, 2, day)) {
    return Status::invalid_timestamp;
  }
  if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ')) return Status::invalid_timestamp;
  ++pos;
  if (!ReadDigits(s, pos, 2, hour) || !expect(':') || !ReadDigits(s, pos, 2, minute) || !expect(':') ||
      !ReadDigits(s, pos, 2, second)) {
    return Status::invalid_timestamp;
  }
  int millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const size_t first = pos;
    while (pos < s.size() && IsDigit(s[pos])) {
      if (pos - first < 3) millis = millis * 10 + (s[pos] - '0');
      ++pos;
    }
    const size_t count = pos - first;
    if (count == 0 || count > 9) return Status::invalid_timestamp;
    for (size_t i = count; i < 3; ++i) millis *= 10;
  }
  int offset_minutes = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    const int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int oh, om;
    if (!ReadDigits(s, pos, 2, oh) || !expect(':') || !ReadDigits(s, pos, 2, om) || oh > 23 || om > 59) {
      return Status::invalid_timestamp;
    }
    offset_minutes = sign * (oh * 60 + om);
  } else {
    return Status::invalid_timestamp;  // RFC 3339 requires an offset
  }
  if (pos != s.size()) return Status::invalid_timestamp;
  if (month < 1 || month > 12 || day < 1 || static_cast<unsigned>(day) > DaysInMonth(year, month) ||
      hour > 23 || minute > 59 || second > 60) {
    return Status::invalid_timestamp;
  }
  if (second == 60) second = 59;  // a leap second is stored as the second before it
  const int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  ms = seconds * 1000 + millis;
  return CheckTimeRange(ms);
}

Status TimestampFromHeader(std::string_view in, int64_t& ms) {
  in = Trim(in);
  // A number (a JSON number in an envelope may have an exponent: 1.7952409e12) or RFC 3339 text.
  bool numeric = !in.empty() && in.size() < 32 && IsDigit(in.front());
  for (char c : in) {
    if (!IsDigit(c) && c != '.' && c != 'e' && c != 'E' && c != '+' && c != '-') numeric = false;
  }
  if (!numeric || in.find('-') < in.find_first_of("eE")) return TimestampFromText(in, ms);
  char text[32];
  std::memcpy(text, in.data(), in.size());
  text[in.size()] = '\0';
  return TimestampFromNumber(std::strtod(text, nullptr), ms);
}

bool BoolFromText(std::string_view in, bool& value) {
  in = Trim(in);
  if (EqualsIgnoreCase(in, "true")) {
    value = true;
    return true;
  }
  if (EqualsIgnoreCase(in, "false")) {
    value = false;
    return true;
  }
  return false;
}

bool NumberFromText(std::string_view in, double& number, bool& is_integer, int64_t& integer) {
  in = Trim(in);
  constexpr size_t kLongestNumber = 64;
  if (in.empty() || in.size() > kLongestNumber) return false;
  size_t i = 0;
  auto digits = [&] {
    const size_t start = i;
    while (i < in.size() && IsDigit(in[i])) ++i;
    return i - start;
  };
  if (in[i] == '-') ++i;
  const size_t first_digit = i;
  const size_t whole = digits();
  if (whole == 0 || (whole > 1 && in[first_digit] == '0')) return false;
  bool plain = true;
  if (i < in.size() && in[i] == '.') {
    ++i;
    if (digits() == 0) return false;
    plain = false;
  }
  if (i < in.size() && (in[i] == 'e' || in[i] == 'E')) {
    ++i;
    if (i < in.size() && (in[i] == '+' || in[i] == '-')) ++i;
    if (digits() == 0) return false;
    plain = false;
  }
  if (i != in.size()) return false;
  char text[kLongestNumber + 1];
  std::memcpy(text, in.data(), in.size());
  text[in.size()] = '\0';
  number = std::strtod(text, nullptr);
  if (!std::isfinite(number)) return false;
  // 18 digits always fit an int64_t; longer whole numbers are read as doubles, as JSON's are.
  is_integer = plain && whole <= 18;
  if (is_integer) integer = std::strtoll(text, nullptr, 10);
  return true;
}

int EnumIndex(const catalogue::EnumSpec& spec, std::string_view in) {
  in = Trim(in);
  for (uint16_t i = 0; i < spec.value_count; ++i) {
    if (EqualsIgnoreCase(spec.values[i], in)) return i;
  }
  for (uint16_t i = 0; i < spec.alias_count; ++i) {
    if (EqualsIgnoreCase(spec.aliases[i].spelling, in)) return spec.aliases[i].value;
  }
  return -1;
}

}  // namespace phonehome::normalize
