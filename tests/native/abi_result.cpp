// abi_result.cpp: native calls through the C ABI.
#include "abi_result.h"

#include <cstring>
#include <memory>

#include "abi.h"
#include "catalogue_file.h"

namespace phonehome::testing {
namespace {

std::string Text(const uint8_t* data, uint32_t offset, uint32_t length) {
  return std::string(reinterpret_cast<const char*>(data) + offset, length);
}

std::unique_ptr<uint8_t[]> ExactCopy(std::string_view bytes) {
  auto copy = std::make_unique<uint8_t[]>(bytes.size());
  if (!bytes.empty()) std::memcpy(copy.get(), bytes.data(), bytes.size());
  return copy;
}

}  // namespace

AbiResult CallIngest(const IngestRequest& request) {
  // The module's catalogue, loaded once as the Worker loads it (a test that loads another puts this
  // one back).
  static const bool loaded = (LoadReferenceIntoAbi(), true);
  (void)loaded;
  const auto product_copy = ExactCopy(request.product);
  const auto event_copy = ExactCopy(request.event);
  const auto body_copy = ExactCopy(request.body);
  const auto sent_at_copy = ExactCopy(request.sent_at);
  AbiResult r;
  ph_request in{};
  in.product = product_copy.get();
  in.product_length = static_cast<uint32_t>(request.product.size());
  in.event = event_copy.get();
  in.event_length = static_cast<uint32_t>(request.event.size());
  in.body = body_copy.get();
  in.body_length = static_cast<uint32_t>(request.body.size());
  in.sent_at = sent_at_copy.get();
  in.sent_at_length = static_cast<uint32_t>(request.sent_at.size());
  in.received_at_ms = request.received_at_ms;
  in.nonce = request.nonce;
  in.flags = request.values_are_text ? PH_VALUES_ARE_TEXT : 0u;
  r.returned = ph_ingest(&in);
  const uint8_t* data = ph_result_ptr();
  const uint32_t length = ph_result_len();
  r.raw.assign(reinterpret_cast<const char*>(data), length);
  ph_result h;
  std::memcpy(&h, data, sizeof h);
  r.outcome = h.outcome;
  r.event_count = h.event_count;
  r.row_count = h.row_count;
  r.rows = Text(data, h.rows_offset, h.rows_length);
  r.response = Text(data, h.response_offset, h.response_length);
  r.rejections = Text(data, h.rejections_offset, h.rejections_length);
  r.row_installs = Text(data, h.row_installs_offset, h.row_installs_length);
  r.install_counts = Text(data, h.install_counts_offset, h.install_counts_length);
  r.accepted_offsets.resize(h.row_count);
  if (h.row_count > 0) std::memcpy(r.accepted_offsets.data(), data + h.accepted_offsets_offset, 4 * size_t{h.row_count});
  for (uint32_t i = 0; i < h.chunk_count; ++i) {
    ph_chunk chunk;
    std::memcpy(&chunk, data + h.chunks_offset + sizeof chunk * i, sizeof chunk);
    r.chunks.push_back({Text(data, chunk.offset, chunk.length), chunk.first_row});
  }
  return r;
}

}  // namespace phonehome::testing
