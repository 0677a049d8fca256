// event_id.cpp: MurmurHash3_x64_128 (Austin Appleby's public-domain algorithm) over an event's
// dedup values, each with its length.
#include "event_id.h"

#include <cstring>

namespace phonehome {
namespace {

uint64_t Rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

uint64_t Mix(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  k ^= k >> 33;
  return k;
}

// ReadLittle() reads 8 bytes as a little-endian integer, whatever the host's byte order.
uint64_t ReadLittle(const unsigned char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

void MurmurHash3(std::string_view bytes, uint32_t seed, uint64_t out[2]) {
  constexpr uint64_t c1 = 0x87c37b91114253d5ULL;
  constexpr uint64_t c2 = 0x4cf5ad432745937fULL;
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t length = bytes.size();
  const size_t blocks = length / 16;
  uint64_t h1 = seed;
  uint64_t h2 = seed;
  for (size_t i = 0; i < blocks; ++i) {
    uint64_t k1 = ReadLittle(data + 16 * i);
    uint64_t k2 = ReadLittle(data + 16 * i + 8);
    k1 *= c1, k1 = Rotl(k1, 31), k1 *= c2, h1 ^= k1;
    h1 = Rotl(h1, 27), h1 += h2, h1 = h1 * 5 + 0x52dce729;
    k2 *= c2, k2 = Rotl(k2, 33), k2 *= c1, h2 ^= k2;
    h2 = Rotl(h2, 31), h2 += h1, h2 = h2 * 5 + 0x38495ab5;
  }
  const unsigned char* tail = data + blocks * 16;
  uint64_t k1 = 0;
  uint64_t k2 = 0;
  const size_t rest = length & 15;
  for (size_t i = rest; i > 8; --i) k2 ^= static_cast<uint64_t>(tail[i - 1]) << (8 * (i - 9));
  if (rest > 8) k2 *= c2, k2 = Rotl(k2, 33), k2 *= c1, h2 ^= k2;
  for (size_t i = rest < 8 ? rest : 8; i > 0; --i) k1 ^= static_cast<uint64_t>(tail[i - 1]) << (8 * (i - 1));
  if (rest > 0) k1 *= c1, k1 = Rotl(k1, 31), k1 *= c2, h1 ^= k1;
  h1 ^= length, h2 ^= length;
  h1 += h2, h2 += h1;
  h1 = Mix(h1), h2 = Mix(h2);
  h1 += h2, h2 += h1;
  out[0] = h1;
  out[1] = h2;
}

void EventIdHasher::Add(std::string_view bytes) {
  input_.append(bytes);
  // A length suffix keeps values separate without reserving a separator byte.
  AddUint(bytes.size());
}

void EventIdHasher::AddUint(uint64_t value) {
  char little[8];
  for (int i = 0; i < 8; ++i) little[i] = static_cast<char>(value >> (8 * i));
  input_.append(little, 8);
}

void EventIdHasher::Finish() { MurmurHash3(input_, 0, hash_); }

void EventIdHasher::WriteHex(char* out) const {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int half = 0; half < 2; ++half) {
    for (int digit = 0; digit < 16; ++digit) out[half * 16 + digit] = kHex[(hash_[half] >> (60 - 4 * digit)) & 0xF];
  }
}

void EventIdHasher::AppendHex(std::string& out) const {
  char text[32];
  WriteHex(text);
  out.append(text, 32);
}

}  // namespace phonehome
