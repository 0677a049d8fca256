// fuzz_catalogue.cpp: libFuzzer harness for the compiled catalogue's loader (catalogue::Load).
//
// Input: any bytes, read as a compiled catalogue. Load() must never crash, hang or leak (ASan), and:
//   - it refuses with a message, or accepts;
//   - a catalogue it accepts has consistent tables (counts within the arrays, children within the
//     event, dedup fields among the top level) and an Ingestor made with it ingests a request for
//     each of its events without crashing.
// Seeds: the reference catalogue and the loader's vectors (tests/catalogue/load-vectors.json base).
#include <cstdint>
#include <string>
#include <string_view>

#include "catalogue.h"
#include "phonehome/core.h"

namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

void CheckTables(const phonehome::catalogue::Catalogue& c) {
  Check(c.product_count > 0);
  for (uint16_t p = 0; p < c.product_count; ++p) {
    const auto& product = c.products[p];
    Check(product.event_count > 0);
    for (uint16_t e = 0; e < product.event_count; ++e) {
      const auto& event = product.events[e];
      Check(event.top_level_count <= event.field_count && event.field_count <= c.max_field_count);
      for (uint8_t d = 0; d < event.dedup_field_count; ++d) Check(event.dedup_fields[d] < event.top_level_count);
      for (uint16_t f = 0; f < event.field_count; ++f) {
        const auto& field = event.fields[f];
        Check(field.input_name_count >= 1 && field.input_names[0] == field.name);
        Check(field.first_child + field.child_count <= event.field_count);
        if (field.enumeration != nullptr) {
          for (uint16_t a = 0; a < field.enumeration->alias_count; ++a) {
            Check(field.enumeration->aliases[a].value < field.enumeration->value_count);
          }
        }
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  phonehome::catalogue::Loaded loaded;
  std::string error;
  if (!phonehome::catalogue::Load(input, loaded, error)) {
    Check(!error.empty());
    return 0;
  }
  Check(error.empty());
  const auto& catalogue = loaded.catalogue();
  CheckTables(catalogue);
  phonehome::Ingestor ingestor(catalogue);
  for (uint16_t p = 0; p < catalogue.product_count; ++p) {
    for (uint16_t e = 0; e < catalogue.products[p].event_count; ++e) {
      phonehome::IngestRequest request;
      request.product = catalogue.products[p].name;
      request.event = catalogue.products[p].events[e].name;
      request.body = R"({"a":1,"b":"x","c":[1,2],"d":{"e":true}})";
      request.received_at_ms = 1795240900000;
      const phonehome::IngestResult result = ingestor.Ingest(request);
      Check(result.event_count == 1);
    }
  }
  return 0;
}
