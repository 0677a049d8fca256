// scrub/tables.cpp: the run and count tables, in a few passes over the text.
#include "scrub/tables.h"

#include "scrub/chars.h"

namespace phonehome::scrub {
namespace {

// Character classes as bits, looked up once per byte.
enum ClassBit : uint16_t {
  kScheme = 1 << 0, kLocal = 1 << 1, kDomain = 1 << 2, kToken = 1 << 3, kBase64 = 1 << 4, kPosix = 1 << 5,
};

struct ClassTable {
  uint16_t bits[256];
  constexpr ClassTable() : bits() {
    for (int b = 0; b < 256; ++b) {
      const char c = static_cast<char>(b);
      bits[b] = static_cast<uint16_t>((IsSchemeChar(c) ? kScheme : 0) | (IsEmailLocal(c) ? kLocal : 0) |
                                      (IsDomainChar(c) ? kDomain : 0) | (IsTokenChar(c) ? kToken : 0) |
                                      (IsBase64Char(c) ? kBase64 : 0) | (IsPosixPathChar(c) ? kPosix : 0));
    }
  }
};
constexpr ClassTable kClasses;

}  // namespace

void Tables::MarkPunctuation() {
  const size_t n = text_.size();
  punct_.assign(n + 1, 0);
  auto byte = [&](size_t i) { return i < n ? static_cast<unsigned char>(text_[i]) : 0u; };
  for (size_t i = 0; i < n; ++i) {
    const unsigned b0 = byte(i), b1 = byte(i + 1), b2 = byte(i + 2);
    if (b0 < 0x80) continue;
    size_t length = 0;
    if (b0 == 0xC2 && b1 >= 0xA0 && b1 <= 0xBF) length = 2;  // U+00A0..U+00BF
    if (b0 == 0xE2 && (b1 == 0x80 || b1 == 0x81)) length = 3;  // U+2000..U+207F
    if (b0 == 0xE3 && b1 == 0x80) length = 3;                  // U+3000..U+303F
    if (b0 == 0xEF && ((b1 == 0xBC && (b2 <= 0x8F || (b2 >= 0x9A && b2 <= 0xA0) || b2 >= 0xBB)) ||
                       (b1 == 0xBD && (b2 <= 0x80 || (b2 >= 0x9B && b2 <= 0xA5))))) {
      length = 3;  // full-width punctuation
    }
    for (size_t k = 0; k < length && i + k < n; ++k) punct_[i + k] = 1;
    if (length > 0) i += length - 1;
  }
}

void Tables::Build(std::string_view text) {
  text_ = text;
  counts_ready_ = false;
  const size_t n = text.size();
  for (auto* v : {&scheme_end, &local_end, &domain_end, &token_end, &base64_end, &posix_end}) v->resize(n + 1);
  any_high_ = false;
  for (const char c : text) any_high_ = any_high_ || IsHigh(c);
  if (any_high_) MarkPunctuation();
  const auto last = static_cast<uint32_t>(n);
  scheme_end[n] = local_end[n] = domain_end[n] = token_end[n] = base64_end[n] = posix_end[n] = last;
  // Right to left: where each run of each class ends. Non-ASCII letters belong to e-mail local parts
  // and domains (IDN), non-ASCII punctuation ends paths.
  for (size_t i = n; i-- > 0;) {
    const uint16_t bits = kClasses.bits[static_cast<unsigned char>(text[i])];
    const auto here = static_cast<uint32_t>(i);
    const bool letter = Letter(i);
    scheme_end[i] = (bits & kScheme) ? scheme_end[i + 1] : here;
    local_end[i] = (bits & kLocal) || letter ? local_end[i + 1] : here;
    domain_end[i] = (bits & kDomain) || letter ? domain_end[i + 1] : here;
    token_end[i] = (bits & kToken) ? token_end[i + 1] : here;
    base64_end[i] = (bits & kBase64) ? base64_end[i + 1] : here;
    posix_end[i] = (bits & kPosix) && !Punct(i) ? posix_end[i + 1] : here;
  }
}

const Tables& Tables::Counts() {
  if (counts_ready_) return *this;
  counts_ready_ = true;
  const size_t n = text_.size();
  for (auto* v : {&domain_trim, &posix_trim, &last_dot, &non_hex, &upper, &lower, &digit, &high, &plus, &slash,
                  &equals, &case_switch}) {
    v->resize(n + 1);
  }
  domain_trim[0] = posix_trim[0] = 0;
  last_dot[0] = kNone;
  non_hex[0] = upper[0] = lower[0] = digit[0] = high[0] = plus[0] = slash[0] = equals[0] = case_switch[0] = 0;
  char previous = '\0';
  for (size_t i = 0; i < n; ++i) {
    const char c = text_[i];
    const auto next = static_cast<uint32_t>(i + 1);
    domain_trim[i + 1] = (c == '.' || c == '-') ? domain_trim[i] : next;
    posix_trim[i + 1] = (c == '.' || c == ',') ? posix_trim[i] : next;
    last_dot[i + 1] = c == '.' ? static_cast<uint32_t>(i) : last_dot[i];
    non_hex[i + 1] = non_hex[i] + !IsHex(c);
    upper[i + 1] = upper[i] + IsUpper(c);
    lower[i + 1] = lower[i] + IsLower(c);
    digit[i + 1] = digit[i] + IsDigit(c);
    high[i + 1] = high[i] + IsHigh(c);
    plus[i + 1] = plus[i] + (c == '+');
    slash[i + 1] = slash[i] + (c == '/');
    equals[i + 1] = equals[i] + (c == '=');
    case_switch[i + 1] = case_switch[i] + (IsAlpha(c) && IsAlpha(previous) && IsUpper(c) != IsUpper(previous));
    previous = c;
  }
  return *this;
}

}  // namespace phonehome::scrub
