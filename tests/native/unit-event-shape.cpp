// unit-event-shape.cpp: the shapes rejected events are counted by (event_shape.h): keys and JSON
// types only, declared keys under their field's name, undeclared ones only when safe to keep.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "catalogue_file.h"
#include "event_shape.h"
#include "phonehome/core.h"
#include "request.h"

namespace phonehome {
namespace {

using Json = nlohmann::json;

constexpr char kInstall[] = "8a4f3b29-6a1e-4b5c-9d2f-0e1f2a3b4c5d";
constexpr char kSessionId[] = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";

// Rejections() ingests `body` on a route and answers its rejection counts, parsed; `raw` gets the text.
Json Rejections(std::string_view product, std::string_view event, const std::string& body, std::string* raw = nullptr) {
  Ingestor ingestor(testing::ReferenceCatalogue());
  const IngestResult result = ingestor.Ingest(testing::MakeRequest(product, event, body));
  if (raw != nullptr) raw->assign(result.rejections_json);
  return Json::parse(result.rejections_json, nullptr, false);
}

// ShapeOf() is the shape of a request's only rejection, parsed.
Json ShapeOf(const Json& rejections) {
  EXPECT_EQ(rejections.size(), 1u) << rejections.dump();
  if (rejections.size() != 1 || !rejections[0].contains("shape")) return Json();
  return Json::parse(rejections[0]["shape"].get<std::string>(), nullptr, false);
}

std::string Session(const std::string& extra) {
  return std::string(R"({"install_id":")") + kInstall + R"(","session_id":")" + kSessionId + R"(","version":"0.3.0")" + extra +
         "}";
}

TEST(EventShape, WrongTypeShowsTheTypeSent) {
  const Json rejections = Rejections("agentsonar", "session", Session(R"(,"python":3.12,"os":"linux")"));
  ASSERT_EQ(rejections.size(), 1u) << rejections.dump();
  EXPECT_EQ(rejections[0]["code"], "wrong_type");
  EXPECT_EQ(rejections[0]["version"], "0.3.0");
  EXPECT_EQ(ShapeOf(rejections), Json::parse(R"({"install_id":"string","os":"string","python":"number",
                                                  "session_id":"string","version":"string"})"));
}

TEST(EventShape, MissingFieldShowsWhatWasSent) {
  const Json rejections = Rejections("agentsonar", "session",
                                     std::string(R"({"session_id":")") + kSessionId + R"(","version":"1.0.0","adapter":null})");
  EXPECT_EQ(rejections[0]["code"], "missing_field");
  EXPECT_EQ(ShapeOf(rejections), Json::parse(R"({"adapter":"null","session_id":"string","version":"string"})"));
}

TEST(EventShape, KeysAfterTheErrorAndEveryTypeAreKept) {
  const Json rejections = Rejections(
      "agentsonar", "session",
      R"({"install_id":"nope","version":"1.0.0","x_list":[1,{"a":2}],"x_obj":{"b":[3]},"x_flag":true,"x_null":null})");
  EXPECT_EQ(rejections[0]["code"], "invalid_uuid");
  EXPECT_EQ(ShapeOf(rejections), Json::parse(R"({"install_id":"string","version":"string","x_flag":"bool",
                                                  "x_list":"array","x_null":"null","x_obj":"object"})"));
}

TEST(EventShape, SecretShapedAndPersonalKeysNeverAppear) {
  std::string raw;
  const Json rejections = Rejections(
      "agentsonar", "session",
      R"({"install_id":"nope","AKIAIOSFODNN7EXAMPLE":1,"jane.doe@example.com":"x","198.51.100.23":2,)"
      R"("Ab3dEfGh1jKlMn0pQrStUvWxYz":3,"":4,"has space":5,"ok_key":6})",
      &raw);
  EXPECT_EQ(ShapeOf(rejections), Json::parse(R"({"<key>":"number","install_id":"string","ok_key":"number"})"));
  for (const char* secret : {"AKIA", "example", "198.51", "Ab3dEf", "space"}) {
    EXPECT_EQ(raw.find(secret), std::string::npos) << secret << " in " << raw;
  }
}

TEST(EventShape, ValuesNeverAppear) {
  std::string raw;
  Rejections("agentsonar", "session",
             R"({"install_id":"zq-value-1","version":"zq-value-2","python":"zq-value-3","x":{"zq_inner_key":"zq-value-4"}})",
             &raw);
  EXPECT_EQ(raw.find("zq"), std::string::npos) << raw;
}

TEST(EventShape, AliasesAreWrittenUnderTheFieldsName) {
  // langflow's version event: "Version" and "autoLogin" are aliases of version and auto_login.
  const Json rejections = Rejections("langflow", "version", R"({"Version":5,"autoLogin":true,"Python":"3.12"})");
  EXPECT_EQ(rejections[0]["code"], "wrong_type");
  EXPECT_EQ(ShapeOf(rejections), Json::parse(R"({"auto_login":"bool","python":"string","version":"number"})"));
}

TEST(EventShape, AKeyUnderItsNameAndAnAliasIsWrittenOnce) {
  const Json rejections = Rejections("langflow", "version", R"({"version":"1.0.0","Version":"1.0.0"})");
  EXPECT_EQ(rejections[0]["code"], "duplicate_key");
  EXPECT_EQ(ShapeOf(rejections), Json::parse(R"({"version":"string"})"));
}

TEST(EventShape, EscapedKeysAreReadAsDecoded) {
  // The key is not a view into the body: it is copied, and still names its field.
  const Json rejections = Rejections("agentsonar", "session", R"({"install_id":"nope","pyth\u006fn":3})");
  EXPECT_EQ(ShapeOf(rejections), Json::parse(R"({"install_id":"string","python":"number"})"));
}

TEST(EventShape, ManyKeysAreCappedAt32) {
  std::string body = R"({"install_id":"nope")";
  for (int i = 0; i < 40; ++i) body += ",\"k" + std::to_string(10 + i) + "\":" + std::to_string(i);
  body += "}";
  const Json shape = ShapeOf(Rejections("agentsonar", "session", body));
  ASSERT_EQ(shape.size(), EventShape::kMaxShapeKeys + 1) << shape.dump();
  EXPECT_EQ(shape["\xE2\x80\xA6"], "more");
  EXPECT_EQ(shape["install_id"], "string");
  EXPECT_EQ(shape["k10"], "number");
  EXPECT_FALSE(shape.contains("k49"));  // sorted, the last ones are cut
}

TEST(EventShape, MoreKeysThanNotedStillSayMore) {
  std::string body = R"({"install_id":"nope")";
  for (int i = 0; i < 100; ++i) body += ",\"k\":1";
  body += "}";
  EXPECT_EQ(ShapeOf(Rejections("agentsonar", "session", body)), Json::parse(R"({"install_id":"string","k":"number","…":"more"})"));
}

TEST(EventShape, AValuePastTheNotedKeysTypesNoKey) {
  std::string body = R"({"install_id":"nope")";
  for (int i = 2; i < static_cast<int>(EventShape::kMaxNotedKeys); ++i) body += ",\"k\":1";
  body += R"(,"zlast":1,"late":"text"})";  // zlast is the last key noted
  EXPECT_EQ(ShapeOf(Rejections("agentsonar", "session", body)),
            Json::parse(R"({"install_id":"string","k":"number","zlast":"number","…":"more"})"));
}

TEST(EventShape, RejectionsAreGroupedByShape) {
  const std::string body = std::string("[") + R"({"install_id":"nope","version":"1.0.0"},)" +
                           R"({"install_id":"nope","version":"1.0.0"},)" + R"({"install_id":"nope","version":"1.0.0","python":"3"}])";
  const Json rejections = Rejections("agentsonar", "session", body);
  ASSERT_EQ(rejections.size(), 2u) << rejections.dump();
  EXPECT_EQ(rejections[0]["count"], 2);
  EXPECT_EQ(rejections[0]["shape"], R"({"install_id":"string","version":"string"})");
  EXPECT_EQ(rejections[1]["count"], 1);
}

TEST(EventShape, AnEventThatIsNoObjectHasNoShape) {
  const Json rejections = Rejections("agentsonar", "session", R"([5])");
  ASSERT_EQ(rejections.size(), 1u);
  EXPECT_EQ(rejections[0]["code"], "not_an_object");
  EXPECT_FALSE(rejections[0].contains("shape"));
}

TEST(EventShape, ARefusedRequestHasNoShape) {
  const Json rejections = Rejections("agentsonar", "session", R"({"install_id":)");
  ASSERT_EQ(rejections.size(), 1u);
  EXPECT_EQ(rejections[0]["code"], "malformed_json");
  EXPECT_FALSE(rejections[0].contains("shape"));
}

TEST(EventShape, BatchEventsLeaveTheirNamesOut) {
  // Keys before "product" and "event" are replayed from the tape: copied, not views.
  Ingestor ingestor(testing::ReferenceCatalogue());
  IngestRequest request = testing::MakeRequest("", "",
      R"({"events":[{"install_id":"nope","python":1,"product":"agentsonar","event":"session","os":"linux"}]})");
  const Json rejections = Json::parse(ingestor.Ingest(request).rejections_json, nullptr, false);
  EXPECT_EQ(ShapeOf(rejections), Json::parse(R"({"install_id":"string","os":"string","python":"number"})"));
}

TEST(EventShape, AcceptedEventsCountNothing) {
  Ingestor ingestor(testing::ReferenceCatalogue());
  const IngestResult result = ingestor.Ingest(testing::MakeRequest("agentsonar", "session", Session(R"(,"python":"3.12")")));
  EXPECT_EQ(result.outcome, Status::ok);
  EXPECT_EQ(std::string(result.rejections_json), "[]");
}

TEST(EventShape, KeptAsSentIsTheMapKeyRule) {
  EXPECT_TRUE(EventShape::KeptAsSent("python_version"));
  EXPECT_TRUE(EventShape::KeptAsSent("tokens.total-2"));
  EXPECT_TRUE(EventShape::KeptAsSent(std::string(64, 'a')));
  EXPECT_FALSE(EventShape::KeptAsSent(std::string(65, 'a')));
  EXPECT_FALSE(EventShape::KeptAsSent(""));
  EXPECT_FALSE(EventShape::KeptAsSent("tokens/total"));
  EXPECT_FALSE(EventShape::KeptAsSent("AKIAIOSFODNN7EXAMPLE"));
  EXPECT_FALSE(EventShape::KeptAsSent("key_AKIAIOSFODNN7EXAMPLE"));
  EXPECT_FALSE(EventShape::KeptAsSent("jane@example.com"));
  EXPECT_FALSE(EventShape::KeptAsSent("4155552671"));
  EXPECT_FALSE(EventShape::KeptAsSent("Janes-MacBook-Pro"));
}

}  // namespace
}  // namespace phonehome
