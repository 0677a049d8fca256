// scalar.h: one JSON scalar as the walker hands it to the stages after it. Strings are views,
// valid only for the call that receives them.
#ifndef PHONEHOME_SCALAR_H
#define PHONEHOME_SCALAR_H

#include <cstdint>
#include <string_view>

namespace phonehome {

struct JsonScalar {
  enum class Type : uint8_t { Null, Bool, Integer, Unsigned, Float, String };
  Type type = Type::Null;
  bool boolean = false;
  int64_t integer = 0;
  uint64_t unsigned_integer = 0;
  double floating = 0;
  std::string_view text;

  bool is_number() const { return type == Type::Integer || type == Type::Unsigned || type == Type::Float; }
  double as_double() const {
    switch (type) {
      case Type::Integer: return static_cast<double>(integer);
      case Type::Unsigned: return static_cast<double>(unsigned_integer);
      default: return floating;
    }
  }
};

}  // namespace phonehome

#endif  // PHONEHOME_SCALAR_H
