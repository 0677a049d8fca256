// install_key.cpp: MurmurHash3_x86_32 (Austin Appleby's public-domain algorithm), twice.
#include "install_key.h"

namespace phonehome {
namespace {

constexpr uint32_t Rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

constexpr uint32_t MixBlock(uint32_t k) { return Rotl(k * 0xcc9e2d51u, 15) * 0x1b873593u; }

}  // namespace

uint32_t MurmurHash3x86(std::string_view bytes, uint32_t seed) {
  uint32_t h = seed;
  const size_t blocks = bytes.size() / 4;
  auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[i])); };
  for (size_t b = 0; b < blocks; ++b) {
    const size_t i = 4 * b;
    h ^= MixBlock(byte(i) | byte(i + 1) << 8 | byte(i + 2) << 16 | byte(i + 3) << 24);
    h = Rotl(h, 13) * 5 + 0xe6546b64u;
  }
  uint32_t tail = 0;
  switch (bytes.size() & 3) {
    case 3: tail ^= byte(4 * blocks + 2) << 16; [[fallthrough]];
    case 2: tail ^= byte(4 * blocks + 1) << 8; [[fallthrough]];
    case 1: tail ^= byte(4 * blocks); h ^= MixBlock(tail);
  }
  h ^= static_cast<uint32_t>(bytes.size());
  h = (h ^ (h >> 16)) * 0x85ebca6bu;
  h = (h ^ (h >> 13)) * 0xc2b2ae35u;
  return h ^ (h >> 16);
}

uint64_t InstallKey(std::string_view install_id) {
  return static_cast<uint64_t>(MurmurHash3x86(install_id, 0x70686f6e)) << 32 | MurmurHash3x86(install_id, 0x65686f6d);
}

}  // namespace phonehome
