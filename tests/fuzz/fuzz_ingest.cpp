// fuzz_ingest.cpp: libFuzzer harness for the core's ingest entry.
//
// Input: a first line naming the route, then the body. The route is "product/event" ("/" alone
// is the /v1/batch envelope); built with PHONEHOME_FUZZ_PRODUCT the product is fixed and the
// first line names only the event, so the fuzzer spends its time inside one product's rules.
//
// Besides the sanitizers' checks, every result must hold the core's promises: a JSON response,
// rows that parse, an "accepted" token at each stored row's offset, and the same bytes again when
// the same input is ingested a second time by the same (reused) Ingestor.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "catalogue_file.h"
#include "phonehome/core.h"

namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

struct Snapshot {
  phonehome::Status outcome;
  std::string rows;
  std::string response;
  std::string rejections;
};

Snapshot Take(const phonehome::IngestResult& r) {
  return {r.outcome, std::string(r.rows_json), std::string(r.response_json), std::string(r.rejections_json)};
}

void CheckResult(const phonehome::IngestResult& r) {
  using nlohmann::json;
  Check(static_cast<int>(r.outcome) >= 0 && r.outcome < phonehome::Status::count_);
  Check(phonehome::IsRequestStatus(r.outcome));
  const json response = json::parse(r.response_json, nullptr, false);
  Check(response.is_object());
  Check(!json::parse(r.rejections_json, nullptr, false).is_discarded());
  if (r.outcome != phonehome::Status::ok) Check(r.row_count == 0);
  uint32_t rows = 0;
  for (uint32_t i = 0; i < r.chunk_count; ++i) {
    const std::string_view chunk = r.rows_json.substr(r.chunks[3 * i], r.chunks[3 * i + 1]);
    const json parsed = json::parse(chunk, nullptr, false);
    Check(parsed.is_array());
    Check(r.chunks[3 * i + 2] == rows);
    rows += static_cast<uint32_t>(parsed.size());
  }
  Check(rows == r.row_count);
  for (uint32_t i = 0; i < r.row_count; ++i) {
    Check(r.response_json.substr(r.accepted_offsets[i], phonehome::kAcceptedToken.size()) == phonehome::kAcceptedToken);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static phonehome::Ingestor ingestor(phonehome::testing::ReferenceCatalogue());
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  if (newline == std::string_view::npos || newline > 128) return 0;
  const std::string_view route = input.substr(0, newline);

  phonehome::IngestRequest request;
#ifdef PHONEHOME_FUZZ_PRODUCT
  request.product = PHONEHOME_FUZZ_PRODUCT;
  request.event = route;
#else
  const size_t slash = route.find('/');
  if (slash == std::string_view::npos) return 0;
  request.product = route.substr(0, slash);
  request.event = route.substr(slash + 1);
#endif
  request.body = input.substr(newline + 1);
  request.received_at_ms = 1795240900000;
  request.nonce = 42;

  const Snapshot first = Take(ingestor.Ingest(request));
  const phonehome::IngestResult again = ingestor.Ingest(request);
  CheckResult(again);
  // The Ingestor keeps no state from one request into the next.
  Check(first.outcome == again.outcome && first.rows == again.rows_json && first.response == again.response_json &&
        first.rejections == again.rejections_json);
  return 0;
}
