// unit-scrub.cpp: the free-text scrubber, against tests/vectors/scrub/ (positive and negative
// cases per rule), directly and through a text field of a real event; and a property test: no
// output ever contains a planted secret, whatever ordinary text surrounds it.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include <nlohmann/json.hpp>

#include "abi_result.h"
#include "request.h"
#include "scrub.h"
#include "vectors.h"

namespace phonehome::testing {
namespace {

std::string Scrubbed(std::string_view text) {
  std::string out;
  scrub::Scrub(text, 1 << 20, out);
  return out;
}

std::vector<ScrubCase> AllScrubCases() {
  std::vector<ScrubCase> cases;
  std::string error;
  if (!LoadScrubVectors(VectorsDir() + "/scrub", cases, error)) ADD_FAILURE() << error;
  return cases;
}

TEST(ScrubVectors, FolderHoldsTheCases) {
  std::vector<ScrubCase> cases;
  std::string error;
  ASSERT_TRUE(LoadScrubVectors(VectorsDir() + "/scrub", cases, error)) << error;
  EXPECT_GE(cases.size(), 120u);
}

class ScrubVectorTest : public ::testing::TestWithParam<ScrubCase> {};

TEST_P(ScrubVectorTest, ScrubsAsExpected) {
  const ScrubCase& c = GetParam();
  EXPECT_EQ(Scrubbed(c.input), c.output) << c.comment;
}

// The same rule, applied where it matters: a text field of a real event, through the ABI.
TEST_P(ScrubVectorTest, StoresTheScrubbedTextInARow) {
  const ScrubCase& c = GetParam();
  const std::string body = ScrubCaseBody(c);
  const AbiResult r = CallIngest(MakeRequest("axolotl", "error", body));
  ASSERT_EQ(r.row_count, 1u) << r.response;
  const auto rows = nlohmann::json::parse(r.rows, nullptr, false);
  ASSERT_FALSE(rows.is_discarded());
  EXPECT_EQ(rows[0]["properties"]["message"], c.output);
}

std::string CaseName(const ::testing::TestParamInfo<ScrubCase>& info) {
  std::string name;
  for (char ch : info.param.id) name.push_back(std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_');
  // Ids may differ only in punctuation ("x86-64", "x86_64"): the index keeps names unique.
  return name + "_" + std::to_string(info.index);
}

INSTANTIATE_TEST_SUITE_P(Rules, ScrubVectorTest, ::testing::ValuesIn(AllScrubCases()), CaseName);

// A window that ends inside grouped digits must not keep the groups before the cut: 12 of a card's
// 16 digits, or an IBAN short of its last group, no longer match any rule. A long secret at the
// start shrinks to a placeholder, which moves where the cut falls; every position is tried.
TEST(ScrubWindow, ACutNeverLeavesPartOfAGroupedNumber) {
  constexpr size_t kMaxOutput = 5000;
  const std::string tail = " card 4111 1111 1111 1111 iban DE89 3704 0044 0532 0130 00 tel +44 20 7946 0958 ok";
  std::string filler;
  while (filler.size() < 2 * kMaxOutput + 1024) filler += "Ab1";
  for (size_t n = 2 * kMaxOutput + 1024 - tail.size() - 8; n <= 2 * kMaxOutput + 1024 + 8; ++n) {
    std::string out;
    scrub::Scrub(filler.substr(0, n) + tail, kMaxOutput, out);
    for (std::string_view part : {"1111", "3704", "0044", "0532", "0130", "7946", "+44"}) {
      EXPECT_EQ(out.find(part), std::string::npos) << "filler of " << n << " bytes: " << out.substr(0, 200);
    }
  }
}

// ---- the property test --------------------------------------------------------------------------

struct Planted {
  std::string text;    // what is planted
  std::string secret;  // the part that must never come out
};

// Secrets of every kind the rules cover, with varying content so no test passes by luck on one
// spelling. `n` varies the content.
std::vector<Planted> PlantedSecrets(std::mt19937& random) {
  auto word = [&](size_t length, std::string_view alphabet) {
    std::string out;
    for (size_t i = 0; i < length; ++i) out.push_back(alphabet[random() % alphabet.size()]);
    return out;
  };
  constexpr std::string_view kLower = "abcdefghijklmnopqrstuvwxyz";
  constexpr std::string_view kAlnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  constexpr std::string_view kHex = "0123456789abcdef";
  const std::string user = "u" + word(7, kLower);
  const std::string token = word(24, kAlnum) + "9";
  std::vector<Planted> planted = {
      {"/home/" + user + "/proj/data.csv", user},
      {"/Users/" + user + "/Library/x.py", user},
      {"C:\\Users\\" + user + "\\AppData\\app.log", user},
      {"~/" + user + "-notes/plan.txt", user},
      {user + "@example.com", user},
      {"first." + user + "@mail.example.org", user},
      {std::to_string([&] { const unsigned first = 10 + random() % 239; return first < 127 ? first : first + 1; }()) +  // not loopback
           "." + std::to_string(random() % 256) + "." +
           std::to_string(random() % 256) + "." + std::to_string(1 + random() % 254),
       ""},  // filled below: the whole address is the secret
      {"2001:db8::" + word(4, kHex) + ":" + std::to_string(1000 + random() % 8999), ""},
      {"sk-" + token, token},
      {"ghp_" + token, token},
      {"xoxb-" + token, token},
      {"AKIA" + word(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), ""},
      {"hf_" + token + word(6, kAlnum), token},
      {"Bearer " + token, token},
      {"password=" + token, token},
      {"\"api_key\": \"" + token + "\"", token},
      {"MY_APP_SECRET=" + token, token},
      {"https://" + user + ":" + token + "@db.example.com/x", token},
      {"https://api.example.com/v1?session=" + token, token},
      {"eyJ" + word(20, kAlnum) + "." + word(30, kAlnum) + "." + word(25, kAlnum), ""},
      {word(8, kHex) + "5" + word(23, kHex), ""},  // 32 hex digits (40 and 64 are commits and digests)
      {"jörg." + user + "@bücher.de", user},
      {user + "@localhost", user},
      {"ip_10." + std::to_string(random() % 256) + ".0.7", "10."},
      {"0x0A.0x00.0x00.0x" + word(2, kHex), "0x0A.0x00"},
      {"4a:00:04:" + word(2, kHex) + ":9b:50", ""},
      {user + "s-MacBook-Pro.local", user},
      {"DESKTOP-" + word(7, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), ""},
      {"%USERPROFILE%\\" + user + "\\notes.txt", user},
      {"/Users/" + user + " Doe", user},
      {"password is " + token, token},
      {"passphrase=" + token, token},
      {"https://hooks.slack.com/services/T0123/B0456/" + token, token},
      {"4111 1111 1111 1111", ""},
      {"3782 822463 10005", ""},
      {"DE89 3704 0044 0532 0130 00", "3704 0044"},
      {"078-05-1120", ""},
      {"+44 20 7946 " + std::to_string(1000 + random() % 8999), ""},
      {"(415) 555-" + std::to_string(1000 + random() % 8999), ""},
  };
  for (Planted& p : planted) {
    if (p.secret.empty()) p.secret = p.text;
  }
  return planted;
}

TEST(ScrubProperty, NoPlantedSecretSurvivesInAnySurroundings) {
  std::mt19937 random(20261121);  // fixed seed: a failure reproduces
  const std::vector<std::string> ordinary = {
      "Traceback (most recent call last):", "ValueError: bad value", "in train_step", "\n", "  ",
      "(", ")", "\"", "'", ",", ":", " at ", "connect to", "failed after 3.2 s", "std::vector<int>",
      "version 1.4.2", "line 42", "GPU 0", "=", ";", "[", "]", "->", "ok",
  };
  int checked = 0;
  for (int round = 0; round < 2000; ++round) {
    const std::vector<Planted> planted = PlantedSecrets(random);
    const Planted& secret = planted[random() % planted.size()];
    std::string message;
    const int pieces = 1 + static_cast<int>(random() % 6);
    const int at = static_cast<int>(random() % (pieces + 1));
    for (int i = 0; i <= pieces; ++i) {
      if (i == at) {
        message.append(" ");
        message.append(secret.text);
        message.append(" ");
      }
      if (i < pieces) message.append(ordinary[random() % ordinary.size()]);
    }
    const std::string out = Scrubbed(message);
    ASSERT_EQ(out.find(secret.secret), std::string::npos)
        << "planted: " << secret.text << "\nmessage: " << message << "\nscrubbed: " << out;
    ++checked;
  }
  EXPECT_EQ(checked, 2000);
}

// ---- linear time ---------------------------------------------------------------------------------

// Units that, repeated, put a token start every few bytes and ask every rule to look ahead: nested
// URLs, runs of @ . : / % \ and digits, half-formed keys, numbers, paths with spaces, and mixes.
const std::vector<std::string>& AdversarialUnits() {
  static const std::vector<std::string> units = {
      "a://", "https://a.b/", "a-", "a.", "a/", "~", "1:", "1.", "1-", "1 ", "::", "@", "a.a@", "x@a.", "%%", "%a%\\",
      "\\", "$a/", "/Users/a ", "C:\\Users\\a ", "password ", "password is ", "<password>", "\"password\": \"",
      "--password ", "token=", "Bearer ", "bearer a.", "-----BEGIN ", "eyJa.", "sk-", "AKIA", "+1 ", "(415) ", "415-",
      "123-", "4111 ", "1111-", "DE89 ", "aa:bb:", "fe80::", "0x1.", "a_1.1.1.", "Janes-", "a'", "DESKTOP-", "aaaa.",
      "Aa1", "\xC3\xA9@", "\xE2\x80\x9C/", "a b ", "a.a@a.a/~1:%\\", "C:\\a /Users/b ", "/home/a b b b b b ",
      "C:\\Users\\a b b b b ", "a/home/b ",
      // paths.cpp: namespaces, forward-slash shares, relative and bare homes, parentheses, names, routes
      "\\\\?\\C:\\", "//a/b/", "//a/b/c:", " Users/a/", " home/a", "Users\\a\\", "~ab ", "~a(", "C:\\Users\\a (",
      "(C:\\a\\b) ", "/Users/a'b ", "/Users/a\xC2\xA0", "GET /a/b ", "/usr/a/-", "/home/a/b c ", "%a%\\b ",
      "\\Users\\a ", "/home/a/b c.", "/a/:a ", "/a/{",
      // network.cpp: local-part punctuation and keys, dotless domains, personal host names, kept
      // addresses, MAC shapes, home folders and hooks in URL paths, glued IPv6
      "a'a@", "k=a@", "a/a@a-1 ", "a@a-1", "ip-1-1-1-", "x-DESKTOP-1", "win-", "Mac-de-", "a-PC-", "Chrome/1.1.1.0 ",
      "127.0.0.1/8 ", "4a.00.", "0:1:", "https://a/home/b ", "https://a/hooks/", "x_2001:", "a@[IPv6:",
      // glued tokens, 2-part JWTs, value checks, passphrases, -p, CamelCase names, grouped numbers
      "a_ghp_", "AAKIA2", "x_AKIA", "sntrys_a=_", "eyJa.eyJa", "token={", "pwd=/", "token: [", "token=$(",
      "Password: correct ", "password a1b2 ", "-u a -p", "sshpass -p ", "Wav2Vec2", "Abcdefghij-", "x_4111 ",
      "4111 - ",
      "4111\xC2\xA0", "078 05 ", "078\xE2\x80\x93", "DE89-3704-", "DE89 370 ", "0044 20 ", "415 555 ", "x_+44 ",
  };
  return units;
}

std::string Repeated(std::string_view unit, size_t size) {
  std::string text;
  while (text.size() < size) text.append(unit);
  text.resize(size);
  while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) text.pop_back();  // whole characters
  if (!text.empty() && static_cast<unsigned char>(text.back()) >= 0xC0) text.pop_back();
  return text;
}

// NanosPerByte() is the best of several runs: the least disturbed by whatever else the machine does.
double NanosPerByte(const std::string& text) {
  std::string out;
  double best = 1e300;
  for (int run = 0; run < 7; ++run) {
    out.clear();
    const auto start = std::chrono::steady_clock::now();
    scrub::Scrub(text, 2 * text.size(), out);
    const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
    best = std::min(best, took.count() / static_cast<double>(text.size()));
  }
  return best;
}

// A quadratic rule costs 64 times more per byte at 64 KiB than at 1 KiB, and hundreds of times plain
// text's: both ratios are taken in this process, so the machine's speed cancels out. Sanitizers
// weigh table lookups more than plain copying, so under them the bound on the ratio is looser.
#if defined(__SANITIZE_ADDRESS__)
constexpr double kSanitizerFactor = 3;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr double kSanitizerFactor = 3;
#else
constexpr double kSanitizerFactor = 1;
#endif
#else
constexpr double kSanitizerFactor = 1;
#endif
constexpr double kMaxRatioToPlainText = 10 * kSanitizerFactor;
constexpr double kMaxGrowthPerByte = 4;

TEST(ScrubLinearTime, AdversarialTextCostsAFewTimesPlainText) {
  constexpr size_t kSmall = 1024, kLarge = 64 * 1024;
  const std::string prose = "The quick brown fox jumps over the lazy dog while step 42 of the run completes. ";
  const double plain = NanosPerByte(Repeated(prose, kLarge));
  double worst_ratio = 0, worst_growth = 0;
  std::string worst_unit;
  for (const std::string& unit : AdversarialUnits()) {
    const double large = NanosPerByte(Repeated(unit, kLarge));
    const double small = NanosPerByte(Repeated(unit, kSmall));
    // Per byte, 64 KiB may cost a little more than 1 KiB (caches), never a slope.
    const double growth = large / std::max(small, plain / 4);
    EXPECT_LE(large / plain, kMaxRatioToPlainText) << "unit \"" << unit << "\": " << large << " ns/B, plain " << plain;
    EXPECT_LE(growth, kMaxGrowthPerByte) << "unit \"" << unit << "\": " << small << " ns/B at 1 KiB, " << large << " at 64 KiB";
    if (large / plain > worst_ratio) {
      worst_ratio = large / plain;
      worst_unit = unit;
    }
    worst_growth = std::max(worst_growth, growth);
  }
  // docs/SCRUBBING.md quotes this line.
  std::cout << "scrub linear time: " << AdversarialUnits().size() << " adversarial texts of 64 KiB; plain text " << plain
            << " ns/B; worst ratio to plain " << worst_ratio << " (\"" << worst_unit << "\"); worst growth per byte from 1 KiB "
            << worst_growth << "\n";
}

}  // namespace
}  // namespace phonehome::testing
