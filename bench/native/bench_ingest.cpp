// bench_ingest.cpp: Google Benchmark for the native core (phonehome::Ingestor, which the Wasm ABI
// wraps): every reference event of tests/vectors/catalogue/reference.json on its own and as a
// batch of 100 distinct events. items_per_second is events per second.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include "phonehome/core.h"
#include "catalogue_file.h"
#include "reference_batch.h"

namespace {

using phonehome::bench::Case;
using phonehome::bench::DistinctBatch;
using phonehome::bench::ReferenceCases;

void Ingest(benchmark::State& state, const Case& c, const std::string& body, uint32_t events) {
  phonehome::Ingestor ingestor(phonehome::testing::ReferenceCatalogue());
  const phonehome::IngestRequest request = phonehome::bench::ReferenceRequest(c, body);
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

}  // namespace

int main(int argc, char** argv) {
  static const std::vector<Case> cases = ReferenceCases();
  if (cases.empty()) {
    std::fprintf(stderr, "bench_ingest: no reference cases in %s\n", PHONEHOME_REFERENCE_VECTORS);
    return 1;
  }
  static std::vector<std::string> batches;
  batches.reserve(cases.size());
  for (const Case& c : cases) batches.push_back(DistinctBatch(c.body, 100));
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
