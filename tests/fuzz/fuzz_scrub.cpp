// fuzz_scrub.cpp: libFuzzer harness for the scrubber alone (wasm/src/scrub.h).
//
// Input: one byte choosing the output bound and a planted secret, then the text. The scrubber only
// ever sees valid UTF-8 (the JSON parser refuses anything else first), so other inputs are skipped.
// On every text the scrubber's promises must hold:
//   - its output is valid UTF-8 and within its bound;
//   - scrubbing the output again changes nothing (placeholders are never matched, and no rule
//     creates a match for another);
//   - a secret of each kind, planted on a line of its own anywhere in the text, never comes out.
#include <cstdint>
#include <string>
#include <string_view>

#include "scrub.h"

namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    size_t length = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xE ? 3 : (b0 >> 3) == 0x1E ? 4 : 0;
    if (length == 0 || i + length > text.size()) return false;
    uint32_t code = length == 1 ? b0 : b0 & (0x7F >> length);
    for (size_t k = 1; k < length; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      code = (code << 6) | (b & 0x3F);
    }
    static constexpr uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kMinimum[length] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

struct Planted {
  std::string_view text;    // what is planted
  std::string_view secret;  // what must not come out
};

// One secret per rule family, each with a part no placeholder or ordinary text contains.
constexpr Planted kPlanted[] = {
    {"zqfuzz.mailbox@example.com", "zqfuzz"},
    {"198.51.100.77", "198.51.100.77"},
    {"2001:db8::77:1234", "2001:db8::77:1234"},
    {"4a:00:04:10:9b:77", "4a:00:04:10:9b:77"},
    {"Zqfuzzs-MacBook-Pro.local", "Zqfuzz"},
    {"/home/zqfuzz/notes.csv", "zqfuzz"},
    {"C:\\Users\\Zq Fuzz\\notes.csv", "Zq Fuzz"},
    {"ghp_ZqFuzzToken0123456789abcdefghijkl", "ZqFuzzToken"},
    {"sk-proj-ZqFuzzKey0123456789abcdef", "ZqFuzzKey"},
    {"password=zqfuzz99", "zqfuzz99"},
    {"Bearer ZqFuzz0123456789", "ZqFuzz0123456789"},
    {"https://u:zqfuzzpw@db.example.com/x?k=zqfuzzq", "zqfuzz"},
    {"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ6cWZ1enoifQ.c2lnbmF0dXJl", "eyJzdWIiOiJ6cWZ1enoifQ"},
    {"4111 1111 1111 1111", "4111 1111 1111 1111"},
    {"DE89 3704 0044 0532 0130 00", "3704 0044 0532"},
    {"078-05-1120", "078-05-1120"},
    {"+44 20 7946 0958", "7946 0958"},
    {"-----BEGIN PRIVATE KEY-----\nMIIzqfuzz\n-----END PRIVATE KEY-----", "MIIzqfuzz"},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  if (!IsValidUtf8(text)) return 0;
  const size_t max_output = 16 + static_cast<size_t>(data[0]) * 64;

  std::string out;
  phonehome::scrub::Scrub(text, max_output, out);
  Check(out.size() <= max_output);
  Check(IsValidUtf8(out));
  std::string again;
  phonehome::scrub::Scrub(out, max_output, again);
  Check(again == out);

  // A secret on a line of its own, at a character boundary chosen by the input.
  const Planted& planted = kPlanted[data[0] % (sizeof(kPlanted) / sizeof(kPlanted[0]))];
  if (text.find(planted.secret) != std::string_view::npos) return 0;  // the input wrote it itself
  size_t at = text.empty() ? 0 : (static_cast<size_t>(data[0]) * 7919) % (text.size() + 1);
  while (at > 0 && at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) --at;
  std::string with_secret(text.substr(0, at));
  with_secret.append("\n").append(planted.text).append("\n").append(text.substr(at));
  std::string scrubbed;
  phonehome::scrub::Scrub(with_secret, 2 * with_secret.size() + 64, scrubbed);
  Check(scrubbed.find(planted.secret) == std::string::npos);
  Check(!phonehome::scrub::Changes(scrubbed));
  return 0;
}
