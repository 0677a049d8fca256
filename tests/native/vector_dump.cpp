// vector_dump: prints, for every shared vector, the exact request bytes and the native result
// buffer, one JSON object per line. The Node test feeds the same bytes to each Wasm build and
// requires byte-identical results.
#include <cstdio>
#include <string>

#include "abi_result.h"
#include "vectors.h"

namespace {

std::string Hex(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xF]);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : phonehome::testing::VectorsDir();
  std::vector<phonehome::testing::VectorCase> cases;
  std::string error;
  if (!phonehome::testing::LoadVectors(dir, cases, error)) {
    std::fprintf(stderr, "vector_dump: %s\n", error.c_str());
    return 1;
  }
  // Scrubbing cases run as the message of an axolotl/error event.
  std::vector<phonehome::testing::ScrubCase> scrub_cases;
  if (!phonehome::testing::LoadScrubVectors(dir + "/scrub", scrub_cases, error)) {
    std::fprintf(stderr, "vector_dump: %s\n", error.c_str());
    return 1;
  }
  for (const auto& s : scrub_cases) {
    phonehome::testing::VectorCase c;
    c.id = s.id;
    c.product = "axolotl";
    c.event = "error";
    c.body = phonehome::testing::ScrubCaseBody(s);
    c.received_at_ms = 1795240900000;
    cases.push_back(std::move(c));
  }
  for (const auto& c : cases) {
    const auto r = phonehome::testing::CallIngest(c.Request());
    nlohmann::json line = {
        {"id", c.id},
        {"product", c.product},
        {"event", c.event},
        {"received_at", c.received_at_ms},
        {"nonce_high", static_cast<uint32_t>(c.nonce >> 32)},
        {"nonce_low", static_cast<uint32_t>(c.nonce)},
        {"body_hex", Hex(c.body)},
        {"sent_at", c.sent_at},
        {"values_are_text", c.values_are_text},
        {"result_hex", Hex(r.raw)},
    };
    std::printf("%s\n", line.dump().c_str());
  }
  return 0;
}
