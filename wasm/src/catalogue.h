// catalogue.h: the in-memory form of the event catalogue.
//
// Every product's events and fields are constant tables, so looking them up costs no parsing and
// no allocation at request time. The tables are plain aggregates, written so that a generator can
// emit them from the catalogue files.
#ifndef PHONEHOME_CATALOGUE_H
#define PHONEHOME_CATALOGUE_H

#include <cstdint>
#include <string_view>

namespace phonehome::catalogue {

enum class Kind : uint8_t {
  String,     // bounded string, trimmed, control characters removed
  Enum,       // one of a fixed set of canonical values, with case-insensitive aliases
  Bool,
  Integer,    // whole number within [min, max]
  Number,     // finite number within [min, max]
  Uuid,       // canonical lower-case 8-4-4-4-12 form
  Version,    // semantic version; a leading "v" is dropped
  Timestamp,  // epoch seconds, epoch milliseconds, or RFC 3339
};

// Column says which row column a field feeds; Properties means the `properties` JSON object.
enum class Column : uint8_t {
  Properties,
  InstallId,
  SessionId,
  Version,
  Os,
  Arch,
  Runtime,
  RuntimeVersion,
  OccurredAt,
};

// UnknownValue says what an enum field does with a value it does not know.
enum class UnknownValue : uint8_t { Reject, KeepAsOther };

struct EnumAlias {
  std::string_view spelling;  // lower case; matched case-insensitively
  uint16_t value;             // index into EnumSpec::values
};

struct EnumSpec {
  const std::string_view* values;  // canonical spellings, as stored
  uint16_t value_count;
  const EnumAlias* aliases;
  uint16_t alias_count;
  UnknownValue unknown;
};

struct FieldSpec {
  std::string_view name;               // canonical name: the key written in properties
  const std::string_view* input_names; // keys accepted on input (the name and its aliases)
  uint8_t input_name_count;
  Kind kind;
  Column column;
  bool required;
  uint32_t max_length;  // strings: bytes after normalization
  double min;           // numbers
  double max;
  const EnumSpec* enumeration;  // Kind::Enum only
};

// A column a product fixes for every event, e.g. runtime = "python".
struct FixedColumn {
  Column column;
  std::string_view value;
};

struct EventSpec {
  std::string_view name;
  const FieldSpec* fields;
  uint16_t field_count;
  // Dedup: the event_id is a hash of these fields' normalized values (plus the UTC day of the
  // event when dedup_per_day). No fields means every event is distinct.
  const uint16_t* dedup_fields;
  uint8_t dedup_field_count;
  bool dedup_per_day;
  const FixedColumn* fixed_columns;
  uint8_t fixed_column_count;
};

struct ProductSpec {
  std::string_view name;
  const EventSpec* events;
  uint16_t event_count;
};

struct Catalogue {
  const ProductSpec* products;
  uint16_t product_count;
};

// Builtin() is the catalogue compiled into this build.
const Catalogue& Builtin();

// FindProduct() and FindEvent() return nullptr when the name is not declared.
const ProductSpec* FindProduct(const Catalogue& catalogue, std::string_view name);
const EventSpec* FindEvent(const ProductSpec& product, std::string_view name);

}  // namespace phonehome::catalogue

#endif  // PHONEHOME_CATALOGUE_H
