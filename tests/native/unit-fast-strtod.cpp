// unit-fast-strtod.cpp: the Wasm builds' strtod fast path (wasm/abi/fast_strtod.cpp) gives the
// very double glibc's strtod gives, on every kind of JSON number, random ones included.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <random>
#include <string>

extern "C" double __wrap_strtod(const char* text, char** end);
// Natively, the "real" strtod behind the fast path is glibc's.
extern "C" double __real_strtod(const char* text, char** end) { return std::strtod(text, end); }

namespace {

void ExpectSame(const std::string& text) {
  char* fast_end = nullptr;
  char* libc_end = nullptr;
  const double fast = __wrap_strtod(text.c_str(), &fast_end);
  const double libc = std::strtod(text.c_str(), &libc_end);
  EXPECT_EQ(std::memcmp(&fast, &libc, sizeof fast), 0) << text << ": " << fast << " vs " << libc;
  EXPECT_EQ(fast_end - text.c_str(), libc_end - text.c_str()) << text;
}

TEST(FastStrtod, MatchesLibcOnChosenNumbers) {
  for (const char* text : {"0", "-0", "1", "-1", "0.1", "1.42", "40960.5", "1745891234.5", "1745891234500",
                           "12.5", "1e308", "1e999", "1e-400", "4.9e-324", "2.2250738585072014e-308",
                           "9007199254740993", "9007199254740992", "18446744073709551616", "123456789012345678901",
                           "0.000001", "1E22", "1e23", "1.7976931348623157e308", "0.30000000000000004",
                           "3.141592653589793", "1e-22", "1e-23", "00012.5000", "-0.0", "5e-1", "1.0e+2"}) {
    ExpectSame(text);
  }
}

TEST(FastStrtod, MatchesLibcOnRandomDecimals) {
  std::mt19937_64 random(1795240900);
  for (int i = 0; i < 200000; ++i) {
    const int integer_digits = static_cast<int>(random() % 12);
    const int fraction_digits = static_cast<int>(random() % 10);
    std::string text = random() % 4 == 0 ? "-" : "";
    text += std::to_string(random() % 10);
    for (int d = 0; d < integer_digits; ++d) text += static_cast<char>('0' + random() % 10);
    if (fraction_digits > 0) {
      text += '.';
      for (int d = 0; d < fraction_digits; ++d) text += static_cast<char>('0' + random() % 10);
    }
    if (random() % 5 == 0) text += "e" + std::to_string(static_cast<int>(random() % 61) - 30);
    ExpectSame(text);
  }
}

}  // namespace
