// catalogue_file.h: compiled catalogues read from files and loaded as the Worker loads them, for
// the native tests, benchmarks and fuzzers. The build compiles the reference catalogue into
// PHONEHOME_REFERENCE_CATALOGUE (wasm/CMakeLists.txt, phonehome_add_catalogue). Header-only: the
// fuzzers and benchmarks link no test library.
#ifndef PHONEHOME_TESTS_CATALOGUE_FILE_H
#define PHONEHOME_TESTS_CATALOGUE_FILE_H

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "abi.h"
#include "catalogue.h"

namespace phonehome::testing {

// ReadFile() is a file's bytes; a file that cannot be read ends the process with its name.
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::exit(2);
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// CatalogueFromFile() loads the compiled catalogue at `path` once per process and keeps it for the
// process's life; one the core refuses ends the process with the reason.
inline const catalogue::Catalogue& CatalogueFromFile(const std::string& path) {
  static std::map<std::string, std::unique_ptr<catalogue::Loaded>> loaded;
  auto& slot = loaded[path];
  if (!slot) {
    slot = std::make_unique<catalogue::Loaded>();
    std::string error;
    if (!catalogue::Load(ReadFile(path), *slot, error)) {
      std::fprintf(stderr, "the catalogue %s was refused: %s\n", path.c_str(), error.c_str());
      std::exit(2);
    }
  }
  return slot->catalogue();
}

#ifdef PHONEHOME_REFERENCE_CATALOGUE
inline const catalogue::Catalogue& ReferenceCatalogue() { return CatalogueFromFile(PHONEHOME_REFERENCE_CATALOGUE); }

// LoadReferenceIntoAbi() loads the reference catalogue through ph_load_catalogue, as the Worker does.
inline void LoadReferenceIntoAbi() {
  const std::string text = ReadFile(PHONEHOME_REFERENCE_CATALOGUE);
  if (ph_load_catalogue(reinterpret_cast<const uint8_t*>(text.data()), static_cast<uint32_t>(text.size())) != 0) {
    std::fprintf(stderr, "the reference catalogue was refused: %s\n", ph_catalogue_error());
    std::exit(2);
  }
}
#endif

}  // namespace phonehome::testing

#endif  // PHONEHOME_TESTS_CATALOGUE_FILE_H
