// unit-json-scan.cpp: the JSON scanner (wasm/src/json_scan.h) agrees with nlohmann's sax_parse on
// every quirk of nlohmann's, on every test vector's body (whole and cut at every byte), and on
// random byte strings: same events, same values, same error position and class.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "json_scan.h"
#include "json_scan_oracle.h"
#include "vectors.h"

namespace phonehome::testing {
namespace {

using json_scan::ScanError;

std::string Printable(std::string_view text) {
  std::string out;
  for (const char c : text.substr(0, 200)) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7F) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", byte);
      out += hex;
    } else {
      out.push_back(c);
    }
  }
  return text.size() > 200 ? out + "... (" + std::to_string(text.size()) + " bytes)" : out;
}

// Both parsers read the text from a heap buffer of exactly its size, so ASan sees over-reads.
struct Compared {
  ScanTrace oracle, scanner;
  std::string difference;
};

Compared Compare(std::string_view text, ScanPolicy policy = {}) {
  std::unique_ptr<char[]> copy(new char[text.size()]);
  if (!text.empty()) std::memcpy(copy.get(), text.data(), text.size());
  const std::string_view input(copy.get(), text.size());
  std::string scratch;
  Compared c;
  c.oracle = RunOracle(input, policy);
  c.scanner = RunScanner(input, policy, scratch);
  c.difference = FirstDifference(c.oracle, c.scanner);
  return c;
}

#define EXPECT_AGREE(text)                                              \
  do {                                                                  \
    const std::string text_{std::string_view(text)};                    \
    EXPECT_EQ(Compare(text_).difference, "") << Printable(text_);       \
  } while (false)

// ExpectError(): both agree, and the text fails at `position` with `error` (pins the quirk, so a
// change in the oracle's behaviour shows here and not only as agreement).
void ExpectError(std::string_view text, size_t position, ScanError error) {
  const Compared c = Compare(text);
  EXPECT_EQ(c.difference, "") << Printable(text);
  ASSERT_FALSE(c.scanner.events.empty()) << Printable(text);
  const ScanEvent& last = c.scanner.events.back();
  EXPECT_EQ(last.kind, ScanEvent::Kind::parse_error) << Printable(text);
  EXPECT_EQ(last.value, position) << Printable(text);
  EXPECT_EQ(last.text, ScanErrorName(error)) << Printable(text);
}

// ExpectAccepted(): both agree and the text is one complete JSON value.
void ExpectAccepted(std::string_view text) {
  const Compared c = Compare(text);
  EXPECT_EQ(c.difference, "") << Printable(text);
  EXPECT_TRUE(c.scanner.result) << Printable(text);
  for (const ScanEvent& event : c.scanner.events) {
    EXPECT_NE(event.kind, ScanEvent::Kind::parse_error) << Printable(text);
  }
}

using namespace std::string_view_literals;

TEST(JsonScan, SkipsAUtf8BomAtTheStartOnly) {
  ExpectAccepted("\xEF\xBB\xBF{}");
  ExpectAccepted("\xEF\xBB\xBF 1");
  ExpectError("\xEF\xBB\xBF", 4, ScanError::syntax);
  ExpectError("\xEF", 2, ScanError::syntax);
  ExpectError("\xEF\xBB", 3, ScanError::syntax);
  ExpectError("\xEFx1", 2, ScanError::syntax);
  ExpectError("\xEF\xBBx1", 3, ScanError::syntax);
  ExpectError(" \xEF\xBB\xBF{}", 2, ScanError::syntax);
  ExpectError("\xEF\xBB\xBF\xEF\xBB\xBF{}", 4, ScanError::syntax);
  ExpectError("\xFE\xFF{}", 1, ScanError::syntax);
}

TEST(JsonScan, WhitespaceIsSpaceTabNewlineReturnOnly) {
  ExpectAccepted(" \t\n\r[ \t\n\r1 \t\n\r, \t\n\r{ \t\n\r\"a\" \t\n\r: \t\n\rnull \t\n\r} \t\n\r] \t\n\r");
  ExpectError("\f1", 1, ScanError::syntax);
  ExpectError("\v1", 1, ScanError::syntax);
  ExpectError("1\f", 2, ScanError::syntax);
  ExpectError("[1,\xC2\xA0 2]", 4, ScanError::syntax);
}

TEST(JsonScan, ContentAfterTheValueIsAnError) {
  ExpectError("1 2", 3, ScanError::syntax);
  ExpectError("{}x", 3, ScanError::syntax);
  ExpectError("[]]", 3, ScanError::syntax);
  ExpectError("1,", 2, ScanError::syntax);
  ExpectError("\"a\" \"bc", 8, ScanError::syntax);  // the second token's own error
  ExpectError("{} \"\xFF\"", 5, ScanError::invalid_utf8);
}

TEST(JsonScan, EmptyInputIsAnError) {
  ExpectError("", 1, ScanError::syntax);
  ExpectError("  \n", 4, ScanError::syntax);
}

TEST(JsonScan, NulWhereATokenStartsEndsTheInput) {
  ExpectAccepted("1\0junk"sv);
  ExpectAccepted("{\"a\":[]}\0\0\xFF"sv);
  ExpectAccepted("true \0 false"sv);
  ExpectError("\0"sv, 1, ScanError::syntax);
  ExpectError("[\0]"sv, 2, ScanError::syntax);
  ExpectError("[1,\0"sv, 4, ScanError::syntax);
  ExpectError("{\"a\"\0:1}"sv, 5, ScanError::syntax);
  ExpectError("\"a\0\""sv, 3, ScanError::syntax);  // inside a string it is a control character
  ExpectError("tr\0e"sv, 3, ScanError::syntax);
  ExpectError("-\0"sv, 2, ScanError::syntax);
}

TEST(JsonScan, IntegersThatOverflowBecomeDoubles) {
  for (const char* text : {"0", "-0", "1", "-1", "9223372036854775807", "9223372036854775808", "-9223372036854775807",
                           "-9223372036854775808", "-9223372036854775809", "18446744073709551615",
                           "18446744073709551616", "99999999999999999999", "-99999999999999999999",
                           "100000000000000000000", "123456789012345678901234567890", "-1000000000000000000",
                           "-9999999999999999999", "10000000000000000000", "1844674407370955161",
                           "18446744073709551610", "28446744073709551615"}) {
    ExpectAccepted(text);
  }
  const Compared minus_zero = Compare("-0");
  ASSERT_EQ(minus_zero.scanner.events.size(), 1u);
  EXPECT_EQ(minus_zero.scanner.events[0].kind, ScanEvent::Kind::integer);
  const Compared big = Compare("18446744073709551616");
  ASSERT_EQ(big.scanner.events.size(), 1u);
  EXPECT_EQ(big.scanner.events[0].kind, ScanEvent::Kind::floating);
}

TEST(JsonScan, DoublesComeFromStrtodBitForBit) {
  for (const char* text : {"0.1", "1.42", "40960.5", "1745891234.5", "-0.0", "0e0", "-0E-0", "1E5", "1e+5", "1e-5",
                           "2.2250738585072014e-308", "4.9e-324", "2.4703282292062327e-324", "1e-400",
                           "1.7976931348623157e308", "0.30000000000000004", "9007199254740993",
                           "9007199254740993.0", "123456789012345678901234567890e-10",
                           "0.000000000000000000000000000000000000000000000000000000000000000000000000001",
                           "1.00000000000000011102230246251565404236316680908203125",
                           "1.00000000000000011102230246251565404236316680908203124"}) {
    ExpectAccepted(text);
    ExpectAccepted(std::string("[") + text + "]");
  }
}

// The scanner computes short decimals itself (Clinger's fast path) and sends the rest to strtod:
// random numbers on both sides of each limit (19 digits, 2^53, exponents ±22) must agree bit for
// bit with nlohmann, which always calls strtod.
TEST(JsonScan, ShortDecimalsAreComputedAsStrtodWould) {
  std::mt19937_64 random(18);
  for (int n = 0; n < 20000; ++n) {
    std::string text = random() % 4 == 0 ? "-" : "";
    const int whole = static_cast<int>(random() % 18);
    text += std::to_string(1 + random() % 9);
    for (int i = 0; i < whole; ++i) text += static_cast<char>('0' + random() % 10);
    if (random() % 3 != 0) {
      text += '.';
      const int fraction = 1 + static_cast<int>(random() % 20);
      for (int i = 0; i < fraction; ++i) text += static_cast<char>('0' + random() % 10);
    }
    if (random() % 2 == 0) {
      text += random() % 2 == 0 ? "e" : "E-";
      text += std::to_string(random() % 30);
    }
    ExpectAccepted(text);
  }
}

TEST(JsonScan, NonFiniteDoubleIsNumberOverflowAfterTheNumber) {
  ExpectError("1e309", 5, ScanError::number_overflow);
  ExpectError("-1e309", 6, ScanError::number_overflow);
  ExpectError("[1, 1e999]", 9, ScanError::number_overflow);
  ExpectError("{\"a\":1.8e308}", 12, ScanError::number_overflow);
  ExpectError("1" + std::string(400, '0'), 401, ScanError::number_overflow);
  ExpectError("-1" + std::string(400, '0') + ".5", 404, ScanError::number_overflow);
  ExpectAccepted("1" + std::string(300, '0'));
}

TEST(JsonScan, MalformedNumbers) {
  ExpectError("01", 2, ScanError::syntax);   // 0, then the number 1 where the end should be
  ExpectError("-01", 3, ScanError::syntax);
  ExpectError("[00]", 3, ScanError::syntax);
  ExpectError("1.", 3, ScanError::syntax);
  ExpectError("1.x", 3, ScanError::syntax);
  ExpectError(".5", 1, ScanError::syntax);
  ExpectError("1e", 3, ScanError::syntax);
  ExpectError("1e+", 4, ScanError::syntax);
  ExpectError("1E-x", 4, ScanError::syntax);
  ExpectError("1ex", 3, ScanError::syntax);
  ExpectError("+1", 1, ScanError::syntax);
  ExpectError("-", 2, ScanError::syntax);
  ExpectError("--1", 2, ScanError::syntax);
  ExpectError("-a", 2, ScanError::syntax);
  ExpectError("1.e5", 3, ScanError::syntax);
  ExpectError("0x10", 2, ScanError::syntax);
  ExpectError("1.5.3", 4, ScanError::syntax);
  ExpectError("Infinity", 1, ScanError::syntax);
  ExpectError("-Infinity", 2, ScanError::syntax);
  ExpectError("NaN", 1, ScanError::syntax);
  ExpectError("[1 2]", 4, ScanError::syntax);
}

TEST(JsonScan, Literals) {
  ExpectAccepted("[true,false,null]");
  ExpectError("tru", 4, ScanError::syntax);
  ExpectError("trUe", 3, ScanError::syntax);
  ExpectError("nul", 4, ScanError::syntax);
  ExpectError("nulll", 5, ScanError::syntax);
  ExpectError("falsey", 6, ScanError::syntax);
  ExpectError("True", 1, ScanError::syntax);
  ExpectError("[fals]", 6, ScanError::syntax);
}

TEST(JsonScan, ControlCharactersInStringsAreErrors) {
  for (int c = 0; c < 0x20; ++c) {
    const std::string text = std::string("[\"ab") + static_cast<char>(c) + "\"]";
    ExpectError(text, 5, ScanError::syntax);
  }
  ExpectAccepted("\"a\x7F" "b\"");
  ExpectAccepted("\"\\u0000\\u001f\"");
}

TEST(JsonScan, StringsEndAndEscape) {
  ExpectAccepted("\"\"");
  ExpectAccepted("\"plain ascii text longer than eight bytes\"");
  ExpectAccepted("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"");
  ExpectAccepted("\"before \\n after, and more plain bytes than a word \\t\"");
  ExpectAccepted("{\"a\\u0041\":\"\\u00e9\\u20AC\\ud83d\\ude00\"}");
  ExpectError("\"abc", 5, ScanError::syntax);
  ExpectError("\"abc\\", 6, ScanError::syntax);
  ExpectError("\"a\\x\"", 4, ScanError::syntax);
  ExpectError("\"a\\'\"", 4, ScanError::syntax);
  ExpectError("\"a\\ \"", 4, ScanError::syntax);
  ExpectError("\"\\u12\"", 6, ScanError::syntax);
  ExpectError("\"\\u12G4\"", 6, ScanError::syntax);
  ExpectError("\"\\u12", 6, ScanError::syntax);
}

TEST(JsonScan, UnpairedSurrogateEscapesAreInvalidUtf8) {
  ExpectAccepted("\"\\uD800\\uDC00\\uDBFF\\uDFFF\"");
  ExpectError("\"\\ud83d\"", 8, ScanError::invalid_utf8);
  ExpectError("\"\\ud83dx\"", 8, ScanError::invalid_utf8);
  ExpectError("\"\\ud83d\\n\"", 9, ScanError::invalid_utf8);
  ExpectError("\"\\ud83d\\u0041\"", 13, ScanError::invalid_utf8);
  ExpectError("\"\\ud83d\\ud83d\"", 13, ScanError::invalid_utf8);
  ExpectError("\"\\ude00\"", 7, ScanError::invalid_utf8);
  ExpectError("\"\\ud83d", 8, ScanError::invalid_utf8);
  ExpectError("\"\\ud83d\\", 9, ScanError::invalid_utf8);
  // The low half's digits are checked as digits first: a syntax error, not UTF-8.
  ExpectError("\"\\ud83d\\u12\"", 12, ScanError::syntax);
}

TEST(JsonScan, RawUtf8IsValidated) {
  ExpectAccepted("\"\xC2\x80 \xDF\xBF \xE0\xA0\x80 \xEF\xBF\xBF \xF0\x90\x80\x80 \xF4\x8F\xBF\xBF \xE2\x82\xAC\"");
  ExpectAccepted("{\"cl\xC3\xA9\":\"\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E and ascii after\"}");
  ExpectError("\"\x80\"", 2, ScanError::invalid_utf8);
  ExpectError("\"\xBF\"", 2, ScanError::invalid_utf8);
  ExpectError("\"\xC0\x80\"", 2, ScanError::invalid_utf8);       // overlong NUL
  ExpectError("\"\xC1\xBF\"", 2, ScanError::invalid_utf8);
  ExpectError("\"\xE0\x80\x80\"", 3, ScanError::invalid_utf8);   // overlong
  ExpectError("\"\xE0\x9F\xBF\"", 3, ScanError::invalid_utf8);
  ExpectError("\"\xF0\x80\x80\x80\"", 3, ScanError::invalid_utf8);
  ExpectError("\"\xF0\x8F\xBF\xBF\"", 3, ScanError::invalid_utf8);
  ExpectError("\"\xED\xA0\x80\"", 3, ScanError::invalid_utf8);   // U+D800 encoded
  ExpectError("\"\xED\xBF\xBF\"", 3, ScanError::invalid_utf8);
  ExpectError("\"\xF4\x90\x80\x80\"", 3, ScanError::invalid_utf8);  // above U+10FFFF
  ExpectError("\"\xF5\x80\x80\x80\"", 2, ScanError::invalid_utf8);
  ExpectError("\"\xFF\"", 2, ScanError::invalid_utf8);
  ExpectError("\"\xC3\"", 3, ScanError::invalid_utf8);           // the quote is no continuation
  ExpectError("\"\xE2\x82\"", 4, ScanError::invalid_utf8);
  ExpectError("\"\xE2\x82", 4, ScanError::invalid_utf8);         // cut by the end
  ExpectError("\"\xF0\x9F\x98", 5, ScanError::invalid_utf8);
  ExpectError("\"a\\n\xE2(\"", 6, ScanError::invalid_utf8);      // after an escape too
  ExpectError("\xC3\xA9", 1, ScanError::syntax);                 // outside a string: no token
}

TEST(JsonScan, DuplicateKeysAreReportedInOrder) {
  const Compared c = Compare("{\"a\":1,\"b\":2,\"a\":3,\"a\":{\"a\":[]}}");
  EXPECT_EQ(c.difference, "");
  int keys = 0;
  for (const ScanEvent& event : c.scanner.events) keys += event.kind == ScanEvent::Kind::key ? 1 : 0;
  EXPECT_EQ(keys, 5);
}

TEST(JsonScan, StructuralErrors) {
  ExpectError("{1:2}", 2, ScanError::syntax);
  ExpectError("{\"a\" 1}", 6, ScanError::syntax);
  ExpectError("{\"a\":1,}", 8, ScanError::syntax);
  ExpectError("[1,]", 4, ScanError::syntax);
  ExpectError("[1}", 3, ScanError::syntax);
  ExpectError("{\"a\":1]", 7, ScanError::syntax);
  ExpectError("{\"a\" \"b\xFF\"}", 8, ScanError::invalid_utf8);  // the token is read before it is judged
  ExpectError("{\"a\":1 \"b\":2}", 10, ScanError::syntax);
  ExpectError("[", 2, ScanError::syntax);
  ExpectError("{", 2, ScanError::syntax);
  ExpectError("]", 1, ScanError::syntax);
  ExpectError(":", 1, ScanError::syntax);
  ExpectError("[,1]", 2, ScanError::syntax);
  ExpectError("{,}", 2, ScanError::syntax);
  ExpectError("/* c */ 1", 1, ScanError::syntax);
  ExpectError("'a'", 1, ScanError::syntax);
}

TEST(JsonScan, DepthIsUnlimitedAndNotOnTheStack) {
  for (const size_t depth : {size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{64}, size_t{100000}}) {
    ExpectAccepted(std::string(depth, '[') + std::string(depth, ']'));
    std::string objects;
    for (size_t i = 0; i < depth; ++i) objects += "{\"k\\n\":[";
    objects += "\"v\\t\", 1e" + std::string(70, '1');
    for (size_t i = 0; i < depth; ++i) objects += "]}";
    EXPECT_AGREE(objects);
    EXPECT_AGREE(std::string(depth, '[') + std::string(depth - 1, ']'));
  }
  // Arrays and objects interleaved: popping must restore the right kind at every level.
  std::string mixed;
  for (int i = 0; i < 40; ++i) mixed += i % 3 == 0 ? "[" : "{\"x\\\"\":";
  mixed += "0";
  for (int i = 39; i >= 0; --i) mixed += i % 3 == 0 ? ",\"s\\u00e9\"]" : ",\"y\":-1.5}";
  ExpectAccepted(mixed);
}

TEST(JsonScan, LongNumbersAndEscapedStringsShareScratch) {
  const std::string digits(100, '7');
  ExpectAccepted("[\"a\\nb\", " + digits + ", \"c\\td\", -" + digits + "." + digits + "e-3, {\"k\\\\\":" + digits +
                 "}]");
}

// Every handler decision: stopping at each event in turn, and going on after a parse error.
TEST(JsonScan, StoppingAtEveryEventAgrees) {
  const std::string text =
      "\xEF\xBB\xBF{\"a\":[1,-2,3.5,\"s\\n\",true,false,null,{},[]],\"b\":{\"c\":{\"d\":[[[\"\xC3\xA9\"]]]}},\"e\":1e999}";
  const size_t events = Compare(text).oracle.events.size();
  ASSERT_GT(events, 20u);
  for (size_t n = 1; n <= events + 1; ++n) {
    for (const bool go_on : {false, true}) {
      EXPECT_EQ(Compare(text, {n, go_on}).difference, "") << "stop after " << n;
    }
  }
}

TEST(JsonScan, ParseErrorReturningTrueReadsOneMoreToken) {
  for (const char* text : {"{1:2}", "[1 xyz", "[1 x", "[", "\xEF", "\xEFx", "\xEF\xBB\xBF\xEF", "{\"a\" 1 2",
                           "1 2 3", "[1e999 2]", "[1e999]", "\"\\ud800\" 1", "[tru e]", "{\"a\":1,}",
                           "\"\xC3\" 1", "01", "-x", "1.y", "[,]", "[1,\"\\u12\"]"}) {
    const Compared c = Compare(text, {0, true});
    EXPECT_EQ(c.difference, "") << Printable(text);
  }
  // Two errors: the one in the value, then the token after it.
  const Compared c = Compare("{1:2}", {0, true});
  ASSERT_EQ(c.scanner.events.size(), 3u);
  EXPECT_EQ(c.scanner.events[1].value, 2u);
  EXPECT_EQ(c.scanner.events[2].value, 3u);
}

TEST(JsonScan, VectorBodiesAgreeWholeAndCutAtEveryByte) {
  std::vector<VectorCase> cases;
  std::string error;
  ASSERT_TRUE(LoadVectors(VectorsDir(), cases, error)) << error;
  ASSERT_GT(cases.size(), 100u) << "the vectors are missing";
  size_t cut = 0;
  for (const VectorCase& c : cases) {
    EXPECT_EQ(Compare(c.body).difference, "") << c.id;
    // The big hostile bodies (up to a megabyte) only whole: the oracle reads 30 MB/s.
    if (c.body.size() > 65536) continue;
    EXPECT_EQ(Compare(c.body, {0, true}).difference, "") << c.id;
    // Cut the reference events' bodies at every byte, every other body at a few places.
    const bool reference = c.id.size() > 10 && c.id.compare(c.id.size() - 10, 10, "-reference") == 0;
    const size_t step = reference ? 1 : c.body.size() / 8 + 1;
    for (size_t length = 0; length < c.body.size(); length += step) {
      const std::string_view prefix = std::string_view(c.body).substr(0, length);
      const std::string difference = Compare(prefix).difference;
      EXPECT_EQ(difference, "") << c.id << " cut at " << length;
      if (!difference.empty()) break;
      ++cut;
    }
  }
  EXPECT_GT(cut, 5000u);
}

// Random texts from JSON's alphabet and a few hostile bytes: short, so errors land everywhere.
TEST(JsonScan, RandomTextsAgree) {
  static const std::vector<std::string> kPieces = {
      "{", "}", "[", "]", ":", ",", " ", "\n", "\"", "\"k\"", "\"abcdefghij\"", "\\", "\\n", "\\u", "\\ud83d",
      "\\ude00", "\\u00e9", "0", "1", "-", ".", "e", "E", "+", "9", "12345678901234567890", "true", "false",
      "null", "t", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xC3", "\xED\xA0\x80", "\x80", "\xFF",
      std::string(1, '\0'), "\x1F", "\xEF\xBB\xBF", "1e999", "abcdefgh"};
  std::mt19937 random(20261201);
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    const int pieces = static_cast<int>(random() % 24);
    for (int k = 0; k < pieces; ++k) text += kPieces[random() % kPieces.size()];
    const ScanPolicy policy{random() % 4 == 0 ? random() % 8 : 0, random() % 2 == 0};
    const std::string difference = Compare(text, policy).difference;
    ASSERT_EQ(difference, "") << Printable(text) << " stop " << policy.stop_after << " go on "
                              << policy.continue_after_error;
  }
}

}  // namespace
}  // namespace phonehome::testing
