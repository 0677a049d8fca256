// instruction_count.cpp: ingests one reference case's 100-event batch N times, for an instruction
// count under callgrind that is the same whatever else the machine does (docs/PERFORMANCE.md):
//   valgrind --tool=callgrind --callgrind-out-file=/dev/null build/native/bench/instruction_count CASE N
// The count of N=10 minus the count of N=0 is ten ingests, without start-up and reading the cases.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "phonehome/core.h"
#include "catalogue_file.h"
#include "reference_batch.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: instruction_count CASE N   (CASE: e.g. axon-heartbeat)\n");
    return 2;
  }
  const std::string wanted = argv[1];
  const int repeats = std::atoi(argv[2]);
  for (const phonehome::bench::Case& c : phonehome::bench::ReferenceCases()) {
    if (c.id != wanted) continue;
    const std::string batch = phonehome::bench::DistinctBatch(c.body, 100);
    phonehome::Ingestor ingestor(phonehome::testing::ReferenceCatalogue());
    size_t rows = 0;
    for (int k = 0; k < repeats; ++k) {
      rows += ingestor.Ingest(phonehome::bench::ReferenceRequest(c, batch)).row_count;
    }
    std::printf("%zu rows\n", rows);
    return rows == static_cast<size_t>(repeats) * 100 ? 0 : 1;
  }
  std::fprintf(stderr, "instruction_count: no reference case %s\n", wanted.c_str());
  return 2;
}
