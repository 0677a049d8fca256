// reference_batch.h: the reference events the native benchmarks read (the "-reference" cases of
// tests/vectors/catalogue/reference.json), and the 100-event batch of distinct copies each is
// measured as. Shared by bench_ingest and instruction_count, so both measure the same requests.
#pragma once

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "phonehome/core.h"

namespace phonehome::bench {

struct Case {
  std::string id, product, event, body;
};

inline std::vector<Case> ReferenceCases() {
  std::ifstream in(PHONEHOME_REFERENCE_VECTORS);
  std::stringstream text;
  text << in.rdbuf();
  const auto doc = nlohmann::ordered_json::parse(text.str(), nullptr, false);
  std::vector<Case> cases;
  if (!doc.is_object()) return cases;
  for (const auto& c : doc["cases"]) {
    const std::string id = c["id"].get<std::string>();
    if (id.size() < 10 || id.compare(id.size() - 10, 10, "-reference") != 0) continue;
    cases.push_back({id.substr(0, id.size() - 10), c["product"].get<std::string>(), c["event"].get<std::string>(),
                     c["body"].dump()});
  }
  return cases;
}

// DistinctCopy() makes copy `n` of an event distinct from the others, so a batch is 100 events to
// store and not one event and 99 duplicates (which cost less): the last four hex digits of every
// UUID in it become n. bench/node/reference-cases.mjs applies the same rule.
inline std::string DistinctCopy(std::string body, int n) {
  auto hex = [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); };
  static constexpr char kDigits[] = "0123456789abcdef";
  for (size_t i = 0; i + 36 <= body.size(); ++i) {
    bool uuid = true;
    for (size_t k = 0; k < 36 && uuid; ++k) {
      const bool dash = k == 8 || k == 13 || k == 18 || k == 23;
      uuid = dash ? body[i + k] == '-' : hex(body[i + k]);
    }
    if (!uuid) continue;
    for (int k = 0; k < 4; ++k) body[i + 35 - k] = kDigits[(n >> (4 * k)) & 15];
    i += 35;
  }
  return body;
}

// ReferenceRequest() is the request both native benchmarks send for case `c` with `body` (itself,
// or its batch): the receive time of the vectors and a fixed nonce.
inline IngestRequest ReferenceRequest(const Case& c, std::string_view body) {
  IngestRequest request;
  request.product = c.product;
  request.event = c.event;
  request.body = body;
  request.received_at_ms = 1795240900000;
  request.nonce = 7;
  return request;
}

inline std::string DistinctBatch(const std::string& body, int events) {
  std::string batch = "[";
  for (int n = 0; n < events; ++n) batch += (n ? "," : "") + DistinctCopy(body, n);
  return batch + "]";
}

}  // namespace phonehome::bench
