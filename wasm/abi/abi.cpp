// abi.cpp: the C interface of abi.h over phonehome::Ingestor and the catalogue it loads.
#include "abi.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "catalogue.h"
#include "describe.h"
#include "forget.h"
#include "normalize.h"
#include "phonehome/core.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the result layout is little-endian: a big-endian host would write other bytes"
#endif

// PH_EXPORT keeps a function in the module under its own name, for both Wasm toolchains.
#if defined(__wasm__)
#define PH_EXPORT(name) __attribute__((export_name(#name), used))
#else
#define PH_EXPORT(name)
#endif

namespace {

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

// The result buffer: a struct ph_result followed by the texts and the tables.
std::string& ResultBuffer() {
  static std::string buffer;
  return buffer;
}

// Put() writes a struct at byte `at` of the buffer. Hosts and Wasm are little-endian, so the
// native build writes the same bytes as Wasm.
template <typename T>
void Put(std::string& buffer, size_t at, const T& value) {
  std::memcpy(buffer.data() + at, &value, sizeof value);
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
int32_t ph_ingest(const struct ph_request* in) {
  phonehome::IngestRequest request;
  request.product = View(in->product, in->product_length);
  request.event = View(in->event, in->event_length);
  request.body = View(in->body, in->body_length);
  request.sent_at = View(in->sent_at, in->sent_at_length);
  request.received_at_ms = in->received_at_ms;
  request.nonce = in->nonce;
  request.values_are_text = (in->flags & PH_VALUES_ARE_TEXT) != 0;
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
  out.assign(sizeof(ph_result), '\0');
  ph_result header{};
  header.outcome = static_cast<uint32_t>(result.outcome);
  header.event_count = result.event_count;
  header.row_count = result.row_count;
  header.chunk_count = result.chunk_count;
  // append() puts a text after what is there and returns its offset.
  const auto append = [&out](std::string_view text) {
    const auto offset = static_cast<uint32_t>(out.size());
    out.append(text);
    return offset;
  };
  header.rows_offset = append(result.rows_json);
  header.rows_length = static_cast<uint32_t>(result.rows_json.size());
  header.response_offset = append(result.response_json);
  header.response_length = static_cast<uint32_t>(result.response_json.size());
  header.rejections_offset = append(result.rejections_json);
  header.rejections_length = static_cast<uint32_t>(result.rejections_json.size());
  header.row_installs_offset = append(result.row_installs_json);
  header.row_installs_length = static_cast<uint32_t>(result.row_installs_json.size());
  header.install_counts_offset = append(result.install_counts_json);
  header.install_counts_length = static_cast<uint32_t>(result.install_counts_json.size());
  out.resize((out.size() + 3) & ~size_t{3}, ' ');  // align the tables
  header.accepted_offsets_offset = static_cast<uint32_t>(out.size());
  out.append(size_t{4} * result.row_count, '\0');
  for (uint32_t i = 0; i < result.row_count; ++i) Put(out, header.accepted_offsets_offset + 4 * i, result.accepted_offsets[i]);
  header.chunks_offset = static_cast<uint32_t>(out.size());
  out.append(sizeof(ph_chunk) * result.chunk_count, '\0');
  for (uint32_t i = 0; i < result.chunk_count; ++i) {
    // Chunk offsets are made relative to the result buffer, like every other offset.
    const ph_chunk chunk{header.rows_offset + result.chunks[3 * i], result.chunks[3 * i + 1], result.chunks[3 * i + 2]};
    Put(out, header.chunks_offset + sizeof(ph_chunk) * i, chunk);
  }
  Put(out, 0, header);
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

PH_EXPORT(ph_forget)
const char* ph_forget(const uint8_t* body, uint32_t length) {
  static std::string answer;
  const Loaded& loaded = TheCatalogue();
  answer = loaded.catalogue ? phonehome::forget::AnswerJson(loaded.catalogue->catalogue(), View(body, length))
                            : std::string(R"({"error":"misconfigured"})");
  return answer.c_str();
}

PH_EXPORT(ph_version)
const char* ph_version(const uint8_t* text, uint32_t length) {
  static std::string version;
  version.clear();
  if (phonehome::normalize::Version(View(text, length), version) != phonehome::Status::ok) version.clear();
  return version.c_str();
}

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

PH_EXPORT(ph_layout_json) const char* ph_layout_json(void) { return phonehome::abi::LayoutJson().c_str(); }

PH_EXPORT(ph_describe_json) const char* ph_describe_json(void) { return phonehome::abi::DescribeJson().c_str(); }

}  // extern "C"
