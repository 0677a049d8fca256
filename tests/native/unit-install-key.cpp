// unit-install-key.cpp: the key of an install's daily counter, and what the core hands the
// Worker for the counters: each stored row's [event id, install key], and rows per key.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "abi_result.h"
#include "install_key.h"
#include "request.h"

namespace phonehome::testing {
namespace {

// Published MurmurHash3_x86_32 test values.
TEST(InstallKey, MurmurHash3MatchesItsReferenceValues) {
  EXPECT_EQ(MurmurHash3x86("", 0), 0u);
  EXPECT_EQ(MurmurHash3x86("", 1), 0x514e28b7u);
  EXPECT_EQ(MurmurHash3x86("test", 0), 0xba6bd213u);
  EXPECT_EQ(MurmurHash3x86("Hello, world!", 1234), 0xfaf6cdb3u);
  EXPECT_EQ(MurmurHash3x86("The quick brown fox jumps over the lazy dog", 0), 0x2e4ff723u);
}

TEST(InstallKey, IsTwoPassesHighWordFirst) {
  const std::string_view id = "8a4f3b29-6a1e-4b5c-9d2f-0e1f2a3b4c5d";
  EXPECT_EQ(InstallKey(id) >> 32, MurmurHash3x86(id, 0x70686f6e));
  EXPECT_EQ(InstallKey(id) & 0xFFFFFFFFu, MurmurHash3x86(id, 0x65686f6d));
}

std::string Session(std::string_view install, std::string_view session) {
  return std::string(R"({"install_id":")") + std::string(install) + R"(","session_id":")" + std::string(session) +
         R"(","version":"0.4.0","timestamp":1745891234.5})";
}

TEST(InstallKey, TheCoreCountsStoredRowsPerInstall) {
  const std::string a = "8a4f3b29-6a1e-4b5c-9d2f-0e1f2a3b4c5d", b = "9b4f3b29-6a1e-4b5c-9d2f-0e1f2a3b4c5d";
  const std::string body = "[" + Session(a, "a1b2c3d4-e5f6-4a7b-8c9d-000000000001") + "," +
                           Session(a, "a1b2c3d4-e5f6-4a7b-8c9d-000000000002") + "," +
                           Session(a, "a1b2c3d4-e5f6-4a7b-8c9d-000000000002") + "," +  // a duplicate: no row
                           Session(b, "a1b2c3d4-e5f6-4a7b-8c9d-000000000003") + "]";
  const AbiResult r = CallIngest(MakeRequest("agentsonar", "session", body));
  ASSERT_EQ(r.row_count, 3u) << r.response;
  char key_a[17], key_b[17];
  snprintf(key_a, sizeof key_a, "%016llx", static_cast<unsigned long long>(InstallKey(a)));
  snprintf(key_b, sizeof key_b, "%016llx", static_cast<unsigned long long>(InstallKey(b)));
  EXPECT_EQ(nlohmann::json::parse(r.install_counts), (nlohmann::json{{key_a, 2}, {key_b, 1}}));
  const auto rows = nlohmann::json::parse(r.rows);
  const auto pairs = nlohmann::json::parse(r.row_installs);
  ASSERT_EQ(pairs.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(pairs[i][0], rows[i]["event_id"]);
  EXPECT_EQ(pairs[0][1], key_a);
  EXPECT_EQ(pairs[2][1], key_b);
}

TEST(InstallKey, RowsWithoutAnInstallHaveNone) {
  const AbiResult r = CallIngest(MakeRequest("langflow", "shutdown", R"({"TimeRunning":5})"));
  ASSERT_EQ(r.row_count, 1u);
  EXPECT_EQ(r.install_counts, "{}");
  EXPECT_EQ(nlohmann::json::parse(r.row_installs)[0][1], nullptr);
  const AbiResult refused = CallIngest(MakeRequest("agentsonar", "session", "{"));
  EXPECT_EQ(refused.install_counts, "{}");
  EXPECT_EQ(refused.row_installs, "[]");
}

}  // namespace
}  // namespace phonehome::testing
