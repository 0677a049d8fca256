// vectors.cpp: the shared test vector loader.
#include "vectors.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace phonehome::testing {
namespace {

using Json = nlohmann::ordered_json;

bool ReadFile(const std::filesystem::path& path, std::string& text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  text = buffer.str();
  return true;
}

bool HexToBytes(const std::string& hex, std::string& bytes) {
  if (hex.size() % 2 != 0) return false;
  bytes.clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    const std::string pair = hex.substr(i, 2);
    if (pair.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) return false;
    bytes.push_back(static_cast<char>(std::stoi(pair, nullptr, 16)));
  }
  return true;
}

// BodyFromParts() builds a large body from [text, count] pairs; "{i}" in a text is replaced by
// the repetition's number, so big hostile bodies stay small in the vector files.
bool BodyFromParts(const Json& parts, std::string& body) {
  body.clear();
  for (const Json& part : parts) {
    if (!part.is_array() || part.size() != 2 || !part[0].is_string() || !part[1].is_number_unsigned()) return false;
    const std::string text = part[0].get<std::string>();
    const uint64_t count = part[1].get<uint64_t>();
    const size_t counter = text.find("{i}");
    for (uint64_t i = 0; i < count; ++i) {
      if (counter == std::string::npos) {
        body += text;
      } else {
        body.append(text, 0, counter);
        body += std::to_string(i);
        body.append(text, counter + 3, std::string::npos);
      }
    }
  }
  return true;
}

// Field() reads a case's value, falling back to the file's defaults.
const Json* Field(const Json& item, const Json& defaults, const char* name) {
  if (item.contains(name)) return &item[name];
  if (defaults.contains(name)) return &defaults[name];
  return nullptr;
}

}  // namespace

std::string VectorsDir() { return PHONEHOME_VECTORS_DIR; }

namespace {

// JsonFiles() lists the *.json files below dir, sorted, skipping the folders `skip` names.
std::vector<std::filesystem::path> JsonFiles(const std::string& dir, std::initializer_list<const char*> skip) {
  std::vector<std::filesystem::path> files;
  for (auto it = std::filesystem::recursive_directory_iterator(dir); it != std::filesystem::recursive_directory_iterator(); ++it) {
    const std::string name = it->path().filename().string();
    if (it->is_directory() && std::find(skip.begin(), skip.end(), name) != skip.end()) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && it->path().extension() == ".json") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

bool LoadScrubVectors(const std::string& dir, std::vector<ScrubCase>& cases, std::string& error) {
  std::set<std::string> ids;
  for (const auto& path : JsonFiles(dir, {})) {
    const std::string name = path.filename().string();
    std::string text;
    if (!ReadFile(path, text)) {
      error = name + ": cannot read";
      return false;
    }
    const Json doc = Json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.contains("cases") || !doc["cases"].is_array() || !doc.contains("case_count") ||
        doc["case_count"] != doc["cases"].size()) {
      error = name + ": not a scrub vector file, or case_count does not match";
      return false;
    }
    for (const Json& item : doc["cases"]) {
      if (!item.contains("id") || !item["id"].is_string() || !item.contains("input") || !item["input"].is_string() ||
          !item.contains("output") || !item["output"].is_string()) {
        error = name + ": a case lacks id, input or output";
        return false;
      }
      ScrubCase c{item["id"].get<std::string>(), "", item["input"].get<std::string>(),
                  item["output"].get<std::string>()};
      if (item.contains("comment") && item["comment"].is_string()) c.comment = item["comment"].get<std::string>();
      if (!ids.insert(c.id).second) {
        error = name + ": repeated case id " + c.id;
        return false;
      }
      cases.push_back(std::move(c));
    }
  }
  return true;
}

std::string ScrubCaseBody(const ScrubCase& c) {
  const Json body = {{"run_id", "5d6e7f80-1a2b-4c3d-8e9f-a0b1c2d3e4f5"}, {"error_type", "E"}, {"message", c.input}};
  return body.dump();
}

bool LoadVectors(const std::string& dir, std::vector<VectorCase>& cases, std::string& error) {
  // Scrub cases have a format of their own (LoadScrubVectors).
  const std::vector<std::filesystem::path> files = JsonFiles(dir, {"scrub"});
  std::set<std::string> ids;
  for (const auto& path : files) {
    const std::string name = std::filesystem::relative(path, dir).string();
    std::string text;
    if (!ReadFile(path, text)) {
      error = name + ": cannot read";
      return false;
    }
    const Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object() || !doc.contains("cases") || !doc["cases"].is_array()) {
      error = name + ": not a vector file (JSON object with a cases array)";
      return false;
    }
    const Json defaults = doc.contains("defaults") ? doc["defaults"] : Json::object();
    const Json& items = doc["cases"];
    if (!doc.contains("case_count") || doc["case_count"] != items.size()) {
      error = name + ": case_count does not match the number of cases";
      return false;
    }
    for (const Json& item : items) {
      VectorCase c;
      c.file = name;
      if (!item.contains("id") || !item["id"].is_string() || !item.contains("expect")) {
        error = name + ": a case lacks id or expect";
        return false;
      }
      c.id = item["id"].get<std::string>();
      if (!ids.insert(c.id).second) {
        error = name + ": repeated case id " + c.id;
        return false;
      }
      const Json* product = Field(item, defaults, "product");
      const Json* event = Field(item, defaults, "event");
      const Json* received = Field(item, defaults, "received_at");
      const Json* nonce = Field(item, defaults, "nonce");
      if (!product || !product->is_string() || !event || !event->is_string() || !received ||
          !received->is_number() || !nonce || !nonce->is_number_unsigned()) {
        error = name + ": " + c.id + ": product, event, received_at and nonce are required";
        return false;
      }
      c.product = product->get<std::string>();
      c.event = event->get<std::string>();
      c.received_at_ms = received->get<double>();
      c.nonce = nonce->get<uint64_t>();
      if (item.contains("sent_at") && item["sent_at"].is_string()) c.sent_at = item["sent_at"].get<std::string>();
      if (item.contains("values_are_text") && item["values_are_text"].is_boolean()) {
        c.values_are_text = item["values_are_text"].get<bool>();
      }
      if (item.contains("body")) {
        c.body = item["body"].dump();
      } else if (item.contains("body_parts") && item["body_parts"].is_array()) {
        if (!BodyFromParts(item["body_parts"], c.body)) {
          error = name + ": " + c.id + ": body_parts must be [text, count] pairs";
          return false;
        }
      } else if (item.contains("body_text") && item["body_text"].is_string()) {
        c.body = item["body_text"].get<std::string>();
      } else if (!item.contains("body_hex") || !item["body_hex"].is_string() ||
                 !HexToBytes(item["body_hex"].get<std::string>(), c.body)) {
        error = name + ": " + c.id + ": needs body, body_text or body_hex";
        return false;
      }
      c.expect = item["expect"];
      cases.push_back(std::move(c));
    }
  }
  return true;
}

}  // namespace phonehome::testing
