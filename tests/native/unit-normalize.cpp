// unit-normalize.cpp: value normalization.
#include <gtest/gtest.h>

#include "normalize.h"

namespace phonehome::normalize {
namespace {

std::string UuidOf(std::string_view in) {
  std::string out;
  return Uuid(in, out) == Status::ok ? out : "invalid";
}

std::string VersionOf(std::string_view in) {
  std::string out;
  return Version(in, out) == Status::ok ? out : "invalid";
}

int64_t TimeOf(std::string_view in) {
  int64_t ms = -1;
  const Status status = TimestampFromText(in, ms);
  return status == Status::ok ? ms : -static_cast<int64_t>(status);
}

TEST(Normalize, UuidSpellingsBecomeOne) {
  EXPECT_EQ(UuidOf("8a4f3b29-6a1e-4b5c-9d2f-0e1f2a3b4c5d"), "8a4f3b29-6a1e-4b5c-9d2f-0e1f2a3b4c5d");
  EXPECT_EQ(UuidOf("8A4F3B29-6A1E-4B5C-9D2F-0E1F2A3B4C5D"), "8a4f3b29-6a1e-4b5c-9d2f-0e1f2a3b4c5d");
  EXPECT_EQ(UuidOf("{8a4f3b29-6a1e-4b5c-9d2f-0e1f2a3b4c5d}"), "8a4f3b29-6a1e-4b5c-9d2f-0e1f2a3b4c5d");
  EXPECT_EQ(UuidOf("8a4f3b296a1e4b5c9d2f0e1f2a3b4c5d"), "8a4f3b29-6a1e-4b5c-9d2f-0e1f2a3b4c5d");
}

TEST(Normalize, UuidRejectsNearMisses) {
  EXPECT_EQ(UuidOf("8a4f3b29-6a1e-4b5c-9d2f-0e1f2a3b4c5"), "invalid");    // one digit short
  EXPECT_EQ(UuidOf("8a4f3b29-6a1e-4b5c-9d2f-0e1f2a3b4c5g"), "invalid");   // not hex
  EXPECT_EQ(UuidOf("8a4f3b296-a1e-4b5c-9d2f-0e1f2a3b4c5d"), "invalid");   // dash misplaced
  EXPECT_EQ(UuidOf(""), "invalid");
}

TEST(Normalize, VersionsDropVAndLeadingZeros) {
  EXPECT_EQ(VersionOf("v0.3.1"), "0.3.1");
  EXPECT_EQ(VersionOf("1.4.2-rc.1+abc"), "1.4.2-rc.1+abc");
  EXPECT_EQ(VersionOf("01.02.03"), "1.2.3");
  EXPECT_EQ(VersionOf("3.12"), "3.12");
  EXPECT_EQ(VersionOf("latest"), "invalid");
  EXPECT_EQ(VersionOf("1..2"), "invalid");
  EXPECT_EQ(VersionOf("1.2.3.4.5"), "invalid");
  EXPECT_EQ(VersionOf("1.2.3-"), "invalid");
  EXPECT_EQ(VersionOf("1.2.3-rc..1"), "invalid");
}

// A version is stored as sent: it may not read as an address or carry a key in its labels.
TEST(Normalize, VersionsCannotCarryAnAddressOrAKey) {
  std::string out;
  for (std::string_view sensitive : {"10.0.0.5", "010.000.000.005", "v192.168.1.20", "415.555.2671",
                                     "1.0.0-AKIAIOSFODNN7EXAMPLE", "1.0.0+0123456789abcdef0123456789abcdef",
                                     "2.0.0-xoxb-123456789012",
                                     // Glued into a pre-release or build part, as an attacker sent them.
                                     "1.0.0-Janes-MacBook-Pro", "1.0.0-DESKTOP-7QK2M3P", "go1.22.0-Janes-MacBook-Pro",
                                     "1.0.0-10-0-0-5", "1.0.0-4a-00-04-10-9b-50", "4155552671", "1.0.0+4155552671",
                                     "1.0.0-14155552671", "078051120", "1.0.0-078051120",
                                     "1.0.0-Ab3dEfGh1jKlMn0pQrStUvWxYz01234567.Ab3dEfGh1jKlMn0pQrStUvWxYz01234567"}) {
    out.clear();
    EXPECT_EQ(Version(sensitive, out), Status::sensitive_value) << sensitive;
    EXPECT_EQ(out, "") << sensitive;
  }
  // Identifiers longer than a git commit are not a version's.
  EXPECT_EQ(VersionOf(std::string("1.0.0-") + std::string(41, 'a')), "invalid");
  EXPECT_EQ(VersionOf(std::string("1.0.0-") + std::string(40, 'a')), "1.0.0-" + std::string(40, 'a'));
  // What versions really hold survives: commits, build numbers, distribution tags.
  EXPECT_EQ(VersionOf("1.0.0+9fceb02d0ae598e95dc970b74767f19372d61af8"), "1.0.0+9fceb02d0ae598e95dc970b74767f19372d61af8");
  EXPECT_EQ(VersionOf("v1.30.2-eks-4096722"), "1.30.2-eks-4096722");
  EXPECT_EQ(VersionOf("2.5.1+cu124"), "2.5.1+cu124");
  EXPECT_EQ(VersionOf("10.0.19045.3803"), "10.0.19045.3803");
  // Go pseudo-versions carry a date and time, nightlies a date, not a phone number.
  EXPECT_EQ(VersionOf("v0.0.0-20191109021931-daa7c04131f5"), "0.0.0-20191109021931-daa7c04131f5");
  EXPECT_EQ(VersionOf("2.6.0-dev20241112"), "2.6.0-dev20241112");
  EXPECT_EQ(VersionOf("20241112.1"), "20241112.1");
  EXPECT_EQ(VersionOf("1.0.0-rc.1+build.20241112"), "1.0.0-rc.1+build.20241112");
  EXPECT_EQ(VersionOf("v1.30.2-gke.1587003"), "1.30.2-gke.1587003");
}

TEST(Normalize, ModelNamesAreRepositoryNames) {
  EXPECT_TRUE(IsModelName("Llama-3.1-8B-Instruct"));
  EXPECT_TRUE(IsModelName("Qwen2.5_7B"));
  EXPECT_FALSE(IsModelName(""));
  EXPECT_FALSE(IsModelName("alice@example.com"));
  EXPECT_FALSE(IsModelName("a/b"));
  EXPECT_FALSE(IsModelName("."));
  EXPECT_FALSE(IsModelName(".."));
  EXPECT_FALSE(IsModelName(std::string(97, 'a')));
}

TEST(Normalize, TimestampNumbersAreSecondsOrMilliseconds) {
  int64_t ms = 0;
  ASSERT_EQ(TimestampFromNumber(1745891234.5, ms), Status::ok);
  EXPECT_EQ(ms, 1745891234500);
  ASSERT_EQ(TimestampFromNumber(1745891234500.0, ms), Status::ok);
  EXPECT_EQ(ms, 1745891234500);
  EXPECT_EQ(TimestampFromNumber(1.0, ms), Status::out_of_range);
  EXPECT_EQ(TimestampFromNumber(5e12, ms), Status::out_of_range);  // year 2128
}

TEST(Normalize, TimestampTextIsRfc3339WithOffset) {
  EXPECT_EQ(TimeOf("2026-11-21T06:00:03Z"), 1795240803000);
  EXPECT_EQ(TimeOf("2026-11-21T08:00:03.250+02:00"), 1795240803250);
  EXPECT_EQ(TimeOf("2026-11-21t06:00:03z"), 1795240803000);
  EXPECT_EQ(TimeOf("2024-02-29T00:00:00Z"), 1709164800000);  // a leap day
  EXPECT_EQ(TimeOf("2023-02-29T00:00:00Z"), -static_cast<int64_t>(Status::invalid_timestamp));
  EXPECT_EQ(TimeOf("2026-11-21T06:00:03"), -static_cast<int64_t>(Status::invalid_timestamp));  // no offset
  EXPECT_EQ(TimeOf("1969-12-31T23:59:59Z"), -static_cast<int64_t>(Status::out_of_range));
  EXPECT_EQ(TimeOf("yesterday"), -static_cast<int64_t>(Status::invalid_timestamp));
}

TEST(Normalize, CleanTextTrimsAndDropsControls) {
  std::string out;
  CleanText("  a\x01" "b\x7f" "c \xC2\x85" "d\n ", out);
  EXPECT_EQ(out, "abc d");
}

// An invisible character inside a key would hide it from every scanner, and it reads the same.
TEST(Normalize, CleanTextDropsInvisibleCharacters) {
  const std::string invisibles[] = {"\xC2\xAD", "\xCD\x8F", "\xD8\x9C", "\xE1\x85\x9F", "\xE1\xA0\x8E",
                                    "\xE2\x80\x8B", "\xE2\x80\x8D", "\xE2\x80\xAE", "\xE2\x81\xA0", "\xE2\x81\xAF",
                                    "\xE3\x85\xA4", "\xEF\xB8\x8F", "\xEF\xBB\xBF", "\xEF\xBE\xA0", "\xF0\x9D\x85\xB3",
                                    "\xF3\xA0\x80\x81", "\xF3\xA0\x84\x80"};
  for (const std::string& invisible : invisibles) {
    std::string out;
    CleanText("AKIA" + invisible + "IOSFODNN7EXAMPLE", out);
    EXPECT_EQ(out, "AKIAIOSFODNN7EXAMPLE") << invisible.size();
    std::string buffer;
    EXPECT_EQ(CleanView("AKIA" + invisible + "IOSFODNN7EXAMPLE", buffer), "AKIAIOSFODNN7EXAMPLE");
  }
  // Visible neighbours stay: é, the euro sign, an emoji, a CJK character.
  std::string out;
  CleanText("\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xE4\xB8\xAD", out);
  EXPECT_EQ(out, "\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xE4\xB8\xAD");
}

TEST(Normalize, Utf8BoundaryNeverSplitsACharacter) {
  const std::string text = "ab\xC3\xA9";  // "abé": é is two bytes
  EXPECT_EQ(Utf8Boundary(text, 4), 4u);
  EXPECT_EQ(Utf8Boundary(text, 3), 2u);
  EXPECT_EQ(Utf8Boundary(text, 2), 2u);
  EXPECT_EQ(Utf8Boundary("\xF0\x9F\x98\x80", 3), 0u);  // an emoji is cut whole or kept whole
}

// Query strings carry every value as text; a numeric field reads it in JSON's grammar.
TEST(Normalize, NumbersFromQueryText) {
  double number = 0;
  bool is_integer = false;
  int64_t integer = 0;
  ASSERT_TRUE(NumberFromText("42", number, is_integer, integer));
  EXPECT_TRUE(is_integer);
  EXPECT_EQ(integer, 42);
  ASSERT_TRUE(NumberFromText("-0.5", number, is_integer, integer));
  EXPECT_FALSE(is_integer);
  EXPECT_EQ(number, -0.5);
  ASSERT_TRUE(NumberFromText("2E+3", number, is_integer, integer));
  EXPECT_EQ(number, 2000);
  // 19 digits may not fit an int64_t: read as a double, as a JSON number would be.
  ASSERT_TRUE(NumberFromText("9999999999999999999", number, is_integer, integer));
  EXPECT_FALSE(is_integer);
  for (std::string_view bad : {"", " ", "-", "1.", ".5", "1e", "1e+", "00", "-01", "+1", "0x1F", "1_000", "Infinity", "NaN",
                               "1e999", "1 2"}) {
    EXPECT_FALSE(NumberFromText(bad, number, is_integer, integer)) << bad;
  }
}

TEST(Normalize, BooleansFromQueryText) {
  bool value = false;
  EXPECT_TRUE(BoolFromText("True", value));
  EXPECT_TRUE(value);
  EXPECT_TRUE(BoolFromText(" false ", value));
  EXPECT_FALSE(value);
  for (std::string_view bad : {"", "1", "0", "yes", "on", "truee"}) EXPECT_FALSE(BoolFromText(bad, value)) << bad;
}

}  // namespace
}  // namespace phonehome::normalize
