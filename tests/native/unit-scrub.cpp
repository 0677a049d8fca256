// unit-scrub.cpp: the free-text scrubber, against tests/vectors/scrub/ (positive and negative
// cases per rule), directly and through a text field of a real event; and a property test: no
// output ever contains a planted secret, whatever ordinary text surrounds it.
#include <gtest/gtest.h>

#include <fstream>
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
      {std::to_string(10 + random() % 240) + "." + std::to_string(random() % 256) + "." +
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
      {word(8, kHex) + "5" + word(31, kHex), ""},
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

}  // namespace
}  // namespace phonehome::testing
