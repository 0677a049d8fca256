// catalogue.h: the in-memory form of the event catalogue.
//
// The catalogue files (catalogue/*.json) are checked and compiled by cli/catalogue.mjs (`phonehome
// build`) into one JSON document, the public catalogue that /v1/schema serves. The core reads that
// document once, when the Worker's isolate starts (Load(), through ph_load_catalogue), checks it
// completely and builds these tables, so a lookup at request time costs no parsing and no
// allocation, and one module serves every catalogue.
#ifndef PHONEHOME_CATALOGUE_H
#define PHONEHOME_CATALOGUE_H

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace phonehome::catalogue {

enum class Kind : uint8_t {
  String,     // bounded string, trimmed, control characters removed
  Text,       // free text (error messages, stack traces): scrubbed, cut to its bound
  Enum,       // one of a fixed set of canonical values, with case-insensitive aliases
  Bool,
  Integer,    // whole number within [min, max]
  Number,     // finite number within [min, max]
  Uuid,       // canonical lower-case 8-4-4-4-12 form
  Version,    // semantic or runtime version, optionally cut to `precision` numeric parts
  Timestamp,  // epoch seconds, epoch milliseconds, or RFC 3339
  Model,      // "owner/name" model id, kept only for allowed owners
  List,       // array of String or Enum items
  Map,        // object of key -> Integer or Number
  Object,     // nested object with fields of its own
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
  Ci,  // the CI the event came from: an enum's canonical value, or a bool as "unknown" / "none"
};
inline constexpr size_t kColumnCount = static_cast<size_t>(Column::Ci) + 1;

// UnknownValue says what an enum field does with a value it does not know.
enum class UnknownValue : uint8_t { Reject, KeepAsOther };

struct EnumAlias {
  std::string_view spelling;  // matched ignoring ASCII case and surrounding whitespace
  uint16_t value;             // index into EnumSpec::values
};

struct EnumSpec {
  const std::string_view* values;  // canonical spellings, as stored
  uint16_t value_count;
  const EnumAlias* aliases;
  uint16_t alias_count;
  UnknownValue unknown;
};

// Pattern is the compiled form of a pattern `^[class]{min,max}$` (a map's keys, a string's values):
// which bytes may appear, and how many. Checking it needs no regex engine.
struct Pattern {
  uint64_t allowed[4];  // bit b of allowed[b / 64] is set when byte b may appear
  uint16_t min_length;
  uint16_t max_length;
};

// KeyHash() is a cheap summary of a key (its length and three of its bytes): a key is compared
// with a declared name only when their summaries agree, which for the names of one object is
// nearly always the one that matches.
inline uint32_t KeyHash(std::string_view key) {
  if (key.empty()) return 0;
  const auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(key[i])); };
  return static_cast<uint32_t>(key.size()) << 24 ^ byte(0) << 16 ^ byte(key.size() / 2) << 8 ^ byte(key.size() - 1);
}

struct FieldSpec {
  std::string_view name;                // canonical name: the key written in properties
  std::string_view json_key;            // ,"name": as a row writes it (the comma dropped for the first)
  const std::string_view* input_names;  // keys accepted on input (the name and its aliases)
  const uint32_t* input_name_hashes;    // KeyHash() of each input name
  uint8_t input_name_count;
  Kind kind;
  Column column;
  bool required;
  // String, Text and Model: the most bytes stored; List: of each item; Map: of each key.
  uint32_t max_length;
  bool truncate;   // String: cut at max_length instead of rejecting (Text always cuts)
  double min;      // Integer and Number; List and Map items of those kinds
  double max;
  const EnumSpec* enumeration;  // Enum, and List of Enum
  Kind item_kind;               // List: String or Enum; Map: Integer or Number
  uint16_t max_items;           // List items, Map keys
  const Pattern* pattern;       // Map: its keys; String, and List of String: its values; else nullptr
  uint8_t precision;            // Version: numeric parts kept, 0 for the whole version
  std::string_view full_property;  // Version: properties key for the uncut value, "" for none
  std::string_view full_json_key;  // ,"full_property": as a row writes it
  const std::string_view* allowed_owners;  // Model
  uint16_t allowed_owner_count;
  uint16_t first_child;  // Object: its fields are fields[first_child, first_child + child_count)
  uint16_t child_count;
};

// A column a product fixes for every event, e.g. runtime = "python".
struct FixedColumn {
  Column column;
  std::string_view value;
};

struct EventSpec {
  std::string_view name;
  // All fields of the event, nested ones included; the top-level ones are the first
  // top_level_count, and each Object's children form one contiguous run.
  const FieldSpec* fields;
  uint16_t field_count;
  uint16_t top_level_count;
  // Dedup: the event_id is a hash of these top-level fields' normalized values (plus the UTC day
  // of the event when dedup_per_day). No fields means every event is distinct.
  const uint16_t* dedup_fields;
  uint8_t dedup_field_count;
  bool dedup_per_day;
  const FixedColumn* fixed_columns;
  uint8_t fixed_column_count;
  // Remote settings (docs/PROTOCOL.md, "Verdicts"): the event's own values, else its product's,
  // else the defaults. The Worker overlays the remote_settings table onto the compiled catalogue.
  bool enabled;                  // false: every event answered "disabled"
  double sample_rate;            // (0, 1]: the share of installs (or events) kept
  std::string_view sample_rate_json;  // the rate as a row writes it: "null" when 1
  std::string_view min_version;  // normalized; "" for none
};

struct ProductSpec {
  std::string_view name;
  const EventSpec* events;
  uint16_t event_count;
};

struct Catalogue {
  const ProductSpec* products;
  uint16_t product_count;
  uint16_t max_field_count;  // the most fields of any event, nested ones included
};

// Loaded owns a catalogue read from its compiled form: the Catalogue's views point into it, so it
// must outlive every Ingestor made with it. Fill one with Load().
class Loaded {
 public:
  Loaded() = default;
  Loaded(const Loaded&) = delete;
  Loaded& operator=(const Loaded&) = delete;

  const Catalogue& catalogue() const { return catalogue_; }

 private:
  friend class Builder;
  Catalogue catalogue_{};
  // Deques: what they hold never moves as they grow, and the views point into it.
  std::deque<std::string> strings_;
  std::deque<std::vector<std::string_view>> names_;
  std::deque<std::vector<uint32_t>> hashes_;
  std::deque<std::vector<EnumAlias>> aliases_;
  std::deque<EnumSpec> enums_;
  std::deque<Pattern> patterns_;
  std::deque<std::vector<FieldSpec>> fields_;
  std::deque<std::vector<uint16_t>> dedup_fields_;
  std::deque<std::vector<FixedColumn>> fixed_columns_;
  std::deque<std::vector<EventSpec>> events_;
  std::vector<ProductSpec> products_;
};

// The largest compiled catalogue Load() reads: far above any real one (the five reference products
// take 20 KB), far below the module's memory.
inline constexpr size_t kMaxCatalogueBytes = 4u << 20;

// Load() reads and checks a compiled catalogue completely and builds its tables into `out` (which
// must be fresh). On failure it returns false and `error` names the first problem and its place,
// e.g. "products[1] (axon).events[0] (heartbeat).fields[3] (tasks).max_items: must be a whole
// number from 1 to 1000"; `out` must then be thrown away.
bool Load(std::string_view json, Loaded& out, std::string& error);

// KindName() is the name a catalogue spells `kind` with ("string", "timestamp"); kKindCount kinds,
// numbered in Kind's order.
inline constexpr size_t kKindCount = static_cast<size_t>(Kind::Object) + 1;
std::string_view KindName(Kind kind);

// FindProduct() and FindEvent() return nullptr when the name is not declared.
const ProductSpec* FindProduct(const Catalogue& catalogue, std::string_view name);
const EventSpec* FindEvent(const ProductSpec& product, std::string_view name);

}  // namespace phonehome::catalogue

#endif  // PHONEHOME_CATALOGUE_H
