// json_scan.h: the request body's JSON scanner. One job: read one JSON text and report it to a SAX
// handler exactly as nlohmann::json::sax_parse (3.11.2) would, only faster.
//
// Exact equivalence with nlohmann is the contract, checked by tests/native/unit-json-scan.cpp and
// the differential fuzzer tests/fuzz/fuzz_json_scan.cpp: for every byte string the same handler
// calls with the same values (doubles bit for bit), the same keys in order (duplicates included),
// and a parse error at the same position nlohmann passes, classified as ScanError says. The parser
// loop below is nlohmann's (detail::parser::sax_parse_internal) token for token, so error
// positions and the order of events and errors agree by construction; the lexer is new. Where it
// is faster: plain string bytes are skipped eight at a time and handed out as views into the input
// (no copy unless the string has an escape), ASCII needs no UTF-8 check, integers are read here
// instead of copied into a token and passed to strtoull.
// Longer than most files: a header-only template (the handler is a parameter, so its calls inline),
// and the lexer and the parser mirror nlohmann's side by side so a reader can check one against
// the other.
//
// nlohmann's quirks, kept on purpose (each has a test):
//   - a UTF-8 BOM (EF BB BF) is skipped at the very start; EF followed by anything else is an error;
//   - a NUL byte where a token may start is the end of the input: "1\0junk" is the number 1;
//   - whitespace is space, \t, \n, \r only; content after the value is an error;
//   - integers out of int64/uint64 range become doubles (strtod); "-0" is the integer 0; a double
//     that is not finite is error 406 (number_overflow), reported after its last digit;
//   - "01" is the number 0 followed by the number 1 (an error at the second token);
//   - an error's position counts the byte that proved it, and the end of input counts as a byte
//     (an unterminated string fails at input.size() + 1);
//   - if parse_error() returns true, the parse does not end there: the next token is read and, if
//     it is not the end of the input, parse_error() is called once more (sax_parse's strict check).
// Depth is unlimited, as in nlohmann: the nesting stack is one bit per level kept in `scratch`.
// One difference is assumed away: nlohmann hands strtod the number with '.' replaced by the C
// locale's decimal point; this scanner passes the '.' as written, so the two agree only under a
// locale whose decimal point is '.', which is all the core ever runs under (it never calls
// setlocale, and the Wasm libcs have no other).
#ifndef PHONEHOME_WASM_SRC_JSON_SCAN_H
#define PHONEHOME_WASM_SRC_JSON_SCAN_H

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace phonehome::json_scan {

// Why a JSON text was refused, as the core classifies nlohmann's exceptions.
enum class ScanError : uint8_t {
  syntax,           // anything not below: nlohmann's parse_error.101 without UTF-8 or surrogate in it
  number_overflow,  // a number whose double is not finite (nlohmann's out_of_range.406)
  invalid_utf8,     // ill-formed UTF-8 in a string, or a \u escape of an unpaired surrogate
};

namespace detail {

enum class Token : uint8_t {
  begin_array, end_array, begin_object, end_object, name_separator, value_separator,
  literal_true, literal_false, literal_null, value_string, value_unsigned, value_integer, value_float,
  end_of_input, parse_error,
};

constexpr uint64_t kOnes = 0x0101010101010101ULL;
constexpr uint64_t kHighs = 0x8080808080808080ULL;

// SpecialMask() marks, in each byte's high bit, the bytes of `word` a string cannot skip: '"',
// '\\', control characters (< 0x20) and non-ASCII (>= 0x80). A mark above a marked byte may be
// spurious (a borrow), but the lowest mark is always exact, which is all the scanner uses.
inline uint64_t SpecialMask(uint64_t word) {
  const uint64_t quote = word ^ (kOnes * '"');
  const uint64_t backslash = word ^ (kOnes * '\\');
  const uint64_t has_quote = (quote - kOnes) & ~quote;
  const uint64_t has_backslash = (backslash - kOnes) & ~backslash;
  const uint64_t has_control = word - kOnes * 0x20;
  return (has_quote | has_backslash | has_control | word) & kHighs;
}

inline bool IsDigit(unsigned char c) { return static_cast<unsigned char>(c - '0') < 10; }

inline int HexValue(unsigned char c) {
  if (IsDigit(c)) return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

inline void AppendUtf8(std::string& out, uint32_t code) {
  if (code < 0x80) {
    out.push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    const char bytes[] = {static_cast<char>(0xC0 | (code >> 6)), static_cast<char>(0x80 | (code & 0x3F))};
    out.append(bytes, 2);
  } else if (code < 0x10000) {
    const char bytes[] = {static_cast<char>(0xE0 | (code >> 12)), static_cast<char>(0x80 | ((code >> 6) & 0x3F)),
                          static_cast<char>(0x80 | (code & 0x3F))};
    out.append(bytes, 3);
  } else {
    const char bytes[] = {static_cast<char>(0xF0 | (code >> 18)), static_cast<char>(0x80 | ((code >> 12) & 0x3F)),
                          static_cast<char>(0x80 | ((code >> 6) & 0x3F)), static_cast<char>(0x80 | (code & 0x3F))};
    out.append(bytes, 4);
  }
}

template <class Handler>
class Scanner {
 public:
  Scanner(std::string_view input, Handler& handler, std::string& scratch)
      : begin_(input.data()), p_(input.data()), end_(input.data() + input.size()), handler_(handler),
        scratch_(scratch) {
    scratch_.clear();
  }

  // Run(): nlohmann's sax_parse(sax, strict = true).
  bool Run() {
    // A bad BOM leaves token_ a lexer error, which the parser reports as nlohmann's does.
    if (SkipBom()) Next();
    const bool result = ParseValue();
    if (result && Next() != Token::end_of_input) return Error();
    return result;
  }

 private:
  // ---- the parser: nlohmann's sax_parse_internal, with its `states` vector as a bit stack ----

  bool ParseValue() {
    bool skip_to_state_evaluation = false;
    while (true) {
      if (!skip_to_state_evaluation) {
        switch (token_) {
          case Token::begin_object:
            if (!handler_.start_object()) return false;
            if (Next() == Token::end_object) {
              if (!handler_.end_object()) return false;
              break;
            }
            if (token_ != Token::value_string) return Error();
            if (!handler_.key(string_)) return false;
            if (Next() != Token::name_separator) return Error();
            Push(false);
            Next();
            continue;
          case Token::begin_array:
            if (!handler_.start_array()) return false;
            // nlohmann reads the first element before it pushes the array; here the push comes
            // first, as it may move scratch_, where that element's string may be.
            Push(true);
            if (Next() == Token::end_array) {
              Pop();
              if (!handler_.end_array()) return false;
              break;
            }
            continue;
          case Token::value_float:
            if (!std::isfinite(float_)) return handler_.parse_error(position_, ScanError::number_overflow);
            if (!handler_.number_float(float_)) return false;
            break;
          case Token::literal_false:
            if (!handler_.boolean(false)) return false;
            break;
          case Token::literal_null:
            if (!handler_.null()) return false;
            break;
          case Token::literal_true:
            if (!handler_.boolean(true)) return false;
            break;
          case Token::value_integer:
            if (!handler_.number_integer(integer_)) return false;
            break;
          case Token::value_string:
            if (!handler_.string(string_)) return false;
            break;
          case Token::value_unsigned:
            if (!handler_.number_unsigned(unsigned_)) return false;
            break;
          default:  // a lexer error, or a token that cannot start a value
            return Error();
        }
      } else {
        skip_to_state_evaluation = false;
      }
      if (depth_ == 0) return true;
      if (TopIsArray()) {
        if (Next() == Token::value_separator) {
          Next();
          continue;
        }
        if (token_ == Token::end_array) {
          if (!handler_.end_array()) return false;
          Pop();
          skip_to_state_evaluation = true;
          continue;
        }
        return Error();
      }
      if (Next() == Token::value_separator) {
        if (Next() != Token::value_string) return Error();
        if (!handler_.key(string_)) return false;
        if (Next() != Token::name_separator) return Error();
        Next();
        continue;
      }
      if (token_ == Token::end_object) {
        if (!handler_.end_object()) return false;
        Pop();
        skip_to_state_evaluation = true;
        continue;
      }
      return Error();
    }
  }

  // Error(): the parse error at the current token: the lexer's class if the lexer failed, else a
  // token in the wrong place, which is a syntax error.
  bool Error() { return handler_.parse_error(position_, token_ == Token::parse_error ? error_ : ScanError::syntax); }

  // The nesting stack: bit `depth` of the bytes at the front of scratch_, 1 for an array. Strings
  // with escapes and long numbers are built after those bytes and dropped by the next Push().
  void Push(bool is_array) {
    const size_t byte = depth_ >> 3;
    if (byte >= stack_bytes_) {
      scratch_.resize(stack_bytes_);
      scratch_.push_back('\0');
      ++stack_bytes_;
    }
    const auto bit = static_cast<unsigned char>(1u << (depth_ & 7));
    auto& cell = reinterpret_cast<unsigned char&>(scratch_[byte]);
    cell = is_array ? static_cast<unsigned char>(cell | bit) : static_cast<unsigned char>(cell & ~bit);
    ++depth_;
    top_is_array_ = is_array;
  }

  void Pop() {
    --depth_;
    if (depth_ != 0) {
      const size_t level = depth_ - 1;
      top_is_array_ = ((static_cast<unsigned char>(scratch_[level >> 3]) >> (level & 7)) & 1) != 0;
    }
  }

  bool TopIsArray() const { return top_is_array_; }

  // ---- the lexer ----

  // Fail(): a lexer error proved by the byte at `at` (or by the end of input when at == end_):
  // nlohmann's position counts that byte, and the end of input as one more byte.
  Token Fail(const char* at, ScanError error) {
    position_ = static_cast<size_t>(at - begin_) + 1;
    p_ = at < end_ ? at + 1 : end_;
    error_ = error;
    return token_ = Token::parse_error;
  }

  Token Done(const char* after, Token token) {
    p_ = after;
    position_ = static_cast<size_t>(after - begin_);
    return token_ = token;
  }

  // SkipBom(): nlohmann's skip_bom(), before the first token.
  bool SkipBom() {
    if (p_ == end_ || static_cast<unsigned char>(*p_) != 0xEF) return true;
    if (end_ - p_ < 2 || static_cast<unsigned char>(p_[1]) != 0xBB) {
      Fail(p_ + 1 < end_ ? p_ + 1 : end_, ScanError::syntax);
      return false;
    }
    if (end_ - p_ < 3 || static_cast<unsigned char>(p_[2]) != 0xBF) {
      Fail(p_ + 2 < end_ ? p_ + 2 : end_, ScanError::syntax);
      return false;
    }
    p_ += 3;
    return true;
  }

  // Next(): the next token. Inlined into the parser for the one-byte tokens and strings, which
  // are most of any request; everything else is NextOther().
#if defined(__GNUC__)
  __attribute__((always_inline))
#endif
  inline Token Next() {
    const char* p = p_;
    while (p != end_ && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) ++p;
    if (p != end_) {
      switch (*p) {
        case '"':
          return LexString(p + 1);
        case ',':
          return Done(p + 1, Token::value_separator);
        case ':':
          return Done(p + 1, Token::name_separator);
        case '{':
          return Done(p + 1, Token::begin_object);
        case '}':
          return Done(p + 1, Token::end_object);
        case '[':
          return Done(p + 1, Token::begin_array);
        case ']':
          return Done(p + 1, Token::end_array);
        default:
          break;
      }
    }
    return NextOther(p);
  }

  Token NextOther(const char* p) {
    if (p == end_) {
      p_ = end_;
      position_ = static_cast<size_t>(end_ - begin_) + 1;
      return token_ = Token::end_of_input;
    }
    switch (*p) {
      case '-':
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
      case '8':
      case '9':
        return LexNumber(p);
      case 't':
        return LexLiteral(p, "true", 4, Token::literal_true);
      case 'f':
        return LexLiteral(p, "false", 5, Token::literal_false);
      case 'n':
        return LexLiteral(p, "null", 4, Token::literal_null);
      case '\0':  // nlohmann reads a NUL where a token starts as the end of the input
        return Done(p + 1, Token::end_of_input);
      default:
        return Fail(p, ScanError::syntax);
    }
  }

  Token LexLiteral(const char* p, const char* text, size_t length, Token token) {
    for (size_t i = 1; i < length; ++i) {
      if (p + i == end_ || p[i] != text[i]) return Fail(p + i, ScanError::syntax);
    }
    return Done(p + length, token);
  }

  // LexString(): from the byte after the opening quote. A string without escapes is a view of
  // the input; the first escape moves it to scratch_.
  Token LexString(const char* p) {
    const char* start = p;
    while (true) {
      p = SkipPlain(p);
      if (p == end_) return Fail(end_, ScanError::syntax);
      const auto c = static_cast<unsigned char>(*p);
      if (c == '"') {
        string_ = std::string_view(start, static_cast<size_t>(p - start));
        return Done(p + 1, Token::value_string);
      }
      if (c == '\\') {
        scratch_.resize(stack_bytes_);
        scratch_.append(start, static_cast<size_t>(p - start));
        return LexEscapedString(p);
      }
      if (c < 0x20) return Fail(p, ScanError::syntax);
      const char* bad = CheckUtf8(p);
      if (bad != nullptr) return Fail(bad, ScanError::invalid_utf8);
      p += Utf8Length(c);
    }
  }

  // LexEscapedString(): the rest of a string from its first backslash, unescaped into scratch_.
  Token LexEscapedString(const char* p) {
    while (true) {
      // *p is the backslash.
      const char* q = p + 1;
      if (q == end_) return Fail(end_, ScanError::syntax);
      switch (*q) {
        case '"':
          scratch_.push_back('"');
          break;
        case '\\':
          scratch_.push_back('\\');
          break;
        case '/':
          scratch_.push_back('/');
          break;
        case 'b':
          scratch_.push_back('\b');
          break;
        case 'f':
          scratch_.push_back('\f');
          break;
        case 'n':
          scratch_.push_back('\n');
          break;
        case 'r':
          scratch_.push_back('\r');
          break;
        case 't':
          scratch_.push_back('\t');
          break;
        case 'u': {
          int code = 0;
          if (!ReadHex4(q, code)) return Fail(q, ScanError::syntax);
          if (code >= 0xD800 && code <= 0xDBFF) {
            if (q + 1 == end_ || q[1] != '\\') return Fail(q + 1, ScanError::invalid_utf8);
            if (q + 2 == end_ || q[2] != 'u') return Fail(q + 2, ScanError::invalid_utf8);
            q += 2;
            int low = 0;
            if (!ReadHex4(q, low)) return Fail(q, ScanError::syntax);
            if (low < 0xDC00 || low > 0xDFFF) return Fail(q, ScanError::invalid_utf8);
            code = ((code - 0xD800) << 10) + (low - 0xDC00) + 0x10000;
          } else if (code >= 0xDC00 && code <= 0xDFFF) {
            return Fail(q, ScanError::invalid_utf8);
          }
          AppendUtf8(scratch_, static_cast<uint32_t>(code));
          break;
        }
        default:
          return Fail(q, ScanError::syntax);
      }
      p = q + 1;
      // Plain bytes up to the next backslash or the end.
      while (true) {
        const char* run = p;
        p = SkipPlain(p);
        scratch_.append(run, static_cast<size_t>(p - run));
        if (p == end_) return Fail(end_, ScanError::syntax);
        const auto c = static_cast<unsigned char>(*p);
        if (c == '"') {
          string_ = std::string_view(scratch_.data() + stack_bytes_, scratch_.size() - stack_bytes_);
          return Done(p + 1, Token::value_string);
        }
        if (c == '\\') break;
        if (c < 0x20) return Fail(p, ScanError::syntax);
        const char* bad = CheckUtf8(p);
        if (bad != nullptr) return Fail(bad, ScanError::invalid_utf8);
        const size_t length = Utf8Length(c);
        scratch_.append(p, length);
        p += length;
      }
    }
  }

  // ReadHex4(): the four hex digits after the 'u' at *q; q ends on the last digit read, or on the
  // first byte that is not one (nlohmann's get_codepoint()).
  bool ReadHex4(const char*& q, int& code) {
    for (int i = 0; i < 4; ++i) {
      ++q;
      if (q == end_) return false;
      const int digit = HexValue(static_cast<unsigned char>(*q));
      if (digit < 0) return false;
      code = (code << 4) | digit;
    }
    return true;
  }

  // SkipPlain(): the first byte at or after p that is '"', '\\', a control character or non-ASCII.
  const char* SkipPlain(const char* p) const {
    while (end_ - p >= 8) {
      uint64_t word;
      std::memcpy(&word, p, 8);
      const uint64_t mask = SpecialMask(word);
      if (mask != 0) return p + FirstMarkedByte(mask);
      p += 8;
    }
    while (p != end_) {
      const auto c = static_cast<unsigned char>(*p);
      if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) return p;
      ++p;
    }
    return p;
  }

  static size_t FirstMarkedByte(uint64_t mask) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return static_cast<size_t>(__builtin_clzll(mask)) / 8;
#else
    return static_cast<size_t>(__builtin_ctzll(mask)) / 8;
#endif
  }

  static size_t Utf8Length(unsigned char lead) { return lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4; }

  // CheckUtf8(): the UTF-8 sequence led by the byte >= 0x80 at p, with nlohmann's ranges (no
  // overlongs, no surrogates, nothing above U+10FFFF). Returns nullptr if well formed, else the
  // byte that proves it is not (end_ for a sequence cut by the end of the input).
  const char* CheckUtf8(const char* p) const {
    const auto lead = static_cast<unsigned char>(*p);
    unsigned char low = 0x80, high = 0xBF;
    size_t continuation = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
      continuation = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      continuation = 2;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      continuation = 3;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      return p;
    }
    for (size_t i = 1; i <= continuation; ++i) {
      if (p + i == end_) return end_;
      const auto c = static_cast<unsigned char>(p[i]);
      if (c < low || c > high) return p + i;
      low = 0x80;
      high = 0xBF;
    }
    return nullptr;
  }

  // LexNumber(): nlohmann's scan_number() state machine. Integers are read here; a double, or an
  // integer outside int64/uint64, goes to std::strtod on the number's text, as nlohmann does.
  Token LexNumber(const char* p) {
    const char* start = p;
    const bool negative = *p == '-';
    if (negative) {
      ++p;
      if (p == end_ || !IsDigit(static_cast<unsigned char>(*p))) return Fail(p, ScanError::syntax);
    }
    uint64_t magnitude = 0;
    const char* digits = p;
    if (*p == '0') {
      ++p;
    } else {
      do {
        magnitude = magnitude * 10 + static_cast<uint64_t>(*p - '0');
        ++p;
      } while (p != end_ && IsDigit(static_cast<unsigned char>(*p)));
    }
    bool is_float = false;
    if (p != end_ && *p == '.') {
      is_float = true;
      ++p;
      if (p == end_ || !IsDigit(static_cast<unsigned char>(*p))) return Fail(p, ScanError::syntax);
      do ++p;
      while (p != end_ && IsDigit(static_cast<unsigned char>(*p)));
    }
    if (p != end_ && (*p == 'e' || *p == 'E')) {
      is_float = true;
      ++p;
      if (p != end_ && (*p == '+' || *p == '-')) {
        ++p;
        if (p == end_ || !IsDigit(static_cast<unsigned char>(*p))) return Fail(p, ScanError::syntax);
      } else if (p == end_ || !IsDigit(static_cast<unsigned char>(*p))) {
        return Fail(p, ScanError::syntax);
      }
      do ++p;
      while (p != end_ && IsDigit(static_cast<unsigned char>(*p)));
    }
    if (!is_float) {
      const size_t count = static_cast<size_t>(p - digits);
      // Up to 19 digits cannot overflow uint64; more may (strtoull's ERANGE sends nlohmann to strtod).
      const bool fits = count <= 19 || FitsUint64(digits, count, magnitude);
      if (fits && !negative) {
        unsigned_ = magnitude;
        return Done(p, Token::value_unsigned);
      }
      if (fits && magnitude <= uint64_t{1} << 63) {
        integer_ = magnitude == uint64_t{1} << 63 ? INT64_MIN : -static_cast<int64_t>(magnitude);
        return Done(p, Token::value_integer);
      }
    }
    if (!ExactDouble(start, p, float_)) float_ = ToDouble(start, static_cast<size_t>(p - start));
    return Done(p, Token::value_float);
  }

  // FitsUint64(): whether `count` digits fit in uint64; sets magnitude to their value if they do.
  static bool FitsUint64(const char* digits, size_t count, uint64_t& magnitude) {
    if (count > 20) return false;
    uint64_t value = 0;
    for (size_t i = 0; i < count; ++i) {
      if (__builtin_mul_overflow(value, uint64_t{10}, &value) ||
          __builtin_add_overflow(value, static_cast<uint64_t>(digits[i] - '0'), &value)) {
        return false;
      }
    }
    magnitude = value;
    return true;
  }

  // ExactDouble(): the value of the JSON number [text, end) when at most 19 significant digits
  // make an integer below 2^53 and the decimal exponent is within ±22: then it is one
  // multiplication or division of two exactly representable doubles, which IEEE 754 rounds
  // correctly (Clinger's fast path), so it is the very double strtod gives. False otherwise.
  // Most numbers telemetry sends (1.42, 40960.5, 1745891234.5) are such.
  static bool ExactDouble(const char* text, const char* end, double& value) {
    static constexpr double kPowersOfTen[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                              1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char* p = text;
    const bool negative = *p == '-';
    if (negative) ++p;
    uint64_t significand = 0;
    int digits = 0;
    int exponent = 0;
    for (; p != end && IsDigit(static_cast<unsigned char>(*p)); ++p) {
      if (significand == 0 && *p == '0') continue;  // leading zeros are not significant
      if (++digits > 19) return false;
      significand = significand * 10 + static_cast<uint64_t>(*p - '0');
    }
    if (p != end && *p == '.') {
      for (++p; p != end && IsDigit(static_cast<unsigned char>(*p)); ++p) {
        --exponent;
        if (significand == 0 && *p == '0') continue;
        if (++digits > 19) return false;
        significand = significand * 10 + static_cast<uint64_t>(*p - '0');
      }
    }
    if (p != end && (*p == 'e' || *p == 'E')) {
      ++p;
      const bool negative_exponent = p != end && *p == '-';
      if (p != end && (*p == '-' || *p == '+')) ++p;
      int written = 0;
      for (; p != end; ++p) {
        if (written > 10000) return false;
        written = written * 10 + (*p - '0');
      }
      exponent += negative_exponent ? -written : written;
    }
    if (significand > (uint64_t{1} << 53) || exponent < -22 || exponent > 22) return false;
    value = static_cast<double>(significand);
    value = exponent >= 0 ? value * kPowersOfTen[exponent] : value / kPowersOfTen[-exponent];
    if (negative) value = -value;
    return true;
  }

  // ToDouble(): std::strtod on a NUL-terminated copy of the number's text (the input is not
  // terminated), exactly the call nlohmann makes; the Wasm builds wrap strtod with a fast path.
  double ToDouble(const char* text, size_t length) {
    char buffer[64];
    if (length < sizeof buffer) {
      std::memcpy(buffer, text, length);
      buffer[length] = '\0';
      return std::strtod(buffer, nullptr);
    }
    scratch_.resize(stack_bytes_);
    scratch_.append(text, length);
    return std::strtod(scratch_.c_str() + stack_bytes_, nullptr);
  }

  const char* const begin_;
  const char* p_;  // the next byte to read
  const char* const end_;
  Handler& handler_;
  std::string& scratch_;
  size_t stack_bytes_ = 0;  // the nesting stack's bytes at the front of scratch_
  size_t depth_ = 0;
  bool top_is_array_ = false;

  Token token_ = Token::end_of_input;
  size_t position_ = 0;  // nlohmann's position after the current token
  ScanError error_ = ScanError::syntax;  // when token_ is parse_error
  std::string_view string_;
  uint64_t unsigned_ = 0;
  int64_t integer_ = 0;
  double float_ = 0;
};

}  // namespace detail

// Scan() reads one JSON text and calls the handler like nlohmann's sax_parse; a handler method
// returning false stops the scan, and Scan() returns false. Returns what sax_parse would: true for
// a complete text, else false or what parse_error() returned.
// Strings and keys are views valid only during the call: into `input` when the string has no
// escape, else into `scratch`. `scratch` is working memory the caller keeps between calls so it
// stops growing (the only allocation); its content afterwards is unspecified.
// Handler: bool null(); bool boolean(bool); bool number_integer(int64_t); bool number_unsigned(uint64_t);
//   bool number_float(double); bool string(std::string_view); bool key(std::string_view);
//   bool start_object(); bool end_object(); bool start_array(); bool end_array();
//   bool parse_error(std::size_t position, ScanError error);
template <class Handler>
bool Scan(std::string_view input, Handler& handler, std::string& scratch) {
  detail::Scanner<Handler> scanner(input, handler, scratch);
  return scanner.Run();
}

}  // namespace phonehome::json_scan

#endif  // PHONEHOME_WASM_SRC_JSON_SCAN_H
