// json_out.cpp: JSON text writers for the core's output buffers.
#include "json_out.h"

#include <cmath>
#include <cstring>

#include <nlohmann/json.hpp>

#include "ascii.h"

namespace phonehome::json_out {

namespace {

// The bytes a JSON string cannot hold as they are: controls, the quote and the backslash.
constexpr bool NeedsEscape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

}  // namespace

void AppendString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  size_t clean = ascii::JsonPlainPrefix(text);
  while (clean < text.size() && !NeedsEscape(static_cast<unsigned char>(text[clean]))) ++clean;
  // Nearly every string needs no escape: one resize and one copy.
  const size_t at = out.size();
  out.resize(at + clean + 2);
  char* write = out.data() + at;
  write[0] = '"';
  if (clean > 0) std::memcpy(write + 1, text.data(), clean);
  if (clean == text.size()) {
    write[clean + 1] = '"';
    return;
  }
  out.pop_back();
  size_t run_start = clean;
  for (size_t i = clean; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + run_start, i - run_start);
    run_start = i + 1;
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\t': out.append("\\t"); break;
      case '\r': out.append("\\r"); break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0xF]);
    }
  }
  out.append(text.data() + run_start, text.size() - run_start);
  out.push_back('"');
}

void Writer::PutString(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  Put('"');
  size_t i = ascii::JsonPlainPrefix(text);
  Put(text.substr(0, i));
  for (; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (!NeedsEscape(c)) {
      Put(static_cast<char>(c));
      continue;
    }
    Put('\\');
    switch (c) {
      case '"': Put('"'); break;
      case '\\': Put('\\'); break;
      case '\n': Put('n'); break;
      case '\t': Put('t'); break;
      case '\r': Put('r'); break;
      default:
        Put("u00");
        Put(kHex[c >> 4]);
        Put(kHex[c & 0xF]);
    }
  }
  Put('"');
}

void Writer::PutInt(int64_t value) {
  char digits[20];
  char* start = digits + sizeof digits;
  // Negate in unsigned arithmetic so INT64_MIN does not overflow.
  uint64_t magnitude = value < 0 ? ~static_cast<uint64_t>(value) + 1 : static_cast<uint64_t>(value);
  do {
    *--start = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0);
  if (value < 0) Put('-');
  Put(std::string_view(start, static_cast<size_t>(digits + sizeof digits - start)));
}

void AppendUint(std::string& out, uint64_t value) {
  char digits[20];
  char* start = digits + sizeof digits;
  do {
    *--start = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  out.append(start, static_cast<size_t>(digits + sizeof digits - start));
}

void AppendInt(std::string& out, int64_t value) {
  if (value < 0) {
    out.push_back('-');
    // Negate in unsigned arithmetic so INT64_MIN does not overflow.
    AppendUint(out, ~static_cast<uint64_t>(value) + 1);
  } else {
    AppendUint(out, static_cast<uint64_t>(value));
  }
}

void AppendNumber(std::string& out, double value) {
  constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53
  if (value == std::floor(value) && std::fabs(value) <= kMaxExactInteger) {
    AppendInt(out, static_cast<int64_t>(value));
    return;
  }
  // nlohmann's Grisu2 writer: the shortest text that reads back as the same double.
  char text[32];
  char* end = nlohmann::detail::to_chars(text, text + sizeof text, value);
  out.append(text, static_cast<size_t>(end - text));
}

}  // namespace phonehome::json_out
