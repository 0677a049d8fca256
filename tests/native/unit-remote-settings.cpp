// unit-remote-settings.cpp: the catalogue's remote settings as the core enforces them (enabled,
// sample_rate, min_version; docs/PROTOCOL.md, "Verdicts"), their order among the other decisions,
// and the ci column. The load vectors (tests/catalogue/load-vectors.json) hold the refusals.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "catalogue.h"
#include "install_key.h"
#include "normalize.h"
#include "phonehome/core.h"
#include "request.h"

namespace phonehome {
namespace {

using Json = nlohmann::ordered_json;

// A product of two events: "run" has an install id, a version and an enum ci field; "ping" has
// neither install id nor version, and a bool ci field.
Json Document() {
  return Json::parse(R"({"products":[{"product":"demo","opt_out":["Set DEMO_NO_TELEMETRY=1."],"events":[
    {"name":"run","dedup":"none","fields":[
      {"name":"install_id","kind":"string","max_length":64,"column":"install_id","description":"d"},
      {"name":"version","kind":"version","column":"version","description":"d"},
      {"name":"n","kind":"integer","min":0,"max":10,"description":"d"},
      {"name":"ci","kind":"enum","column":"ci","description":"d",
       "values":["none","github_actions","gitlab","unknown"],"value_aliases":{"github":"github_actions","true":"unknown"}}]},
    {"name":"ping","dedup":"none","fields":[
      {"name":"in_ci","kind":"bool","column":"ci","description":"d"},
      {"name":"n","kind":"integer","min":0,"max":10,"description":"d"}]}]}]})");
}

Json& Product(Json& doc) { return doc["products"][0]; }
Json& RunEvent(Json& doc) { return doc["products"][0]["events"][0]; }
Json& PingEvent(Json& doc) { return doc["products"][0]["events"][1]; }

// Core holds a loaded catalogue and an Ingestor over it.
struct Core {
  explicit Core(const Json& doc) {
    std::string error;
    loaded = std::make_unique<catalogue::Loaded>();
    EXPECT_TRUE(catalogue::Load(doc.dump(), *loaded, error)) << error;
    ingestor = std::make_unique<Ingestor>(loaded->catalogue());
  }
  // Post() answers one body: its response, rows and rejection counts, parsed.
  struct Answer {
    Status outcome;
    Json response;
    Json rows;
    Json rejections;
  };
  Answer Post(std::string_view event, const std::string& body, uint64_t nonce = 1) {
    const IngestResult r = ingestor->Ingest(testing::MakeRequest("demo", event, body, testing::kVectorReceivedAtMs, nonce));
    return {r.outcome, Json::parse(r.response_json), r.row_count ? Json::parse(r.rows_json) : Json::array(),
            Json::parse(r.rejections_json)};
  }
  std::unique_ptr<catalogue::Loaded> loaded;
  std::unique_ptr<Ingestor> ingestor;
};

std::string RunBody(std::string_view install, std::string_view version) {
  Json body = {{"install_id", install}, {"n", 1}};
  if (!version.empty()) body["version"] = version;
  return body.dump();
}

TEST(RemoteSettings, AnEventInheritsItsProductsSettingsAndOverridesThem) {
  Json doc = Document();
  Product(doc)["enabled"] = false;
  Product(doc)["sample_rate"] = 0.25;
  Product(doc)["min_version"] = "v1.2";
  Product(doc)["version_check"] = true;  // the Worker's: accepted and ignored
  PingEvent(doc)["enabled"] = true;
  PingEvent(doc)["sample_rate"] = 1;
  PingEvent(doc)["min_version"] = nullptr;  // null leaves the product's
  Core core(doc);
  const catalogue::ProductSpec& product = core.loaded->catalogue().products[0];
  const catalogue::EventSpec& run = product.events[0];
  const catalogue::EventSpec& ping = product.events[1];
  EXPECT_FALSE(run.enabled);
  EXPECT_EQ(run.sample_rate, 0.25);
  EXPECT_EQ(run.sample_rate_json, "0.25");
  EXPECT_EQ(run.min_version, "1.2");
  EXPECT_TRUE(ping.enabled);
  EXPECT_EQ(ping.sample_rate, 1);
  EXPECT_EQ(ping.sample_rate_json, "null");
  EXPECT_EQ(ping.min_version, "1.2");
}

TEST(RemoteSettings, WithoutSettingsEveryEventIsKeptAndRowsSayNoRate) {
  Core core(Document());
  const auto answer = core.Post("run", RunBody("a", "1.0.0"));
  EXPECT_EQ(answer.outcome, Status::ok);
  ASSERT_EQ(answer.rows.size(), 1u);
  EXPECT_TRUE(answer.rows[0]["sample_rate"].is_null());
  EXPECT_TRUE(answer.rows[0]["ci"].is_null());
}

TEST(RemoteSettings, ADisabledEventIsAnsweredDisabledCountedAndNotStored) {
  Json doc = Document();
  RunEvent(doc)["enabled"] = false;
  Core core(doc);
  const auto answer = core.Post("run", "[" + RunBody("a", "1.0.0") + "," + RunBody("b", "2.0.0") + "]");
  EXPECT_EQ(answer.outcome, Status::ok);  // not a rejection: 200
  EXPECT_EQ(answer.response, Json::parse(R"({"results":[{"index":0,"status":"disabled"},{"index":1,"status":"disabled"}]})"));
  EXPECT_TRUE(answer.rows.empty());
  EXPECT_EQ(answer.rejections, Json::parse(R"([{"product":"demo","event":"run","code":"disabled","version":"1.0.0","count":1},
                                               {"product":"demo","event":"run","code":"disabled","version":"2.0.0","count":1}])"));
  // The product's other event is untouched.
  EXPECT_EQ(core.Post("ping", R"({"n":1})").rows.size(), 1u);
}

TEST(RemoteSettings, AProductDisabledAsAWholeLetsAnEventTurnItselfOn) {
  Json doc = Document();
  Product(doc)["enabled"] = false;
  PingEvent(doc)["enabled"] = true;
  Core core(doc);
  EXPECT_EQ(core.Post("run", RunBody("a", "")).response["results"][0]["status"], "disabled");
  EXPECT_EQ(core.Post("ping", R"({"n":1})").response["results"][0]["status"], "accepted");
}

// Sampled() is the contract's rule, recomputed here: kept iff H < rate * 2^64, H the install key.
bool KeptByContract(std::string_view install, double rate) {
  return InstallKey(install) < static_cast<uint64_t>(rate * 0x1p64);
}

TEST(RemoteSettings, SamplingKeepsAboutTheRateOfInstallsEachWholeAndTheSameOnRetry) {
  Json doc = Document();
  RunEvent(doc)["sample_rate"] = 0.3;
  Core core(doc);
  constexpr int kInstalls = 4000;
  int kept = 0;
  for (int i = 0; i < kInstalls; ++i) {
    const std::string install = "install-" + std::to_string(i);
    // Three events of one install in one request: all in or all out.
    const auto answer = core.Post("run", "[" + RunBody(install, "1.0.0") + "," + RunBody(install, "1.0.1") + "," +
                                             RunBody(install, "1.0.2") + "]", i + 1);
    const std::string first = answer.response["results"][0]["status"];
    ASSERT_TRUE(first == "accepted" || first == "sampled_out") << first;
    for (const Json& verdict : answer.response["results"]) ASSERT_EQ(verdict["status"], first) << install;
    ASSERT_EQ(first == "accepted", KeptByContract(install, 0.3)) << install;
    EXPECT_EQ(answer.outcome, Status::ok);
    if (first == "accepted") {
      ++kept;
      for (const Json& row : answer.rows) ASSERT_EQ(row["sample_rate"], 0.3);
    } else {
      ASSERT_TRUE(answer.rows.empty());
      ASSERT_EQ(answer.rejections[0]["code"], "sampled_out");
    }
    // A retry, with another nonce, is decided the same.
    ASSERT_EQ(core.Post("run", RunBody(install, "1.0.0"), 99999).response["results"][0]["status"], first) << install;
  }
  // 4,000 installs at 0.3: 1,200 expected, one standard deviation 29; 150 is over five.
  EXPECT_NEAR(kept, 0.3 * kInstalls, 150);
}

TEST(RemoteSettings, WithoutAnInstallIdSamplingHashesTheEventId) {
  Json doc = Document();
  PingEvent(doc)["sample_rate"] = 0.5;
  PingEvent(doc)["dedup"] = {{"fields", {"n"}}, {"per_day", false}};
  PingEvent(doc)["fields"][1]["required"] = true;
  Core core(doc);
  int kept = 0;
  for (int n = 0; n <= 10; ++n) {
    const std::string body = R"({"n":)" + std::to_string(n) + "}";
    const auto answer = core.Post("ping", body, 1);
    const std::string status = answer.response["results"][0]["status"];
    if (status == "accepted") {
      ++kept;
      // H is the install key's hash of the event id's 32 hex digits.
      const std::string id = answer.rows[0]["event_id"];
      EXPECT_LT(InstallKey(id), static_cast<uint64_t>(0.5 * 0x1p64));
    }
    // The same event again (a retry: same dedup key, another request) is decided the same.
    EXPECT_EQ(core.Post("ping", body, 2).response["results"][0]["status"], status);
  }
  EXPECT_GT(kept, 0);
  EXPECT_LT(kept, 11);
}

TEST(RemoteSettings, ARequestOfOnlySampledOutEventsIsOk) {
  Json doc = Document();
  RunEvent(doc)["sample_rate"] = 0.3;
  Core core(doc);
  std::string out;
  for (int i = 0; out.empty(); ++i) {
    if (!KeptByContract("i" + std::to_string(i), 0.3)) out = "i" + std::to_string(i);
  }
  const auto answer = core.Post("run", RunBody(out, "1.0.0"));
  EXPECT_EQ(answer.outcome, Status::ok);
  EXPECT_EQ(answer.response, Json::parse(R"({"results":[{"index":0,"status":"sampled_out"}]})"));
  EXPECT_EQ(answer.rejections, Json::parse(R"([{"product":"demo","event":"run","code":"sampled_out","version":"1.0.0","count":1}])"));
}

// VerdictFor() is the verdict of one run event with `version` under `min_version`.
Json VerdictFor(std::string_view min_version, std::string_view version, int precision = 0) {
  Json doc = Document();
  RunEvent(doc)["min_version"] = min_version;
  if (precision > 0) RunEvent(doc)["fields"][1]["precision"] = precision;
  Core core(doc);
  return core.Post("run", RunBody("a", version)).response["results"][0];
}

TEST(RemoteSettings, AVersionBelowTheMinimumIsRejectedVersionUnsupported) {
  Json doc = Document();
  RunEvent(doc)["min_version"] = "1.4.0";
  Core core(doc);
  const auto answer = core.Post("run", RunBody("a", "v1.3.9"));
  EXPECT_EQ(answer.outcome, Status::all_rejected);  // a rejection like any other: 400
  EXPECT_EQ(answer.response["results"][0], Json::parse(R"({"index":0,"status":"rejected","code":"version_unsupported",
      "path":"version","message":"version 1.3.9 is below the minimum version 1.4.0 this event accepts"})"));
  EXPECT_EQ(answer.rejections, Json::parse(R"([{"product":"demo","event":"run","code":"version_unsupported","version":"1.3.9","count":1,
                   "shape":"{\"install_id\":\"string\",\"n\":\"number\",\"version\":\"string\"}"}])"));
  // No version: nothing to compare, accepted.
  EXPECT_EQ(core.Post("run", RunBody("a", "")).response["results"][0]["status"], "accepted");
}

TEST(RemoteSettings, TheMinimumComparesBySemverPrecedence) {
  const auto status = [](std::string_view min, std::string_view version) {
    const Json verdict = VerdictFor(min, version);
    return verdict.value("code", verdict["status"].get<std::string>());
  };
  EXPECT_EQ(status("1.4.0", "1.4.0"), "accepted");
  EXPECT_EQ(status("1.4.0", "1.4"), "accepted");  // 1.4 is 1.4.0
  EXPECT_EQ(status("1.4.0", "1.10.0"), "accepted");  // numerically, not as text
  EXPECT_EQ(status("1.4.0", "1.4.0-rc.1"), "version_unsupported");  // a pre-release is below its release
  EXPECT_EQ(status("1.4.0", "1.5.0-beta"), "accepted");
  EXPECT_EQ(status("1.4.0", "1.4.0+build.7"), "accepted");  // build metadata never orders
  EXPECT_EQ(status("2.0.0-rc.2", "2.0.0-rc.10"), "accepted");
  EXPECT_EQ(status("2.0.0-rc.2", "2.0.0-rc.1"), "version_unsupported");
  EXPECT_EQ(status("2.0.0-rc.2", "2.0.0-beta.9"), "version_unsupported");  // beta < rc
  EXPECT_EQ(status("2.0.0-rc.2", "2.0.0"), "accepted");
  EXPECT_EQ(status("2.0.0-rc", "2.0.0-rc.1"), "accepted");  // more identifiers order above
  EXPECT_EQ(status("1.0.0-alpha.1", "1.0.0-alpha.beta"), "accepted");  // numeric below alphanumeric
}

TEST(RemoteSettings, TheMinimumIsComparedAtThePrecisionTheColumnKeeps) {
  // With 2 parts the column holds 1.4: it cannot tell 1.4.0 from 1.4.9, so 1.4.2 admits every 1.4.
  EXPECT_EQ(VerdictFor("1.4.2", "1.4.0", 2)["status"], "accepted");
  EXPECT_EQ(VerdictFor("1.4.2", "1.4.0-rc.1", 2)["status"], "accepted");
  EXPECT_EQ(VerdictFor("1.4.2", "1.3.9", 2)["code"], "version_unsupported");
  EXPECT_EQ(VerdictFor("1.4.2", "1.3.9", 2)["message"], "version 1.3 is below the minimum version 1.4.2 this event accepts");
  EXPECT_EQ(VerdictFor("2", "1.99", 1)["code"], "version_unsupported");
}

TEST(RemoteSettings, DecisionsComeInTheContractsOrder) {
  Json doc = Document();
  RunEvent(doc)["enabled"] = false;
  RunEvent(doc)["min_version"] = "2.0.0";
  RunEvent(doc)["sample_rate"] = 0.01;
  Core core(doc);
  // Validation first: a wrong type is rejected as such, whatever the settings.
  EXPECT_EQ(core.Post("run", R"({"install_id":"a","n":"x","version":"1.0.0"})").response["results"][0]["code"], "wrong_type");
  // Then the minimum version, before disabled.
  EXPECT_EQ(core.Post("run", RunBody("a", "1.0.0")).response["results"][0]["code"], "version_unsupported");
  // Then disabled, before sampling.
  EXPECT_EQ(core.Post("run", RunBody("a", "2.0.0")).response["results"][0]["status"], "disabled");

  // Sampling before duplicates: the second copy of a sampled-out event is sampled out too.
  Json sampled = Document();
  RunEvent(sampled)["sample_rate"] = 0.3;
  RunEvent(sampled)["dedup"] = {{"fields", {"install_id"}}, {"per_day", true}};
  RunEvent(sampled)["fields"][0]["required"] = true;
  Core second(sampled);
  std::string out;
  std::string in;
  for (int i = 0; out.empty() || in.empty(); ++i) {
    const std::string id = "i" + std::to_string(i);
    (KeptByContract(id, 0.3) ? in : out) = id;
  }
  EXPECT_EQ(second.Post("run", "[" + RunBody(out, "1.0.0") + "," + RunBody(out, "1.0.0") + "]").response,
            Json::parse(R"({"results":[{"index":0,"status":"sampled_out"},{"index":1,"status":"sampled_out"}]})"));
  const auto kept = second.Post("run", "[" + RunBody(in, "1.0.0") + "," + RunBody(in, "1.0.0") + "]");
  EXPECT_EQ(kept.response["results"][0]["status"], "accepted");
  EXPECT_EQ(kept.response["results"][1]["status"], "duplicate");
}

TEST(CiColumn, AnEnumStoresItsCanonicalValueABoolUnknownOrNone) {
  Core core(Document());
  const auto row = [&](std::string_view event, const std::string& body) { return core.Post(event, body).rows[0]; };
  EXPECT_EQ(row("run", R"({"ci":"GitHub"})")["ci"], "github_actions");
  EXPECT_EQ(row("run", R"({"ci":"none"})")["ci"], "none");
  EXPECT_TRUE(row("run", R"({"n":1})")["ci"].is_null());  // the event did not say
  EXPECT_FALSE(row("run", R"({"ci":"gitlab"})")["properties"].contains("ci"));  // a column, not a property
  EXPECT_EQ(row("ping", R"({"in_ci":true})")["ci"], "unknown");
  EXPECT_EQ(row("ping", R"({"in_ci":false})")["ci"], "none");
  EXPECT_TRUE(row("ping", R"({"n":2})")["ci"].is_null());
}

TEST(Normalize, CompareVersionsOrdersBySemverPrecedence) {
  EXPECT_EQ(normalize::CompareVersions("1.0.0", "1.0.0"), 0);
  EXPECT_EQ(normalize::CompareVersions("1.2", "1.2.0.0"), 0);
  EXPECT_EQ(normalize::CompareVersions("1.9.0", "1.10.0"), -1);
  EXPECT_EQ(normalize::CompareVersions("10.0.0", "9.99.99"), 1);
  EXPECT_EQ(normalize::CompareVersions("1.0.0-alpha", "1.0.0"), -1);
  EXPECT_EQ(normalize::CompareVersions("1.0.0", "1.0.0-alpha"), 1);
  // SemVer 2.0.0's own chain: alpha < alpha.1 < alpha.beta < beta < beta.2 < beta.11 < rc.1 < release.
  const char* chain[] = {"1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
                         "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0"};
  for (size_t i = 0; i + 1 < std::size(chain); ++i) {
    EXPECT_EQ(normalize::CompareVersions(chain[i], chain[i + 1]), -1) << chain[i];
    EXPECT_EQ(normalize::CompareVersions(chain[i + 1], chain[i]), 1) << chain[i];
  }
  EXPECT_EQ(normalize::CompareVersions("1.0.0+a", "1.0.0+b"), 0);
  EXPECT_EQ(normalize::CompareVersions("123456789012345678901.0", "99.0"), 1);  // past any integer type
}

}  // namespace
}  // namespace phonehome
