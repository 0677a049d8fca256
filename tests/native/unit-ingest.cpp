// unit-ingest.cpp: the Ingestor's C++ interface (the vectors cover the catalogue's rules).
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "phonehome/core.h"
#include "catalogue_file.h"
#include "request.h"

namespace phonehome {
namespace {

constexpr char kSession[] =
    R"({"install_id":"8a4f3b29-6a1e-4b5c-9d2f-0e1f2a3b4c5d","session_id":"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",)"
    R"("version":"0.4.0","python":"3.12","os":"darwin","arch":"arm64","adapter":"crewai","timestamp":1745891234.5})";

IngestRequest Session(std::string_view body) {
  return testing::MakeRequest("agentsonar", "session", body, 1745891300000, 7);
}

nlohmann::json Parse(std::string_view text) { return nlohmann::json::parse(text, nullptr, false); }

TEST(Ingest, AcceptsTheSessionEventAsOneRow) {
  Ingestor ingestor(testing::ReferenceCatalogue());
  const IngestResult result = ingestor.Ingest(Session(kSession));
  ASSERT_EQ(result.outcome, Status::ok);
  EXPECT_EQ(result.event_count, 1u);
  ASSERT_EQ(result.row_count, 1u);
  const auto rows = Parse(result.rows_json);
  ASSERT_TRUE(rows.is_array());
  EXPECT_EQ(rows[0]["runtime"], "python");
  EXPECT_EQ(rows[0]["runtime_version"], "3.12");
  EXPECT_EQ(rows[0]["occurred_at"], 1745891234500);
  EXPECT_EQ(rows[0]["properties"], Parse(R"({"adapter":"crewai"})"));
}

TEST(Ingest, RejectsAMissingRequiredField) {
  Ingestor ingestor(testing::ReferenceCatalogue());
  const IngestResult result = ingestor.Ingest(Session(R"({"session_id":"a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d","version":"1.0.0"})"));
  EXPECT_EQ(result.outcome, Status::all_rejected);
  EXPECT_EQ(result.row_count, 0u);
  const auto response = Parse(result.response_json);
  EXPECT_EQ(response["results"][0]["code"], "missing_field");
  EXPECT_EQ(response["results"][0]["path"], "install_id");
}

TEST(Ingest, RejectsAWrongType) {
  Ingestor ingestor(testing::ReferenceCatalogue());
  std::string body = kSession;
  body.replace(body.find("\"0.4.0\""), 7, "[0,4,0]");
  const IngestResult result = ingestor.Ingest(Session(body));
  EXPECT_EQ(result.outcome, Status::all_rejected);
  const auto response = Parse(result.response_json);
  EXPECT_EQ(response["results"][0]["code"], "wrong_type");
  EXPECT_EQ(response["results"][0]["path"], "version");
}

TEST(Ingest, RefusesMalformedJsonWithoutRows) {
  Ingestor ingestor(testing::ReferenceCatalogue());
  const std::string body(kSession, sizeof kSession - 10);
  const IngestResult result = ingestor.Ingest(Session(body));
  EXPECT_EQ(result.outcome, Status::malformed_json);
  EXPECT_EQ(result.row_count, 0u);
  EXPECT_TRUE(result.rows_json.empty());
  EXPECT_EQ(Parse(result.response_json)["error"]["code"], "malformed_json");
}

TEST(Ingest, RefusesAMalformedBatchWholly) {
  // The first event is good, but the body is not JSON: nothing of it may be stored.
  Ingestor ingestor(testing::ReferenceCatalogue());
  const std::string body = std::string("[") + kSession + ",{\"install_id\":";
  const IngestResult result = ingestor.Ingest(Session(body));
  EXPECT_EQ(result.outcome, Status::malformed_json);
  EXPECT_EQ(result.row_count, 0u);
}

TEST(Ingest, ReusesBuffersAcrossRequestsWithoutLeakingState) {
  Ingestor ingestor(testing::ReferenceCatalogue());
  const IngestResult first = ingestor.Ingest(Session(std::string("[") + kSession + "," + kSession + "]"));
  ASSERT_EQ(first.row_count, 1u);  // the second copy is a duplicate within the request
  const std::string first_rows(first.rows_json);
  const IngestResult second = ingestor.Ingest(Session(kSession));
  EXPECT_EQ(second.row_count, 1u);  // a new request does not remember the last one's ids
  EXPECT_EQ(Parse(second.rows_json), Parse(first_rows));
  EXPECT_EQ(Parse(second.response_json)["results"].size(), 1u);
}

TEST(Ingest, SameEventSameIdAcrossReceiveTimes) {
  // A retry arrives later: it must get the same event_id so the database stores it once.
  Ingestor ingestor(testing::ReferenceCatalogue());
  const auto first = Parse(ingestor.Ingest(Session(kSession)).rows_json);
  IngestRequest retry = Session(kSession);
  retry.received_at_ms += 60000;
  retry.nonce = 99;
  const auto second = Parse(ingestor.Ingest(retry).rows_json);
  EXPECT_EQ(first[0]["event_id"], second[0]["event_id"]);
}

TEST(Ingest, StatusNamesComeFromTheList) {
  EXPECT_EQ(StatusName(Status::ok), "ok");
  EXPECT_EQ(StatusName(Status::malformed_json), "malformed_json");
  EXPECT_EQ(StatusName(Status::count_), "");
  EXPECT_TRUE(IsRequestStatus(Status::unknown_product));
  EXPECT_FALSE(IsRequestStatus(Status::missing_field));
}

}  // namespace
}  // namespace phonehome
