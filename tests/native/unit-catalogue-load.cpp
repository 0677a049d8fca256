// unit-catalogue-load.cpp: the core's own check of a compiled catalogue (catalogue::Load and
// ph_load_catalogue). tests/catalogue/load-vectors.json holds documents it must refuse, each
// with the exact message; tests/wasm/catalogue-load.test.mjs runs the same through both Wasm builds.
#include <gtest/gtest.h>

#include <string>

#include <nlohmann/json.hpp>

#include "abi.h"
#include "abi_result.h"
#include "catalogue.h"
#include "catalogue_file.h"
#include "request.h"

namespace phonehome {
namespace {

using Json = nlohmann::ordered_json;  // member order matters: the first problem is reported

Json Vectors() {
  return Json::parse(testing::ReadFile(PHONEHOME_VECTORS_DIR "/../catalogue/load-vectors.json"));
}

// DocumentOf() is a vector's document: its text, or the base with its ops applied.
std::string DocumentOf(const Json& base, const Json& vector) {
  if (vector.contains("text")) return vector["text"].get<std::string>();
  Json doc = base;
  for (const Json& op : vector.value("ops", Json::array())) {
    const Json& path = op.contains("set") ? op["set"] : op["delete"];
    Json* at = &doc;
    for (size_t i = 0; i + 1 < path.size(); ++i) at = path[i].is_number() ? &(*at)[path[i].get<size_t>()] : &(*at)[path[i].get<std::string>()];
    const Json& last = path.back();
    if (op.contains("delete")) {
      if (last.is_number()) at->erase(last.get<size_t>());
      else at->erase(last.get<std::string>());
    } else if (last.is_number()) {
      const auto index = last.get<size_t>();
      if (index == at->size()) at->push_back(op["value"]);
      else (*at)[index] = op["value"];
    } else {
      (*at)[last.get<std::string>()] = op["value"];
    }
  }
  return doc.dump();
}

TEST(CatalogueLoad, EveryVectorIsRefusedWithItsMessage) {
  const Json all = Vectors();
  ASSERT_GE(all["vectors"].size(), 40u);
  for (const Json& vector : all["vectors"]) {
    catalogue::Loaded loaded;
    std::string error;
    const bool ok = catalogue::Load(DocumentOf(all["base"], vector), loaded, error);
    const std::string expect = vector["expect"].get<std::string>();
    EXPECT_EQ(ok, expect.empty()) << vector["id"];
    EXPECT_EQ(error, expect) << vector["id"];
  }
}

TEST(CatalogueLoad, TheReferenceCatalogueLoads) {
  const catalogue::Catalogue& reference = testing::ReferenceCatalogue();
  EXPECT_GT(reference.product_count, 0);
  EXPECT_GT(reference.max_field_count, 0);
}

TEST(CatalogueLoad, RefusesADocumentLargerThanTheLimit) {
  catalogue::Loaded loaded;
  std::string error;
  EXPECT_FALSE(catalogue::Load(std::string(catalogue::kMaxCatalogueBytes + 1, ' '), loaded, error));
  EXPECT_EQ(error, "catalogue: larger than 4194304 bytes");
}

TEST(CatalogueLoad, RefusesAnEventWithMoreThan256Fields) {
  Json doc = Vectors()["base"];
  // The base counts 15 fields (one nested): the 257th is top-level field 255.
  Json& fields = doc["products"][0]["events"][0]["fields"];
  for (int i = 0; fields.size() < 257; ++i) fields.push_back({{"name", "extra_" + std::to_string(i)}, {"kind", "bool"}});
  catalogue::Loaded loaded;
  std::string error;
  EXPECT_FALSE(catalogue::Load(doc.dump(), loaded, error));
  EXPECT_EQ(error, "products[0] (demo).events[0] (run).fields[255] (extra_241): an event may declare at most 256 fields");
}

// Through the ABI: a refused catalogue leaves the module with none (ingest answers misconfigured)
// until a good one is loaded again.
TEST(CatalogueLoad, ARefusedLoadLeavesNoCatalogueUntilAGoodOne) {
  const auto ingest = [] {
    return testing::CallIngest(testing::MakeRequest("agentsonar", "session", R"({"install_id":"x"})")).outcome;
  };
  EXPECT_NE(ingest(), static_cast<uint32_t>(Status::misconfigured));
  const std::string bad = R"({"products":[]})";
  EXPECT_EQ(ph_load_catalogue(reinterpret_cast<const uint8_t*>(bad.data()), static_cast<uint32_t>(bad.size())), 1);
  EXPECT_STREQ(ph_catalogue_error(), "products: must be a non-empty list of products");
  EXPECT_EQ(ingest(), static_cast<uint32_t>(Status::misconfigured));
  testing::LoadReferenceIntoAbi();
  EXPECT_STREQ(ph_catalogue_error(), "");
  EXPECT_NE(ingest(), static_cast<uint32_t>(Status::misconfigured));
}

}  // namespace
}  // namespace phonehome
