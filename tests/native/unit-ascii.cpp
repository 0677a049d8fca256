// unit-ascii.cpp: the eight-bytes-at-a-time scans of ascii.h agree with a byte-by-byte reading
// for every byte value at every position of a word and past it.
#include <gtest/gtest.h>

#include <string>

#include "ascii.h"

namespace phonehome::ascii {
namespace {

size_t SlowPrintablePrefix(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && static_cast<unsigned char>(text[i]) >= 0x20 && static_cast<unsigned char>(text[i]) < 0x7F) ++i;
  return i;
}

size_t SlowJsonPlainPrefix(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && static_cast<unsigned char>(text[i]) >= 0x20 && static_cast<unsigned char>(text[i]) < 0x7F &&
         text[i] != '"' && text[i] != '\\') {
    ++i;
  }
  return i;
}

TEST(Ascii, PrefixScansMatchAByteByByteReadingForEveryByteAtEveryPosition) {
  for (size_t length = 0; length <= 19; ++length) {
    for (size_t at = 0; at < length; ++at) {
      for (int byte = 0; byte < 256; ++byte) {
        std::string text(length, 'a');
        text[at] = static_cast<char>(byte);
        ASSERT_EQ(PrintablePrefix(text), SlowPrintablePrefix(text)) << "length " << length << " at " << at << " byte " << byte;
        ASSERT_EQ(JsonPlainPrefix(text), SlowJsonPlainPrefix(text)) << "length " << length << " at " << at << " byte " << byte;
      }
    }
  }
}

TEST(Ascii, PrefixScansStopAtTheFirstOfTwoFlaggedBytes) {
  // A flag spills into the bytes above it; the scan must still report the first one.
  for (int first = 0; first < 256; ++first) {
    std::string text = "abcdefgh" "abcdefgh";
    text[3] = static_cast<char>(first);
    text[4] = '\x01';
    EXPECT_EQ(PrintablePrefix(text), SlowPrintablePrefix(text)) << first;
    EXPECT_EQ(JsonPlainPrefix(text), SlowJsonPlainPrefix(text)) << first;
  }
}

TEST(Ascii, SameBytesIsEqualityAtEveryLengthAndPosition) {
  for (size_t length = 0; length <= 19; ++length) {
    const std::string a(length, 'k');
    EXPECT_TRUE(SameBytes(a, a));
    EXPECT_FALSE(SameBytes(a, a + "k"));
    for (size_t at = 0; at < length; ++at) {
      std::string b = a;
      b[at] = '\x80';
      EXPECT_FALSE(SameBytes(a, b)) << length << " " << at;
    }
  }
}

TEST(Ascii, CaseFoldingAndBlankness) {
  EXPECT_TRUE(EqualsIgnoringCase("HuggingFace", "huggingface"));
  EXPECT_FALSE(EqualsIgnoringCase("meta", "met"));
  EXPECT_FALSE(EqualsIgnoringCase("\xC3\x84", "\xC3\xA4"));  // only ASCII letters fold
  EXPECT_TRUE(IsBlank(" \t\r\n\f\v"));
  EXPECT_TRUE(IsBlank(""));
  EXPECT_FALSE(IsBlank(" x "));
}

}  // namespace
}  // namespace phonehome::ascii
