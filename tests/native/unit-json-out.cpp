// unit-json-out.cpp: the JSON text writers.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "json_out.h"

namespace phonehome::json_out {
namespace {

std::string Str(std::string_view text) {
  std::string out;
  AppendString(out, text);
  return out;
}

std::string Num(double value) {
  std::string out;
  AppendNumber(out, value);
  return out;
}

TEST(JsonOut, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(Str("plain"), "\"plain\"");
  EXPECT_EQ(Str("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(Str(std::string("\n\t\r\x01\0", 5)), "\"\\n\\t\\r\\u0001\\u0000\"");
  EXPECT_EQ(Str("caf\xC3\xA9"), "\"caf\xC3\xA9\"");  // UTF-8 passes through
}

TEST(JsonOut, NumbersHaveOneSpelling) {
  EXPECT_EQ(Num(3600.0), "3600");
  EXPECT_EQ(Num(-0.0), "0");
  EXPECT_EQ(Num(1.42), "1.42");
  EXPECT_EQ(Num(0.1), "0.1");
  EXPECT_EQ(Num(1e300), "1e+300");
}

TEST(JsonOut, IntegersAtTheirLimits) {
  std::string out;
  AppendInt(out, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(out, "-9223372036854775808");
  out.clear();
  AppendUint(out, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(out, "18446744073709551615");
}

}  // namespace
}  // namespace phonehome::json_out
