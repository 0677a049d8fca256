// json_out.h: appending JSON text to a reused std::string.
//
// The core writes its rows and verdicts as JSON text straight into buffers that keep their
// capacity between requests, so a warm request allocates nothing here.
#ifndef PHONEHOME_JSON_OUT_H
#define PHONEHOME_JSON_OUT_H

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace phonehome::json_out {

// AppendString() writes `text` as a quoted JSON string. The text must be valid UTF-8 (the parser
// guarantees it for everything that came from a request); control characters are escaped.
void AppendString(std::string& out, std::string_view text);

// AppendInt() writes a whole number in plain decimal.
void AppendInt(std::string& out, int64_t value);
void AppendUint(std::string& out, uint64_t value);

// ReleaseIfLarge() frees a reused buffer that one large request grew past a megabyte, so a single
// 1 MiB batch does not pin its memory in the isolate for good; smaller buffers keep their capacity.
inline void ReleaseIfLarge(std::string& buffer) {
  constexpr size_t kKeepCapacity = 1 << 20;
  if (buffer.capacity() > kKeepCapacity) std::string().swap(buffer);
}

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

// Writer writes JSON into room the caller made (a string resized to an upper bound of what will
// be written): no capacity check and no call per piece, where a std::string append has both.
// The constructor makes the room: it resizes `out` to `at` plus `bound`; Finish() cuts it to what
// was written.
class Writer {
 public:
  Writer(std::string& out, size_t at, size_t bound) : out_(out) {
    out_.resize(at + bound);
    start_ = next_ = out_.data() + at;
    end_ = start_ + bound;
  }
  // Each write checks the room first: a bound too small is a bug, and it traps before it could
  // write past the room (one compare, where an append checks and may call out).
  void Put(std::string_view text) {
    Room(text.size());
    if (!text.empty()) std::memcpy(next_, text.data(), text.size());
    next_ += text.size();
  }
  void Put(char c) {
    Room(1);
    *next_++ = c;
  }
  // PutString() writes a quoted, escaped JSON string: at most 6 bytes per byte of text, plus 2.
  void PutString(std::string_view text);
  // PutInt() writes at most 20 bytes.
  void PutInt(int64_t value);
  char* Raw(size_t length) {
    Room(length);
    char* at = next_;
    next_ += length;
    return at;
  }
  size_t Written() const { return static_cast<size_t>(next_ - start_); }
  void Finish() { out_.resize(static_cast<size_t>(next_ - out_.data())); }

 private:
  void Room(size_t length) const {
    if (length > static_cast<size_t>(end_ - next_)) __builtin_trap();
  }

  std::string& out_;
  char* start_;
  char* next_;
  char* end_;
};

}  // namespace phonehome::json_out

#endif  // PHONEHOME_JSON_OUT_H
