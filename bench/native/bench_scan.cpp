// bench_scan.cpp: Google Benchmark for the JSON scanner (wasm/src/json_scan.h) against what it
// replaces, nlohmann::json::sax_parse, each with a handler that does nearly nothing, on every
// reference event's 100-event request (reference_batch.h, the requests bench_ingest sends).
// bytes_per_second is the figure: the scanner's and nlohmann's on the same bytes.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "json_scan.h"
#include "reference_batch.h"

namespace {

using phonehome::bench::Case;
using phonehome::bench::DistinctBatch;
using phonehome::bench::ReferenceCases;

// The handlers fold what they are given into one number, so no value goes unread and the work of
// producing it cannot be optimized away; that is all they do.
struct ScanSink {
  uint64_t fold = 0;
  bool null() { return Add(1); }
  bool boolean(bool value) { return Add(value ? 2 : 3); }
  bool number_integer(int64_t value) { return Add(static_cast<uint64_t>(value)); }
  bool number_unsigned(uint64_t value) { return Add(value); }
  bool number_float(double value) { return Add(static_cast<uint64_t>(value)); }
  bool string(std::string_view value) { return Add(value.size()); }
  bool key(std::string_view name) { return Add(name.size()); }
  bool start_object() { return Add(4); }
  bool end_object() { return Add(5); }
  bool start_array() { return Add(6); }
  bool end_array() { return Add(7); }
  bool parse_error(std::size_t /*position*/, phonehome::json_scan::ScanError /*error*/) { return false; }
  bool Add(uint64_t value) {
    fold = fold * 31 + value;
    return true;
  }
};

struct NlohmannSink {
  using json = nlohmann::json;
  uint64_t fold = 0;
  bool null() { return Add(1); }
  bool boolean(bool value) { return Add(value ? 2 : 3); }
  bool number_integer(json::number_integer_t value) { return Add(static_cast<uint64_t>(value)); }
  bool number_unsigned(json::number_unsigned_t value) { return Add(value); }
  bool number_float(json::number_float_t value, const json::string_t& /*text*/) {
    return Add(static_cast<uint64_t>(value));
  }
  bool string(json::string_t& value) { return Add(value.size()); }
  bool binary(json::binary_t& /*value*/) { return Add(8); }
  bool start_object(std::size_t /*elements*/) { return Add(4); }
  bool key(json::string_t& name) { return Add(name.size()); }
  bool end_object() { return Add(5); }
  bool start_array(std::size_t /*elements*/) { return Add(6); }
  bool end_array() { return Add(7); }
  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& /*error*/) {
    return false;
  }
  bool Add(uint64_t value) {
    fold = fold * 31 + value;
    return true;
  }
};

void Scanner(benchmark::State& state, const std::string& body) {
  std::string scratch;
  for (auto _ : state) {
    ScanSink sink;
    if (!phonehome::json_scan::Scan(body, sink, scratch)) {
      state.SkipWithError("the scanner refused the request");
      break;
    }
    benchmark::DoNotOptimize(sink.fold);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}

void Nlohmann(benchmark::State& state, const std::string& body) {
  for (auto _ : state) {
    NlohmannSink sink;
    if (!nlohmann::json::sax_parse(body.data(), body.data() + body.size(), &sink)) {
      state.SkipWithError("nlohmann refused the request");
      break;
    }
    benchmark::DoNotOptimize(sink.fold);
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(body.size()));
}

}  // namespace

int main(int argc, char** argv) {
  static const std::vector<Case> cases = ReferenceCases();
  if (cases.empty()) {
    std::fprintf(stderr, "bench_scan: no reference cases in %s\n", PHONEHOME_REFERENCE_VECTORS);
    return 1;
  }
  static std::vector<std::string> batches;
  batches.reserve(cases.size());
  for (const Case& c : cases) batches.push_back(DistinctBatch(c.body, 100));
  for (size_t i = 0; i < cases.size(); ++i) {
    benchmark::RegisterBenchmark(("scan/" + cases[i].id).c_str(), [i](benchmark::State& s) { Scanner(s, batches[i]); });
    benchmark::RegisterBenchmark(("nlohmann/" + cases[i].id).c_str(), [i](benchmark::State& s) { Nlohmann(s, batches[i]); });
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
