// custom-catalogue.cpp: the core built with tests/fixtures/catalogue-custom instead of catalogue/.
// The same C++ sources accept a product that exists only as a catalogue file: adding a product
// needs no C++ change.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "phonehome/core.h"
#include "catalogue_file.h"
#include "request.h"

namespace phonehome {
namespace {

IngestRequest Acme(std::string_view event, std::string_view body) {
  return testing::MakeRequest("acme", event, body);
}

TEST(CustomCatalogue, AcceptsTheFixtureProduct) {
  Ingestor ingestor(testing::CatalogueFromFile(PHONEHOME_CUSTOM_CATALOGUE));
  const IngestResult result = ingestor.Ingest(Acme(
      "cli_run",
      R"({"machineId":"0b7e6a52-3c1d-4f2e-9a8b-7c6d5e4f3a2b","cli_version":"v2.3.0","node":"v20.11.1",)"
      R"("platform":"win32","command":"B","duration_ms":1532,"flags":["--prod","--verbose"],)"
      R"("error":"ENOENT: /Users/bob/app/config.yml missing","secret_field":"x"})"));
  ASSERT_EQ(result.outcome, Status::ok) << result.response_json;
  const auto rows = nlohmann::json::parse(result.rows_json);
  ASSERT_EQ(rows.size(), 1u);
  const auto& row = rows[0];
  EXPECT_EQ(row["product"], "acme");
  EXPECT_EQ(row["install_id"], "0b7e6a52-3c1d-4f2e-9a8b-7c6d5e4f3a2b");
  EXPECT_EQ(row["version"], "2.3.0");
  EXPECT_EQ(row["runtime"], "node");
  EXPECT_EQ(row["runtime_version"], "20");
  EXPECT_EQ(row["os"], "windows");
  EXPECT_EQ(row["properties"],
            nlohmann::json::parse(R"({"command":"build","duration_ms":1532,"flags":["--prod","--verbose"],)"
                                  R"("error":"ENOENT: <path> missing"})"));
  const auto verdict = nlohmann::json::parse(result.response_json)["results"][0];
  EXPECT_EQ(verdict["dropped"], nlohmann::json::parse(R"(["secret_field"])"));
}

TEST(CustomCatalogue, RejectsWhatTheFixtureDeclaresRejected) {
  Ingestor ingestor(testing::CatalogueFromFile(PHONEHOME_CUSTOM_CATALOGUE));
  const IngestResult result = ingestor.Ingest(Acme(
      "cli_run", R"({"machine":"0b7e6a52-3c1d-4f2e-9a8b-7c6d5e4f3a2b","cli_version":"2.3.0","command":"destroy"})"));
  EXPECT_EQ(result.outcome, Status::all_rejected);
  EXPECT_EQ(nlohmann::json::parse(result.response_json)["results"][0]["code"], "invalid_enum");
}

// Strings: scrubbed where they are properties, kept as sent (and then refused when they hold what
// the scrubber would change) where they feed a column or declare a pattern.
constexpr std::string_view kRun =
    R"({"machine":"0b7e6a52-3c1d-4f2e-9a8b-7c6d5e4f3a2b","cli_version":"2.3.0","command":"build")";

nlohmann::json Verdict(const IngestResult& result) { return nlohmann::json::parse(result.response_json)["results"][0]; }

TEST(CustomCatalogue, ScrubsAPropertyStringAndKeepsColumnAndPatternStrings) {
  Ingestor ingestor(testing::CatalogueFromFile(PHONEHOME_CUSTOM_CATALOGUE));
  const std::string body = std::string(kRun) +
                           R"(,"shell":"zsh-42","exit_reason":"signal.int","hint":"mail ops@example.com","flags":["--dry-run"]})";
  const IngestResult result = ingestor.Ingest(Acme("cli_run", body));
  ASSERT_EQ(result.outcome, Status::ok) << result.response_json;
  const auto row = nlohmann::json::parse(result.rows_json)[0];
  EXPECT_EQ(row["session_id"], "zsh-42");
  EXPECT_EQ(row["properties"]["exit_reason"], "signal.int");
  EXPECT_EQ(row["properties"]["hint"], "mail <email>");
}

TEST(CustomCatalogue, RefusesASensitiveColumnString) {
  Ingestor ingestor(testing::CatalogueFromFile(PHONEHOME_CUSTOM_CATALOGUE));
  const IngestResult result = ingestor.Ingest(Acme("cli_run", std::string(kRun) + R"(,"shell":"alice@example.com"})"));
  EXPECT_EQ(result.outcome, Status::all_rejected);
  EXPECT_EQ(Verdict(result)["code"], "sensitive_value");
  EXPECT_EQ(Verdict(result)["path"], "shell");
}

TEST(CustomCatalogue, RefusesAPatternStringTheScrubberWouldChange) {
  Ingestor ingestor(testing::CatalogueFromFile(PHONEHOME_CUSTOM_CATALOGUE));
  // Inside the pattern's characters, and still an address.
  const IngestResult result = ingestor.Ingest(Acme("cli_run", std::string(kRun) + R"(,"exit_reason":"10.0.0.5"})"));
  EXPECT_EQ(Verdict(result)["code"], "sensitive_value");
  EXPECT_EQ(result.row_count, 0u);
}

TEST(CustomCatalogue, RefusesStringsOutsideTheirPattern) {
  Ingestor ingestor(testing::CatalogueFromFile(PHONEHOME_CUSTOM_CATALOGUE));
  IngestResult result = ingestor.Ingest(Acme("cli_run", std::string(kRun) + R"(,"exit_reason":"Not OK"})"));
  EXPECT_EQ(Verdict(result)["code"], "pattern_mismatch");
  EXPECT_EQ(Verdict(result)["path"], "exit_reason");
  result = ingestor.Ingest(Acme("cli_run", std::string(kRun) + R"(,"flags":["--ok","--token=abc"]})"));
  EXPECT_EQ(Verdict(result)["code"], "pattern_mismatch");
  EXPECT_EQ(Verdict(result)["path"], "flags[1]");
}

TEST(CustomCatalogue, KnowsOnlyItsOwnProducts) {
  Ingestor ingestor(testing::CatalogueFromFile(PHONEHOME_CUSTOM_CATALOGUE));
  EXPECT_EQ(ingestor.Ingest(Acme("cli_run", "{}")).outcome, Status::all_rejected);
  IngestRequest other = Acme("session", "{}");
  other.product = "agentsonar";
  EXPECT_EQ(ingestor.Ingest(other).outcome, Status::unknown_product);
}

}  // namespace
}  // namespace phonehome
