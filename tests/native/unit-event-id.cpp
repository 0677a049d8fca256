// unit-event-id.cpp: the dedup key hash.
#include <gtest/gtest.h>

#include "event_id.h"

namespace phonehome {
namespace {

std::string Hex(std::initializer_list<std::string_view> values) {
  EventIdHasher hasher;
  for (auto v : values) hasher.Add(v);
  std::string out;
  hasher.AppendHex(out);
  return out;
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

TEST(EventId, MatchesFnv1a128OfTheEmptyInput) {
  // With no input the hash is the FNV-128 offset basis: pins the constants.
  std::string out;
  EventIdHasher().AppendHex(out);
  EXPECT_EQ(out, "6c62272e07bb014262b821756295c58d");
}

TEST(EventId, MatchesAnIndependentFnv1a128) {
  // Add("a") hashes the byte 'a' and then the length 1 as 8 little-endian bytes; the expected
  // value comes from a separate Python implementation of FNV-1a 128.
  EXPECT_EQ(Hex({"a"}), "19c3dbf8e5061a5c61631051cd9ca0c5");
}

}  // namespace
}  // namespace phonehome
