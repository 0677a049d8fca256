// unit-forget.cpp: what POST /v1/forget deletes (wasm/src/forget.h): the spellings under which the
// loaded catalogue's install_id fields store the id a body names, and the bodies refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "abi.h"
#include "catalogue.h"
#include "catalogue_file.h"
#include "forget.h"
#include "field_check.h"
#include "install_key.h"
#include "scalar.h"

namespace phonehome::testing {
namespace {

// The fixture (tests/fixtures/catalogue-forget) holds two products: strid keeps its install id as
// a string (at most 128 bytes), uuidid as a uuid.
const catalogue::Catalogue& BothKinds() { return CatalogueFromFile(PHONEHOME_FORGET_CATALOGUE); }

// StringOnly() is the fixture without its uuid product.
const catalogue::Catalogue& StringOnly() {
  static const std::unique_ptr<catalogue::Loaded> loaded = [] {
    auto doc = nlohmann::json::parse(ReadFile(PHONEHOME_FORGET_CATALOGUE));
    auto& products = doc["products"];
    for (auto it = products.begin(); it != products.end();) it = (*it)["product"] == "uuidid" ? products.erase(it) : it + 1;
    auto out = std::make_unique<catalogue::Loaded>();
    std::string error;
    if (!catalogue::Load(doc.dump(), *out, error)) ADD_FAILURE() << error;
    return out;
  }();
  return loaded->catalogue();
}

std::string Body(std::string_view id) {
  return nlohmann::json{{"install_id", std::string(id)}}.dump();
}

// Ids() is the forms' ids, in the order given; a refused body is {"refused"}.
std::vector<std::string> Ids(const catalogue::Catalogue& catalogue, std::string_view body) {
  std::vector<forget::Form> forms;
  if (!forget::Forms(catalogue, body, forms)) return {"refused"};
  std::vector<std::string> ids;
  for (const auto& form : forms) {
    EXPECT_EQ(form.install_key, InstallKey(form.install_id)) << form.install_id;
    ids.push_back(form.install_id);
  }
  return ids;
}

using Ids_ = std::vector<std::string>;
constexpr char kLower[] = "abcdef01-2345-6789-abcd-ef0123456789";
constexpr char kUpper[] = "ABCDEF01-2345-6789-ABCD-EF0123456789";

TEST(Forget, ReadsAUuidAsTheUuidKindStoresIt) {
  const auto& reference = ReferenceCatalogue();  // its install ids are all uuids
  EXPECT_EQ(Ids(reference, Body(kLower)), Ids_{kLower});
  EXPECT_EQ(Ids(reference, Body(kUpper)), Ids_{kLower});
  EXPECT_EQ(Ids(reference, Body("{ABCDEF01-2345-6789-ABCD-EF0123456789}")), Ids_{kLower});
  EXPECT_EQ(Ids(reference, Body("abcdef0123456789ABCDEF0123456789")), Ids_{kLower});
  EXPECT_EQ(Ids(reference, Body(" \tABCDEF01-2345-6789-ABCD-EF0123456789\n")), Ids_{kLower});
}

TEST(Forget, FindsNoUuidFormWhereTheUuidKindWouldRefuseTheId) {
  const auto& reference = ReferenceCatalogue();
  // Dashes elsewhere than 8-4-4-4-12: the regex the shim used accepted these, the core never did.
  EXPECT_EQ(Ids(reference, Body("abcdef0-12345-6789-abcd-ef0123456789")), Ids_{});
  EXPECT_EQ(Ids(reference, Body("abcdef01-2345-6789-abcdef-0123456789")), Ids_{});
  EXPECT_EQ(Ids(reference, Body("{abcdef01-2345-6789-abcd-ef0123456789")), Ids_{});
  EXPECT_EQ(Ids(reference, Body("not a uuid")), Ids_{});
}

TEST(Forget, KeepsAStringIdAsSentCleaned) {
  const auto& strings = StringOnly();
  EXPECT_EQ(Ids(strings, Body(kUpper)), Ids_{kUpper});  // the case the old regex lost
  EXPECT_EQ(Ids(strings, Body("{ABCDEF01-2345-6789-ABCD-EF0123456789}")), Ids_{"{ABCDEF01-2345-6789-ABCD-EF0123456789}"});
  EXPECT_EQ(Ids(strings, Body(" \t machine-7\r\n")), Ids_{"machine-7"});
  EXPECT_EQ(Ids(strings, Body("mach\x01ine\u200b-7")), Ids_{"machine-7"});  // control and invisible characters go
  // Unicode white space other than ASCII's is kept, as CleanView keeps it (JS trim() did not).
  EXPECT_EQ(Ids(strings, Body("\u00a0machine-7\u3000")), Ids_{"\u00a0machine-7\u3000"});
}

TEST(Forget, AnswersEveryFormWhenBothKindsFeedTheColumn) {
  // In the catalogue's order: strid (string) comes before uuidid.
  EXPECT_EQ(Ids(BothKinds(), Body(kUpper)), (Ids_{kUpper, kLower}));
  EXPECT_EQ(Ids(BothKinds(), Body(kLower)), Ids_{kLower});  // one spelling for both: no repeat
  EXPECT_EQ(Ids(BothKinds(), Body("machine-7")), Ids_{"machine-7"});
}

TEST(Forget, CountsLengthInUtf16UnitsAsJavaScriptDoes) {
  EXPECT_EQ(Ids(StringOnly(), Body(std::string(128, 'a'))), Ids_{std::string(128, 'a')});
  EXPECT_EQ(Ids(StringOnly(), Body(std::string(129, 'a'))), Ids_{"refused"});
  std::string faces;
  for (int i = 0; i < 64; ++i) faces += "\U0001F600";  // 128 units, 256 bytes
  // Accepted, but longer than the field's 128 bytes: the field would have refused it, no form.
  EXPECT_EQ(Ids(StringOnly(), Body(faces)), Ids_{});
  EXPECT_EQ(Ids(StringOnly(), Body(faces + "\U0001F600")), Ids_{"refused"});
  std::string accents;
  for (int i = 0; i < 128; ++i) accents += "\u00e9";  // 128 units, 256 bytes
  EXPECT_EQ(Ids(StringOnly(), Body(accents)), Ids_{});
  EXPECT_EQ(Ids(StringOnly(), Body(accents + "e")), Ids_{"refused"});
}

TEST(Forget, RefusesWhatIsNotAnInstallIdRequest) {
  const auto& c = BothKinds();
  for (const std::string& body : {
           std::string(""), std::string("not json"), std::string("[]"), std::string("null"), std::string("\"x\""),
           std::string("{}"), std::string(R"({"install_id":5})"), std::string(R"({"install_id":null})"),
           std::string(R"({"install_id":["a"]})"), std::string(R"({"install_id":""})"),
           std::string(R"({"install_id":" \t\n"})"), std::string(R"({"install_id":"\u200b"})"),
           std::string(R"({"install_id":"a"} trailing)"),
           // A key given twice: which id was meant? JSON.parse kept the last; the core refuses.
           std::string(R"({"install_id":"a","install_id":"b"})"),
           // Ill-formed UTF-8, and an unpaired surrogate escape.
           std::string("{\"install_id\":\"a\xff\"}"), std::string(R"({"install_id":"a\ud800"})"),
       }) {
    EXPECT_EQ(Ids(c, body), Ids_{"refused"}) << body;
  }
}

// Every value field_check::Check stores for an install_id field is among the forms, spelled the
// same: forget finds whatever ingest could have stored.
TEST(Forget, AnswersWhatFieldCheckStores) {
  std::string long_id(100, 'x');
  long_id += "\u00e9\u00e9";
  const std::vector<std::string> ids = {
      kLower, kUpper, "{ABCDEF01-2345-6789-ABCD-EF0123456789}", "abcdef0123456789ABCDEF0123456789",
      " \tabcdef01-2345-6789-abcd-ef0123456789\n", "abcdef0-12345-6789-abcd-ef0123456789", "machine-7",
      "  Machine 7 \x7f", "mach\x01ine\u200b-7", "\u00a0machine-7\u3000", long_id};
  for (const catalogue::Catalogue* each : {&BothKinds(), &ReferenceCatalogue()}) {
    const catalogue::Catalogue& c = *each;
    // Every install_id field of the catalogue.
    std::vector<catalogue::FieldSpec> fields;
    for (uint16_t p = 0; p < c.product_count; ++p) {
      for (uint16_t e = 0; e < c.products[p].event_count; ++e) {
        const catalogue::EventSpec& event = c.products[p].events[e];
        for (uint16_t f = 0; f < event.field_count; ++f) {
          if (event.fields[f].column == catalogue::Column::InstallId) fields.push_back(event.fields[f]);
        }
      }
    }
    ASSERT_FALSE(fields.empty());
    for (const std::string& id : ids) {
      const std::vector<std::string> forms = Ids(c, Body(id));
      for (const catalogue::FieldSpec& field : fields) {
        JsonScalar value;
        value.type = JsonScalar::Type::String;
        value.text = id;
        field_check::Buffers buffers;
        std::string stored;
        const auto checked = field_check::Check(field, field.kind, value, field_check::Place{}, buffers, stored);
        if (checked.outcome != field_check::Outcome::Stored) continue;
        const std::string spelled = nlohmann::json::parse(stored).get<std::string>();
        EXPECT_NE(std::find(forms.begin(), forms.end(), spelled), forms.end()) << id << " stored as " << spelled;
      }
    }
  }
}

TEST(Forget, CutsWhereAStringFieldTruncates) {
  // The fixture's string field, declared truncating at 32 bytes.
  auto doc = nlohmann::json::parse(ReadFile(PHONEHOME_FORGET_CATALOGUE));
  for (auto& product : doc["products"]) {
    for (auto& event : product["events"]) {
      for (auto& field : event["fields"]) {
        if (field["kind"] == "string") field["max_length"] = 32, field["on_too_long"] = "truncate";
      }
    }
  }
  catalogue::Loaded loaded;
  std::string error;
  ASSERT_TRUE(catalogue::Load(doc.dump(), loaded, error)) << error;
  const std::string id = std::string(31, 'x') + "\u00e9z";  // the cut falls inside the é: before it
  EXPECT_EQ(Ids(loaded.catalogue(), Body(id)), Ids_{std::string(31, 'x')});
}

TEST(Forget, IgnoresOtherMembers) {
  EXPECT_EQ(Ids(BothKinds(), R"({"reason":"uninstalled","install_id":"machine-7","n":[1,{"a":2}]})"), Ids_{"machine-7"});
}

std::string Hex(uint64_t key) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(key));
  return text;
}

TEST(Forget, AnswerJsonListsFormsWithTheirCounterKeys) {
  const auto answer = nlohmann::json::parse(forget::AnswerJson(BothKinds(), Body(kUpper)));
  ASSERT_EQ(answer["forms"].size(), 2u);
  EXPECT_EQ(answer["forms"][0]["install_id"], kUpper);
  EXPECT_EQ(answer["forms"][0]["install_key"], Hex(InstallKey(kUpper)));
  EXPECT_EQ(answer["forms"][1]["install_id"], kLower);
  EXPECT_EQ(answer["forms"][1]["install_key"], Hex(InstallKey(kLower)));
  EXPECT_EQ(forget::AnswerJson(BothKinds(), "{}"), R"({"error":"invalid_forget_request"})");
  EXPECT_EQ(forget::AnswerJson(BothKinds(), Body("not a uuid but a string")),
            R"({"forms":[{"install_id":"not a uuid but a string","install_key":")" + Hex(InstallKey("not a uuid but a string")) +
                "\"}]}");
}

std::string CallForget(std::string_view body) {
  // An exact-size copy, so a sanitizer sees any read past the body.
  std::vector<uint8_t> bytes(body.begin(), body.end());
  return ph_forget(bytes.data(), static_cast<uint32_t>(bytes.size()));
}

TEST(Forget, AbiAnswersWithTheLoadedCatalogue) {
  const std::string bad = "{}";
  ASSERT_NE(ph_load_catalogue(reinterpret_cast<const uint8_t*>(bad.data()), static_cast<uint32_t>(bad.size())), 0);
  EXPECT_EQ(CallForget(Body(kLower)), R"({"error":"misconfigured"})");
  LoadReferenceIntoAbi();
  EXPECT_EQ(nlohmann::json::parse(CallForget(Body(kUpper)))["forms"][0]["install_id"], kLower);
  EXPECT_EQ(CallForget("not json"), R"({"error":"invalid_forget_request"})");
  EXPECT_EQ(CallForget(Body("machine-7")), R"({"forms":[]})");  // no string field: nothing stored so
}

}  // namespace
}  // namespace phonehome::testing
