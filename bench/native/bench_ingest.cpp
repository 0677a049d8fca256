// bench_ingest.cpp: Google Benchmark for the native core (phonehome::Ingestor, which the Wasm ABI
// wraps): every reference event of tests/vectors/catalogue/reference.json on its own and as a
// batch of 100 distinct events. items_per_second is events per second.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "phonehome/core.h"

namespace {

struct Case {
  std::string id, product, event, body;
};

std::vector<Case> ReferenceCases() {
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

void Ingest(benchmark::State& state, const Case& c, const std::string& body, uint32_t events) {
  phonehome::Ingestor ingestor;
  phonehome::IngestRequest request;
  request.product = c.product;
  request.event = c.event;
  request.body = body;
  request.received_at_ms = 1795240900000;
  request.nonce = 7;
  for (auto _ : state) {
    const phonehome::IngestResult result = ingestor.Ingest(request);
    benchmark::DoNotOptimize(result.rows_json.data());
    if (result.outcome != phonehome::Status::ok || result.row_count != events) {
      state.SkipWithError("not every event of the request was accepted");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations() * events);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}

// DistinctCopy() makes copy `n` of an event distinct from the others, so a batch is 100 events to
// store and not one event and 99 duplicates (which cost less): the last four hex digits of every
// UUID in it become n. bench/node/reference-cases.mjs applies the same rule.
std::string DistinctCopy(std::string body, int n) {
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

}  // namespace

int main(int argc, char** argv) {
  static const std::vector<Case> cases = ReferenceCases();
  if (cases.empty()) {
    std::fprintf(stderr, "bench_ingest: no reference cases in %s\n", PHONEHOME_REFERENCE_VECTORS);
    return 1;
  }
  static std::vector<std::string> batches;
  batches.reserve(cases.size());
  for (const Case& c : cases) {
    std::string batch = "[";
    for (int n = 0; n < 100; ++n) batch += (n ? "," : "") + DistinctCopy(c.body, n);
    batches.push_back(batch + "]");
  }
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    benchmark::RegisterBenchmark(("single/" + c.id).c_str(), [&c](benchmark::State& s) { Ingest(s, c, c.body, 1); });
    benchmark::RegisterBenchmark(("batch100/" + c.id).c_str(), [&c, i](benchmark::State& s) { Ingest(s, c, batches[i], 100); });
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
