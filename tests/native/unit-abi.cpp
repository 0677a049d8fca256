// unit-abi.cpp: the C ABI of wasm/abi/abi.h, called natively exactly as the Worker calls it.
#include <gtest/gtest.h>

#include <cstring>

#include "abi.h"
#include "abi_result.h"
#include "phonehome/core.h"

namespace phonehome::testing {
namespace {

constexpr char kSession[] =
    R"({"install_id":"8a4f3b29-6a1e-4b5c-9d2f-0e1f2a3b4c5d","session_id":"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d","version":"0.4.0"})";

IngestRequest Request(std::string_view product, std::string_view body) {
  IngestRequest request;
  request.product = product;
  request.event = "session";
  request.body = body;
  request.received_at_ms = 1745891300000;
  request.nonce = 1;
  return request;
}

TEST(Abi, ReportsItsVersion) { EXPECT_EQ(ph_abi_version(), static_cast<uint32_t>(PH_ABI_VERSION)); }

TEST(Abi, ListsStatusNamesInOrder) {
  ASSERT_EQ(ph_status_count(), static_cast<uint32_t>(Status::count_));
  EXPECT_STREQ(ph_status_name(0), "ok");
  EXPECT_STREQ(ph_status_name(static_cast<uint32_t>(Status::missing_field)), "missing_field");
  EXPECT_STREQ(ph_status_name(ph_status_count()), "");  // out of range is empty, not a crash
  EXPECT_EQ(ph_status_is_request(static_cast<uint32_t>(Status::malformed_json)), 1u);
  EXPECT_EQ(ph_status_is_request(static_cast<uint32_t>(Status::wrong_type)), 0u);
}

TEST(Abi, ResultLayoutPointsAtRowsResponseAndTokens) {
  const std::string body = std::string("[") + kSession + "," + kSession + "]";
  const AbiResult r = CallIngest(Request("agentsonar", body));
  EXPECT_EQ(r.returned, 0);
  EXPECT_EQ(r.event_count, 2u);
  EXPECT_EQ(r.row_count, 1u);
  EXPECT_EQ(r.rows.front(), '[');
  EXPECT_EQ(r.rows.back(), ']');
  EXPECT_EQ(r.response.substr(0, 12), "{\"results\":[");
  ASSERT_EQ(r.accepted_offsets.size(), 1u);
  EXPECT_EQ(r.response.substr(r.accepted_offsets[0], 11), "\"accepted\" ");
  EXPECT_NE(r.response.find("\"duplicate\""), std::string::npos);
}

TEST(Abi, RequestErrorsHaveNoRows) {
  const AbiResult r = CallIngest(Request("nosuch", kSession));
  EXPECT_EQ(r.returned, static_cast<int32_t>(Status::unknown_product));
  EXPECT_EQ(r.row_count, 0u);
  EXPECT_TRUE(r.rows.empty());
  EXPECT_NE(r.response.find("unknown_product"), std::string::npos);
}

TEST(Abi, AllocatesAndFrees) {
  uint8_t* p = ph_alloc(1024);
  ASSERT_NE(p, nullptr);
  std::memset(p, 0xAB, 1024);
  ph_free(p);
  uint8_t* empty = ph_alloc(0);  // a zero-size request still gets a distinct pointer
  EXPECT_NE(empty, nullptr);
  ph_free(empty);
}

}  // namespace
}  // namespace phonehome::testing
