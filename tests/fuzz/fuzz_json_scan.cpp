// fuzz_json_scan.cpp: differential libFuzzer harness for the JSON scanner (wasm/src/json_scan.h)
// against its oracle, nlohmann::json::sax_parse. Any difference in the handler calls, their
// values, the error position or class, or the result traps.
//
// Each input runs twice: the whole input with handlers that never stop, then the input after its
// first byte with handlers that decide as that byte says: its low 7 bits are the event at which
// they return false (0: never), its high bit what parse_error() returns (true makes both read one
// more token). libFuzzer's buffer is exactly the input's size, so ASan sees any over-read.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include "json_scan_oracle.h"

namespace {

void CheckSame(std::string_view input, phonehome::testing::ScanPolicy policy, std::string& scratch) {
  const phonehome::testing::ScanTrace oracle = phonehome::testing::RunOracle(input, policy);
  const phonehome::testing::ScanTrace scanner = phonehome::testing::RunScanner(input, policy, scratch);
  const std::string difference = phonehome::testing::FirstDifference(oracle, scanner);
  if (!difference.empty()) {
    std::fprintf(stderr, "json_scan differs from nlohmann (stop after %zu, go on after error %d): %s\n",
                 policy.stop_after, policy.continue_after_error ? 1 : 0, difference.c_str());
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // One scratch for every run, as the core keeps one: leftovers from a run must not matter.
  static std::string scratch;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckSame(input, {}, scratch);
  if (size >= 1) {
    const phonehome::testing::ScanPolicy policy{static_cast<size_t>(data[0] & 0x7F), (data[0] & 0x80) != 0};
    CheckSame(input.substr(1), policy, scratch);
  }
  return 0;
}
