// vectors.h: loading the shared test vectors of tests/vectors/ (format in its README.md).
#ifndef PHONEHOME_TESTS_VECTORS_H
#define PHONEHOME_TESTS_VECTORS_H

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace phonehome::testing {

struct VectorCase {
  std::string file;  // relative to the vectors folder
  std::string id;
  std::string product;
  std::string event;
  double received_at_ms = 0;
  uint64_t nonce = 0;
  std::string body;  // the exact request bytes
  nlohmann::ordered_json expect;
};

// PrintTo() names a case by its id in test output, instead of dumping its bytes.
inline void PrintTo(const VectorCase& c, std::ostream* out) { *out << c.id; }

// LoadVectors() reads every *.json file below `dir` (sorted by path, so the order is stable).
// It fails, with `error` naming the file, on unreadable JSON, a case without id or expect, a
// repeated id, or a case_count that disagrees with the cases present.
bool LoadVectors(const std::string& dir, std::vector<VectorCase>& cases, std::string& error);

// The folder of the shared vectors, set by CMake.
std::string VectorsDir();

}  // namespace phonehome::testing

#endif  // PHONEHOME_TESTS_VECTORS_H
