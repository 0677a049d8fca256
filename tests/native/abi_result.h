// abi_result.h: calling the C ABI natively and reading its result, as worker/core.js does.
#ifndef PHONEHOME_TESTS_ABI_RESULT_H
#define PHONEHOME_TESTS_ABI_RESULT_H

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "phonehome/core.h"

namespace phonehome::testing {

struct AbiResult {
  int32_t returned = -1;  // ph_ingest's return value
  uint32_t outcome = 0;
  uint32_t event_count = 0;
  uint32_t row_count = 0;
  std::string rows;
  std::string response;
  std::string rejections;
  std::string row_installs;
  std::string install_counts;
  std::vector<uint32_t> accepted_offsets;
  struct Chunk {
    std::string rows;  // one JSON array
    uint32_t first_row;
  };
  std::vector<Chunk> chunks;
  std::string raw;  // the whole result buffer
};

// CallIngest() copies every input into an exact-size heap buffer first, so sanitizers catch any
// read past the end, then calls ph_ingest and decodes the result layout of abi.h.
AbiResult CallIngest(const IngestRequest& request);

}  // namespace phonehome::testing

#endif  // PHONEHOME_TESTS_ABI_RESULT_H
