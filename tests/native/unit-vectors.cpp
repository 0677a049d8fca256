// unit-vectors.cpp: every shared vector through the C ABI, checked against its expectation.
#include <gtest/gtest.h>

#include <set>

#include "abi.h"
#include "abi_result.h"
#include "phonehome/core.h"
#include "vectors.h"

namespace phonehome::testing {
namespace {

using Json = nlohmann::ordered_json;

std::vector<VectorCase> AllCases() {
  std::vector<VectorCase> cases;
  std::string error;
  if (!LoadVectors(VectorsDir(), cases, error)) ADD_FAILURE() << error;
  return cases;
}

// A guard: if the folder moved or emptied, this fails instead of the suite passing vacuously.
TEST(Vectors, FolderHoldsTheCases) {
  std::vector<VectorCase> cases;
  std::string error;
  ASSERT_TRUE(LoadVectors(VectorsDir(), cases, error)) << error;
  EXPECT_GE(cases.size(), 300u);
}

class VectorTest : public ::testing::TestWithParam<VectorCase> {};

// ExpectVerdict() compares one verdict: every key written must be expected; message only if given.
void ExpectVerdict(const Json& expected, const Json& actual) {
  for (const auto& [key, value] : actual.items()) {
    if (key == "message" && !expected.contains("message")) continue;
    EXPECT_TRUE(expected.contains(key)) << "unexpected key " << key << " in " << actual.dump();
  }
  for (const auto& [key, value] : expected.items()) {
    ASSERT_TRUE(actual.contains(key)) << "missing key " << key << " in " << actual.dump();
    EXPECT_EQ(actual[key], value) << "key " << key;
  }
}

void ExpectRow(const Json& expected, const Json& actual) {
  for (const std::string_view column : kRowColumns) {
    const std::string name(column);
    ASSERT_TRUE(actual.contains(name)) << "row lacks column " << name;
    if (name == "event_id" && !expected.contains(name)) {
      EXPECT_EQ(actual[name].get<std::string>().size(), 32u);
      continue;
    }
    ASSERT_TRUE(expected.contains(name)) << "expected row lacks column " << name;
    EXPECT_EQ(actual[name], expected[name]) << "column " << name;
  }
  EXPECT_EQ(actual.size(), std::size(kRowColumns));
}

TEST_P(VectorTest, MatchesExpectation) {
  const VectorCase& c = GetParam();
  SCOPED_TRACE(c.file + ": " + c.id);
  const AbiResult r = CallIngest(c.Request());
  EXPECT_EQ(static_cast<uint32_t>(r.returned), r.outcome);
  EXPECT_EQ(ph_status_name(r.outcome), c.expect["outcome"].get<std::string>());

  const Json response = Json::parse(r.response, nullptr, false);
  ASSERT_FALSE(response.is_discarded()) << "response is not JSON: " << r.response;
  const bool request_error = r.outcome != static_cast<uint32_t>(Status::ok) &&
                             r.outcome != static_cast<uint32_t>(Status::all_rejected);
  if (r.outcome != static_cast<uint32_t>(Status::ok)) {
    ASSERT_TRUE(response.contains("error"));
    EXPECT_EQ(response["error"]["code"], c.expect["outcome"]);
    if (c.expect.contains("error_message")) {
      EXPECT_EQ(response["error"]["message"], c.expect["error_message"]);
    }
  }
  // What reaches the rejection counters, when the case says.
  if (c.expect.contains("rejections")) {
    EXPECT_EQ(Json::parse(r.rejections), c.expect["rejections"]) << r.rejections;
  }
  const Json& expected_results = c.expect["results"];
  if (request_error) {
    EXPECT_FALSE(response.contains("results"));
    EXPECT_EQ(expected_results.size(), 0u);
  } else {
    ASSERT_TRUE(response.contains("results"));
    ASSERT_EQ(response["results"].size(), expected_results.size()) << r.response;
    for (size_t i = 0; i < expected_results.size(); ++i) ExpectVerdict(expected_results[i], response["results"][i]);
  }

  const Json& expected_rows = c.expect["rows"];
  ASSERT_EQ(r.row_count, expected_rows.size());
  if (r.row_count == 0) {
    EXPECT_TRUE(r.rows.empty());
    return;
  }
  const Json rows = Json::parse(r.rows, nullptr, false);
  ASSERT_TRUE(rows.is_array()) << r.rows;
  ASSERT_EQ(rows.size(), expected_rows.size());
  for (size_t i = 0; i < rows.size(); ++i) ExpectRow(expected_rows[i], rows[i]);
  // Each stored row's verdict carries the token the shim may overwrite with "duplicate".
  for (uint32_t offset : r.accepted_offsets) {
    EXPECT_EQ(r.response.substr(offset, kAcceptedToken.size()), kAcceptedToken);
  }
}

std::string CaseName(const ::testing::TestParamInfo<VectorCase>& info) {
  std::string name;
  for (char c : info.param.id) name.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  // Ids may differ only in punctuation ("x86-64", "x86_64"): the index keeps names unique.
  return name + "_" + std::to_string(info.index);
}

INSTANTIATE_TEST_SUITE_P(Shared, VectorTest, ::testing::ValuesIn(AllCases()), CaseName);

}  // namespace
}  // namespace phonehome::testing
