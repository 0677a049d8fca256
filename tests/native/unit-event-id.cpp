// unit-event-id.cpp: the dedup key hash.
#include <gtest/gtest.h>

#include <cstring>

#include "event_id.h"

namespace phonehome {
namespace {

std::string Hex(std::initializer_list<std::string_view> values) {
  EventIdHasher hasher;
  for (auto v : values) hasher.Add(v);
  hasher.Finish();
  std::string out;
  hasher.AppendHex(out);
  return out;
}

// The SMHasher verification value of MurmurHash3_x64_128: hash the keys {}, {0}, {0,1}, …,
// {0..254} with seed 256 - n, hash the 256 concatenated results with seed 0, and read the first
// 4 bytes of that little-endian. Any slip in the algorithm changes it.
TEST(EventId, MurmurHash3PassesTheSmhasherVerification) {
  unsigned char key[256];
  unsigned char hashes[256 * 16];
  for (int n = 0; n < 256; ++n) {
    key[n] = static_cast<unsigned char>(n);
    uint64_t out[2];
    MurmurHash3(std::string_view(reinterpret_cast<const char*>(key), n), 256 - n, out);
    for (int b = 0; b < 8; ++b) {
      hashes[n * 16 + b] = static_cast<unsigned char>(out[0] >> (8 * b));
      hashes[n * 16 + 8 + b] = static_cast<unsigned char>(out[1] >> (8 * b));
    }
  }
  uint64_t final_hash[2];
  MurmurHash3(std::string_view(reinterpret_cast<const char*>(hashes), sizeof hashes), 0, final_hash);
  EXPECT_EQ(static_cast<uint32_t>(final_hash[0]), 0x6384BA69u);
}

TEST(EventId, IsStableAndHex) {
  const std::string id = Hex({"agentsonar", "session", "a1b2"});
  EXPECT_EQ(id.size(), 32u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(id, Hex({"agentsonar", "session", "a1b2"}));
}

TEST(EventId, KeepsValuesApart) {
  EXPECT_NE(Hex({"ab", "c"}), Hex({"a", "bc"}));
  EXPECT_NE(Hex({"a", ""}), Hex({"a"}));
  EXPECT_NE(Hex({"session", "x"}), Hex({"sessio", "nx"}));
}

TEST(EventId, ResetStartsAFreshId) {
  EventIdHasher hasher;
  hasher.Add("first");
  hasher.Reset();
  hasher.Add("a");
  hasher.Finish();
  std::string reused;
  hasher.AppendHex(reused);
  EXPECT_EQ(reused, Hex({"a"}));
}

}  // namespace
}  // namespace phonehome
