// json_out.h: appending JSON text to a reused std::string.
//
// The core writes its rows and verdicts as JSON text straight into buffers that keep their
// capacity between requests, so a warm request allocates nothing here.
#ifndef PHONEHOME_JSON_OUT_H
#define PHONEHOME_JSON_OUT_H

#include <cstdint>
#include <string>
#include <string_view>

namespace phonehome::json_out {

// AppendString() writes `text` as a quoted JSON string. The text must be valid UTF-8 (the parser
// guarantees it for everything that came from a request); control characters are escaped.
void AppendString(std::string& out, std::string_view text);

// AppendInt() writes a whole number in plain decimal.
void AppendInt(std::string& out, int64_t value);
void AppendUint(std::string& out, uint64_t value);

// Decimal() is a whole number as text, for messages: std::to_string would bring printf into the
// module.
inline std::string Decimal(int64_t value) {
  std::string text;
  AppendInt(text, value);
  return text;
}

// AppendNumber() writes a finite double in its shortest round-trip form; whole numbers within
// ±2^53 are written without a fraction, so 3600 and 3600.0 are stored alike.
void AppendNumber(std::string& out, double value);

}  // namespace phonehome::json_out

#endif  // PHONEHOME_JSON_OUT_H
