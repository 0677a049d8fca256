// vectors.h: loading the shared test vectors of tests/vectors/ (format in its README.md).
#ifndef PHONEHOME_TESTS_VECTORS_H
#define PHONEHOME_TESTS_VECTORS_H

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "phonehome/core.h"
#include "request.h"

namespace phonehome::testing {

struct VectorCase {
  std::string file;  // relative to the vectors folder
  std::string id;
  std::string product;
  std::string event;
  double received_at_ms = 0;
  uint64_t nonce = 0;
  std::string body;  // the exact request bytes
  std::string sent_at;  // the X-Sent-At header, empty when absent
  bool values_are_text = false;  // the body is a query string read as an object (GET)
  nlohmann::ordered_json expect;

  // Request() views this case as the core's input.
  IngestRequest Request() const {
    IngestRequest request = MakeRequest(product, event, body, received_at_ms, nonce);
    request.sent_at = sent_at;
    request.values_are_text = values_are_text;
    return request;
  }
};

// PrintTo() names a case by its id in test output, instead of dumping its bytes.
inline void PrintTo(const VectorCase& c, std::ostream* out) { *out << c.id; }

// LoadVectors() reads every *.json file below `dir` (sorted by path, so the order is stable).
// It fails, with `error` naming the file, on unreadable JSON, a case without id or expect, a
// repeated id, or a case_count that disagrees with the cases present.
bool LoadVectors(const std::string& dir, std::vector<VectorCase>& cases, std::string& error);

// A scrubbing rule case (tests/vectors/scrub/): free text in, scrubbed text out.
struct ScrubCase {
  std::string id;
  std::string comment;
  std::string input;
  std::string output;
};
inline void PrintTo(const ScrubCase& c, std::ostream* out) { *out << c.id; }

// LoadScrubVectors() reads every *.json below `dir`, with the same guards as LoadVectors().
bool LoadScrubVectors(const std::string& dir, std::vector<ScrubCase>& cases, std::string& error);

// ScrubCaseBody() is an axolotl/error event carrying the case's input as its message: how the
// scrubbing cases run through the whole core, natively and in Wasm.
std::string ScrubCaseBody(const ScrubCase& c);

// The folder of the shared vectors, set by CMake.
std::string VectorsDir();

}  // namespace phonehome::testing

#endif  // PHONEHOME_TESTS_VECTORS_H
