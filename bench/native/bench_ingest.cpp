// bench_ingest.cpp: Google Benchmark for the native core: every reference event of
// tests/vectors/catalogue/reference.json on its own and as a batch of 100, through the C ABI as
// the Worker calls it. items_per_second is events per second.
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

void Ingest(benchmark::State& state, const Case& c, const std::string& body, int events) {
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
    if (result.outcome != phonehome::Status::ok) state.SkipWithError("the reference event was not accepted");
  }
  state.SetItemsProcessed(state.iterations() * events);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
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
    for (int i = 0; i < 100; ++i) batch += (i ? "," : "") + c.body;
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
