// fast_strtod.cpp: a faster strtod for the Wasm builds, linked in with -Wl,--wrap=strtod.
//
// nlohmann's lexer reads every JSON number with strtod. The libc of both Wasm toolchains (musl)
// does that with software long-double arithmetic, which was a quarter of the core's time on
// number-heavy events. Nearly every number telemetry sends (1.42, 40960.5, 1745891234.5) has at
// most 15 significant digits and a small exponent: for those the result is one multiplication or
// division of two exactly representable doubles, which IEEE 754 rounds correctly (Clinger's fast
// path), so the result is the same double libc computes. Anything else goes to libc's strtod.
#include <cstdint>

extern "C" double __real_strtod(const char* text, char** end);

namespace {

constexpr double kPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
constexpr uint64_t kMaxExact = uint64_t{1} << 53;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

extern "C" double __wrap_strtod(const char* text, char** end) {
  const char* p = text;
  const bool negative = *p == '-';
  if (negative || *p == '+') ++p;
  uint64_t significand = 0;
  int significant_digits = 0;
  int exponent = 0;
  bool any_digit = false;
  for (; IsDigit(*p); ++p) {
    any_digit = true;
    if (significand == 0 && *p == '0') continue;  // leading zeros are not significant
    if (++significant_digits > 19) return __real_strtod(text, end);
    significand = significand * 10 + static_cast<uint64_t>(*p - '0');
  }
  if (*p == '.') {
    for (++p; IsDigit(*p); ++p) {
      any_digit = true;
      if (significand == 0 && *p == '0') {
        --exponent;
        continue;
      }
      if (++significant_digits > 19) return __real_strtod(text, end);
      significand = significand * 10 + static_cast<uint64_t>(*p - '0');
      --exponent;
    }
  }
  if (!any_digit) return __real_strtod(text, end);
  if (*p == 'e' || *p == 'E') {
    const char* q = p + 1;
    const bool negative_exponent = *q == '-';
    if (negative_exponent || *q == '+') ++q;
    if (!IsDigit(*q)) return __real_strtod(text, end);
    int written = 0;
    for (; IsDigit(*q); ++q) {
      if (written > 10000) return __real_strtod(text, end);
      written = written * 10 + (*q - '0');
    }
    exponent += negative_exponent ? -written : written;
    p = q;
  }
  if (significand > kMaxExact || exponent < -22 || exponent > 22) return __real_strtod(text, end);
  double value = static_cast<double>(significand);
  value = exponent >= 0 ? value * kPowersOfTen[exponent] : value / kPowersOfTen[-exponent];
  if (end != nullptr) *end = const_cast<char*>(p);
  return negative ? -value : value;
}
