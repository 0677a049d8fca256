// abi.cpp: the C interface of abi.h over phonehome::Ingestor and the catalogue it loads.
#include "abi.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "catalogue.h"
#include "phonehome/core.h"

// PH_EXPORT keeps a function in the module under its own name, for both Wasm toolchains.
#if defined(__wasm__)
#define PH_EXPORT(name) __attribute__((export_name(#name), used))
#else
#define PH_EXPORT(name)
#endif

namespace {

constexpr uint32_t kHeaderWords = 16;

// The module's one catalogue and the Ingestor made with it; both empty until a load succeeds, and
// again after a load fails (ph_load_catalogue).
struct Loaded {
  std::unique_ptr<phonehome::catalogue::Loaded> catalogue;
  std::unique_ptr<phonehome::Ingestor> ingestor;
  std::string error = "no catalogue is loaded";
};

Loaded& TheCatalogue() {
  static Loaded loaded;
  return loaded;
}

constexpr std::string_view kMisconfigured =
    R"({"error":{"code":"misconfigured","message":"the collector holds no valid catalogue"}})";

// The result buffer: the header words followed by the texts and the offsets table.
std::string& ResultBuffer() {
  static std::string buffer;
  return buffer;
}

void PutWord(std::string& buffer, size_t word, uint32_t value) {
  // Explicit little-endian bytes, so the native build writes the same layout as Wasm.
  for (int i = 0; i < 4; ++i) buffer[word * 4 + i] = static_cast<char>((value >> (8 * i)) & 0xFF);
}

std::string_view View(const uint8_t* data, uint32_t length) {
  return {reinterpret_cast<const char*>(data), length};
}

}  // namespace

extern "C" {

PH_EXPORT(ph_abi_version) uint32_t ph_abi_version(void) { return PH_ABI_VERSION; }

PH_EXPORT(ph_alloc) uint8_t* ph_alloc(uint32_t size) {
  return static_cast<uint8_t*>(std::malloc(size == 0 ? 1 : size));
}

PH_EXPORT(ph_free) void ph_free(uint8_t* pointer) { std::free(pointer); }

PH_EXPORT(ph_ingest)
int32_t ph_ingest(const uint8_t* product, uint32_t product_length, const uint8_t* event,
                  uint32_t event_length, const uint8_t* body, uint32_t body_length,
                  const uint8_t* sent_at, uint32_t sent_at_length, double received_at_ms,
                  uint32_t nonce_high, uint32_t nonce_low, uint32_t flags) {
  phonehome::IngestRequest request;
  request.product = View(product, product_length);
  request.event = View(event, event_length);
  request.body = View(body, body_length);
  request.sent_at = View(sent_at, sent_at_length);
  request.received_at_ms = received_at_ms;
  request.nonce = (static_cast<uint64_t>(nonce_high) << 32) | nonce_low;
  request.values_are_text = (flags & PH_VALUES_ARE_TEXT) != 0;
#ifdef PHONEHOME_TEST_TRAP
  // Test builds only (preset wasm-trap): the product "__trap__" traps, so the Worker's recovery
  // from a trap can be tested end to end. Never in a shipped module.
  if (request.product == "__trap__") __builtin_trap();
#endif
  phonehome::IngestResult result;
  if (TheCatalogue().ingestor) {
    result = TheCatalogue().ingestor->Ingest(request);
  } else {
    result.outcome = phonehome::Status::misconfigured;
    result.response_json = kMisconfigured;
    result.rejections_json = "[]";
  }

  std::string& out = ResultBuffer();
  // One large request must not pin its result's memory for the life of the instance.
  if (out.capacity() > (size_t{2} << 20)) std::string().swap(out);
  out.assign(kHeaderWords * 4, '\0');
  const auto rows_offset = static_cast<uint32_t>(out.size());
  out.append(result.rows_json);
  const auto response_offset = static_cast<uint32_t>(out.size());
  out.append(result.response_json);
  const auto rejections_offset = static_cast<uint32_t>(out.size());
  out.append(result.rejections_json);
  const auto row_installs_offset = static_cast<uint32_t>(out.size());
  out.append(result.row_installs_json);
  const auto install_counts_offset = static_cast<uint32_t>(out.size());
  out.append(result.install_counts_json);
  out.resize((out.size() + 3) & ~size_t{3}, ' ');  // align the offsets table
  const auto offsets_offset = static_cast<uint32_t>(out.size());
  for (uint32_t i = 0; i < result.row_count; ++i) {
    out.append(4, '\0');
    PutWord(out, offsets_offset / 4 + i, result.accepted_offsets[i]);
  }
  const auto chunks_offset = static_cast<uint32_t>(out.size());
  for (uint32_t i = 0; i < result.chunk_count; ++i) {
    out.append(12, '\0');
    // Chunk offsets are made relative to the result buffer, like every other offset.
    PutWord(out, chunks_offset / 4 + 3 * i, rows_offset + result.chunks[3 * i]);
    PutWord(out, chunks_offset / 4 + 3 * i + 1, result.chunks[3 * i + 1]);
    PutWord(out, chunks_offset / 4 + 3 * i + 2, result.chunks[3 * i + 2]);
  }
  PutWord(out, 0, static_cast<uint32_t>(result.outcome));
  PutWord(out, 1, result.event_count);
  PutWord(out, 2, result.row_count);
  PutWord(out, 3, rows_offset);
  PutWord(out, 4, static_cast<uint32_t>(result.rows_json.size()));
  PutWord(out, 5, response_offset);
  PutWord(out, 6, static_cast<uint32_t>(result.response_json.size()));
  PutWord(out, 7, offsets_offset);
  PutWord(out, 8, result.chunk_count);
  PutWord(out, 9, chunks_offset);
  PutWord(out, 10, rejections_offset);
  PutWord(out, 11, static_cast<uint32_t>(result.rejections_json.size()));
  PutWord(out, 12, row_installs_offset);
  PutWord(out, 13, static_cast<uint32_t>(result.row_installs_json.size()));
  PutWord(out, 14, install_counts_offset);
  PutWord(out, 15, static_cast<uint32_t>(result.install_counts_json.size()));
  return static_cast<int32_t>(result.outcome);
}

PH_EXPORT(ph_load_catalogue)
int32_t ph_load_catalogue(const uint8_t* json, uint32_t length) {
  Loaded& loaded = TheCatalogue();
  // The old catalogue goes first: a failed load must leave nothing to ingest with.
  loaded.ingestor.reset();
  loaded.catalogue.reset();
  auto catalogue = std::make_unique<phonehome::catalogue::Loaded>();
  if (!phonehome::catalogue::Load(View(json, length), *catalogue, loaded.error)) return 1;
  loaded.catalogue = std::move(catalogue);
  loaded.ingestor = std::make_unique<phonehome::Ingestor>(loaded.catalogue->catalogue());
  loaded.error.clear();
  return 0;
}

PH_EXPORT(ph_catalogue_error) const char* ph_catalogue_error(void) { return TheCatalogue().error.c_str(); }

PH_EXPORT(ph_result_ptr) const uint8_t* ph_result_ptr(void) {
  return reinterpret_cast<const uint8_t*>(ResultBuffer().data());
}

PH_EXPORT(ph_result_len) uint32_t ph_result_len(void) {
  return static_cast<uint32_t>(ResultBuffer().size());
}

PH_EXPORT(ph_status_count) uint32_t ph_status_count(void) {
  return static_cast<uint32_t>(phonehome::Status::count_);
}

PH_EXPORT(ph_status_name) const char* ph_status_name(uint32_t code) {
  // Status names are string literals from status.def, so their data is NUL-terminated.
  const std::string_view name = phonehome::StatusName(static_cast<phonehome::Status>(code));
  return name.empty() ? "" : name.data();
}

PH_EXPORT(ph_status_is_request) uint32_t ph_status_is_request(uint32_t code) {
  return phonehome::IsRequestStatus(static_cast<phonehome::Status>(code)) ? 1 : 0;
}

PH_EXPORT(ph_limits_json) const char* ph_limits_json(void) {
  // LimitsJson() views a static std::string, whose data is NUL-terminated.
  return phonehome::LimitsJson().data();
}

}  // extern "C"
