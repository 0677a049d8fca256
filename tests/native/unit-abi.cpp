// unit-abi.cpp: the C ABI of wasm/abi/abi.h, called natively exactly as the Worker calls it.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>

#include <nlohmann/json.hpp>

#include "abi.h"
#include "abi_result.h"
#include "phonehome/core.h"
#include "request.h"

namespace phonehome::testing {
namespace {

constexpr char kSession[] =
    R"({"install_id":"8a4f3b29-6a1e-4b5c-9d2f-0e1f2a3b4c5d","session_id":"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d","version":"0.4.0"})";

constexpr double kReceivedAtMs = 1745891300000;

TEST(Abi, ReportsItsVersion) { EXPECT_EQ(ph_abi_version(), static_cast<uint32_t>(PH_ABI_VERSION)); }

// ph_version() is the version field's own reading: what the Worker may count a check under.
TEST(Abi, ReadsAVersionAsAVersionFieldStoresIt) {
  const auto read = [](std::string_view text) {
    return std::string(ph_version(reinterpret_cast<const uint8_t*>(text.data()), static_cast<uint32_t>(text.size())));
  };
  EXPECT_EQ(read("v1.4.0"), "1.4.0");
  EXPECT_EQ(read("1.04.0-rc.1"), "1.4.0-rc.1");
  EXPECT_EQ(read("go1.22.0"), "1.22.0");
  // Refused as an event's version is: a phone number, an address, a card number, a key.
  for (std::string_view refused : {"415.555.2671", "10.0.0.5", "1.2.3-10.0.0.5", "4111.1111.1111-1111", "1.0.0-AKIAIOSFODNN7EXAMPLE",
                                   "", "not a version", "1.2.3-alice@example.com"}) {
    EXPECT_EQ(read(refused), "") << refused;
  }
}

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
  const AbiResult r = CallIngest(MakeRequest("agentsonar", "session", body, kReceivedAtMs, 1));
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
  const AbiResult r = CallIngest(MakeRequest("nosuch", "session", kSession, kReceivedAtMs, 1));
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

namespace phonehome::testing {
namespace {

// A request whose rows exceed one chunk: the rows arrive as several JSON arrays, each a valid
// parameter of its own, covering every row once and in order.
TEST(Abi, SplitsLargeRequestsIntoRowChunks) {
  std::string body = "[";
  for (int i = 0; i < 600; ++i) {
    if (i > 0) body.push_back(',');
    body += R"({"run_id":"5d6e7f80-1a2b-4c3d-8e9f-a0b1c2d3e4f5","error_type":"E)" + std::to_string(i) +
            R"(","message":")" + std::string(900, 'x') + R"("})";
  }
  body.push_back(']');
  const AbiResult r = CallIngest(MakeRequest("axolotl", "error", body));
  ASSERT_EQ(r.row_count, 600u) << r.response.substr(0, 300);
  ASSERT_GE(r.chunks.size(), 2u);
  uint32_t next_row = 0;
  for (const auto& chunk : r.chunks) {
    EXPECT_EQ(chunk.first_row, next_row);
    EXPECT_LE(chunk.rows.size(), phonehome::kMaxRowChunkBytes);
    const auto rows = nlohmann::json::parse(chunk.rows, nullptr, false);
    ASSERT_TRUE(rows.is_array()) << chunk.rows.substr(0, 80);
    EXPECT_EQ(rows[0]["properties"]["error_type"], "E" + std::to_string(next_row));
    next_row += static_cast<uint32_t>(rows.size());
  }
  EXPECT_EQ(next_row, 600u);
}

}  // namespace
}  // namespace phonehome::testing

namespace phonehome::testing {
namespace {

IngestRequest Session(std::string_view body) { return MakeRequest("agentsonar", "session", body); }

// Rejections are counted by product, event, code, the SDK version when it could be read (whether
// it came before or after the error) and the event's shape (keys and types, unit-event-shape.cpp);
// nothing else of the event is kept.
TEST(Abi, CountsRejectionsByCodeAndVersion) {
  const AbiResult r = CallIngest(Session(
      R"([{"version":"0.4.0","session_id":"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"},)"
      R"({"install_id":"nope","version":"v0.5.0","session_id":"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5e"},)"
      R"({"install_id":"nope","version":"0.5.0","session_id":"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5f"},)"
      R"({"session_id":"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c50"}])"));
  const auto counts = nlohmann::json::parse(r.rejections, nullptr, false);
  ASSERT_TRUE(counts.is_array()) << r.rejections;
  const auto expected = nlohmann::json::parse(R"([
    {"product":"agentsonar","event":"session","code":"missing_field","version":"0.4.0","count":1,
     "shape":"{\"session_id\":\"string\",\"version\":\"string\"}"},
    {"product":"agentsonar","event":"session","code":"invalid_uuid","version":"0.5.0","count":2,
     "shape":"{\"install_id\":\"string\",\"session_id\":\"string\",\"version\":\"string\"}"},
    {"product":"agentsonar","event":"session","code":"missing_field","version":"","count":1,
     "shape":"{\"session_id\":\"string\"}"}])");
  EXPECT_EQ(counts, expected);
}

TEST(Abi, CountsARefusedRequestOnceOnANamedRoute) {
  const AbiResult r = CallIngest(Session("{\"install_id\":"));
  EXPECT_EQ(nlohmann::json::parse(r.rejections),
            nlohmann::json::parse(R"([{"product":"agentsonar","event":"session","code":"malformed_json","version":"","count":1}])"));
}

TEST(Abi, DoesNotCountUnknownProducts) {
  IngestRequest request = Session(R"({"events":[{"product":"spam-product-123","event":"x"}]})");
  request.product = "";
  request.event = "";
  EXPECT_EQ(CallIngest(request).rejections, "[]");
  request = Session("{}");
  request.product = "spam-product-123";
  EXPECT_EQ(CallIngest(request).rejections, "[]");
}

}  // namespace
}  // namespace phonehome::testing

namespace phonehome::testing {
namespace {

// The layout the module reports is the structs' own: the loader reads fields by these names.
TEST(Abi, DescribesItsLayoutFromTheStructs) {
  const auto layout = nlohmann::json::parse(ph_layout_json(), nullptr, false);
  ASSERT_TRUE(layout.is_object()) << ph_layout_json();
  EXPECT_EQ(layout["ph_result"]["size"], sizeof(ph_result));
  EXPECT_EQ(layout["ph_result"]["fields"].size(), 16u);
  EXPECT_EQ(layout["ph_result"]["fields"]["outcome"]["offset"], 0);
  EXPECT_EQ(layout["ph_result"]["fields"]["install_counts_length"]["offset"], offsetof(ph_result, install_counts_length));
  EXPECT_EQ(layout["ph_result"]["fields"]["chunks_offset"]["type"], "u32");
  EXPECT_EQ(layout["ph_chunk"]["size"], sizeof(ph_chunk));
  EXPECT_EQ(layout["ph_chunk"]["fields"]["first_row"]["offset"], offsetof(ph_chunk, first_row));
  EXPECT_EQ(layout["ph_request"]["size"], sizeof(ph_request));
  EXPECT_EQ(layout["ph_request"]["fields"]["body"]["type"], "ptr");
  EXPECT_EQ(layout["ph_request"]["fields"]["body"]["size"], sizeof(void*));
  EXPECT_EQ(layout["ph_request"]["fields"]["received_at_ms"]["type"], "f64");
  EXPECT_EQ(layout["ph_request"]["fields"]["nonce"]["type"], "u64");
  EXPECT_EQ(layout["ph_request"]["fields"]["flags"]["offset"], offsetof(ph_request, flags));
}

// One description of everything the shim would otherwise copy: statuses with their HTTP status
// and meaning, row columns, field kinds, the chunk size and the limits.
TEST(Abi, DescribesStatusesColumnsKindsAndLimits) {
  const auto d = nlohmann::json::parse(ph_describe_json(), nullptr, false);
  ASSERT_TRUE(d.is_object()) << ph_describe_json();
  EXPECT_EQ(d["abi_version"], PH_ABI_VERSION);
  ASSERT_EQ(d["statuses"].size(), static_cast<size_t>(Status::count_));
  for (uint32_t code = 0; code < ph_status_count(); ++code) {
    const auto& s = d["statuses"][code];
    EXPECT_EQ(s["code"], code);
    EXPECT_EQ(s["name"], ph_status_name(code));
    EXPECT_EQ(s["scope"], ph_status_is_request(code) ? "request" : "event");
    EXPECT_EQ(s["http"] != 0, ph_status_is_request(code) == 1) << s["name"];
    EXPECT_FALSE(s["meaning"].get<std::string>().empty());
  }
  EXPECT_EQ(d["statuses"][static_cast<size_t>(Status::ok)]["http"], 200);
  EXPECT_EQ(d["statuses"][static_cast<size_t>(Status::too_many_events)]["http"], 413);
  EXPECT_EQ(d["statuses"][static_cast<size_t>(Status::unknown_event)]["http"], 404);
  ASSERT_EQ(d["row_columns"].size(), std::size(kRowColumns));
  for (size_t i = 0; i < std::size(kRowColumns); ++i) EXPECT_EQ(d["row_columns"][i], kRowColumns[i]);
  EXPECT_EQ(d["field_kinds"].front(), "string");
  EXPECT_EQ(d["field_kinds"].back(), "object");
  EXPECT_EQ(d["max_row_chunk_bytes"], kMaxRowChunkBytes);
  EXPECT_EQ(d["limits"], nlohmann::json::parse(ph_limits_json()));
}

}  // namespace
}  // namespace phonehome::testing
