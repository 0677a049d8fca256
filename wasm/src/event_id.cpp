// event_id.cpp: FNV-1a 128 over an event's dedup values.
#include "event_id.h"

namespace phonehome {

void EventIdHasher::AddByte(uint8_t byte) {
  low_ ^= byte;
  // The FNV-128 prime is 2^88 + 0x13B, so state * prime (mod 2^128) is
  // (state << 88) + state * 0x13B: a shift and a small multiply instead of a 128-bit product.
  constexpr uint64_t kSmall = 0x13B;
  const uint64_t low_product = (low_ & 0xFFFFFFFFULL) * kSmall;  // < 2^41
  const uint64_t high_product = (low_ >> 32) * kSmall;            // < 2^41
  const uint64_t middle = (low_product >> 32) + (high_product & 0xFFFFFFFFULL);
  const uint64_t new_low = (low_product & 0xFFFFFFFFULL) | (middle << 32);
  const uint64_t carry = (high_product >> 32) + (middle >> 32);
  high_ = high_ * kSmall + carry + (low_ << 24);
  low_ = new_low;
}

void EventIdHasher::Add(std::string_view bytes) {
  for (char c : bytes) AddByte(static_cast<uint8_t>(c));
  // A length suffix keeps values separate without reserving a separator byte.
  AddUint(bytes.size());
}

void EventIdHasher::AddUint(uint64_t value) {
  for (int i = 0; i < 8; ++i) AddByte(static_cast<uint8_t>(value >> (8 * i)));
}

void EventIdHasher::AppendHex(std::string& out) const {
  static constexpr char kHex[] = "0123456789abcdef";
  for (const uint64_t half : {high_, low_}) {
    for (int shift = 60; shift >= 0; shift -= 4) out.push_back(kHex[(half >> shift) & 0xF]);
  }
}

}  // namespace phonehome
