// abi_result.cpp: native calls through the C ABI.
#include "abi_result.h"

#include <cstring>
#include <memory>

#include "abi.h"
#include "catalogue_file.h"

namespace phonehome::testing {
namespace {

uint32_t Word(const uint8_t* data, size_t index) {
  const uint8_t* p = data + index * 4;
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
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
  r.returned = ph_ingest(product_copy.get(), static_cast<uint32_t>(request.product.size()), event_copy.get(),
                         static_cast<uint32_t>(request.event.size()), body_copy.get(),
                         static_cast<uint32_t>(request.body.size()), sent_at_copy.get(),
                         static_cast<uint32_t>(request.sent_at.size()), request.received_at_ms,
                         static_cast<uint32_t>(request.nonce >> 32), static_cast<uint32_t>(request.nonce),
                         request.values_are_text ? PH_VALUES_ARE_TEXT : 0u);
  const uint8_t* data = ph_result_ptr();
  const uint32_t length = ph_result_len();
  r.raw.assign(reinterpret_cast<const char*>(data), length);
  r.outcome = Word(data, 0);
  r.event_count = Word(data, 1);
  r.row_count = Word(data, 2);
  r.rows.assign(reinterpret_cast<const char*>(data) + Word(data, 3), Word(data, 4));
  r.response.assign(reinterpret_cast<const char*>(data) + Word(data, 5), Word(data, 6));
  r.rejections.assign(reinterpret_cast<const char*>(data) + Word(data, 10), Word(data, 11));
  r.row_installs.assign(reinterpret_cast<const char*>(data) + Word(data, 12), Word(data, 13));
  r.install_counts.assign(reinterpret_cast<const char*>(data) + Word(data, 14), Word(data, 15));
  for (uint32_t i = 0; i < r.row_count; ++i) r.accepted_offsets.push_back(Word(data + Word(data, 7), i));
  const uint8_t* chunks = data + Word(data, 9);
  for (uint32_t i = 0; i < Word(data, 8); ++i) {
    r.chunks.push_back({std::string(reinterpret_cast<const char*>(data) + Word(chunks, 3 * i), Word(chunks, 3 * i + 1)),
                        Word(chunks, 3 * i + 2)});
  }
  return r;
}

}  // namespace phonehome::testing
