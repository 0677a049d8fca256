// catalogue_load.cpp: Load(), the compiled catalogue (the public JSON document) into the tables of
// catalogue.h, checked completely on the way.
//
// The rules mirror those cli/catalogue.mjs applies to the source files (which name the file and
// add what only sources have: presets, file names). They are checked again here because the core
// must never run on tables it cannot trust, whoever wrote the document; the error vectors in
// tests/vectors/catalogue-load/ hold both to the same verdicts. The first problem is reported, by
// its place: products[i] (name).events[j] (name).fields[k] (name).member.
// Longer than most files: one rule set, kept whole so it reads against cli/catalogue.mjs rule by
// rule; it runs once per isolate and is built for size.
#include <cmath>
#include <utility>

#include "catalogue.h"
#include "json_out.h"
#include "json_tree.h"
#include "normalize.h"

namespace phonehome::catalogue {

using json_tree::Value;

namespace {

constexpr double kMaxSafeInteger = 9007199254740991.0;  // 2^53 - 1: exact in a double, and in JS
constexpr size_t kMaxFieldsPerEvent = 256;

bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

// Name rules, as cli/catalogue.mjs writes them.
bool ProductName(std::string_view s) {  // ^[a-z0-9][a-z0-9_-]{0,63}$
  if (s.empty() || s.size() > 64 || !(IsLower(s[0]) || IsDigit(s[0]))) return false;
  for (char c : s) if (!(IsLower(c) || IsDigit(c) || c == '_' || c == '-')) return false;
  return true;
}
bool EventName(std::string_view s) {  // ^[a-z0-9][a-z0-9_.-]{0,63}$
  if (s.empty() || s.size() > 64 || !(IsLower(s[0]) || IsDigit(s[0]))) return false;
  for (char c : s) if (!(IsLower(c) || IsDigit(c) || c == '_' || c == '.' || c == '-')) return false;
  return true;
}
bool FieldName(std::string_view s) {  // ^[a-z][a-z0-9_]{0,63}$
  if (s.empty() || s.size() > 64 || !IsLower(s[0])) return false;
  for (char c : s) if (!(IsLower(c) || IsDigit(c) || c == '_')) return false;
  return true;
}
bool OwnerName(std::string_view s) {  // ^[A-Za-z0-9_.-]{1,96}$
  if (s.empty() || s.size() > 96) return false;
  for (char c : s) {
    if (!(IsLower(AsciiLower(c)) || IsDigit(c) || c == '_' || c == '.' || c == '-')) return false;
  }
  return true;
}

// Characters as JavaScript counts a string's length (UTF-16 units), for the length rules.
size_t Utf16Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) n += (c >= 0xF0) ? 2 : 1;
  }
  return n;
}

// Printable() refuses what would change how a stored value reads: control characters (C0, DEL,
// C1) and bidirectional overrides (U+202A–U+202E, U+2066–U+2069), as cli/catalogue.mjs does.
bool Printable(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) return false;
    const auto next = i + 1 < s.size() ? static_cast<unsigned char>(s[i + 1]) : 0;
    const auto third = i + 2 < s.size() ? static_cast<unsigned char>(s[i + 2]) : 0;
    if (c == 0xC2 && next >= 0x80 && next <= 0x9F) return false;
    if (c == 0xE2 && next == 0x80 && third >= 0xAA && third <= 0xAE) return false;
    if (c == 0xE2 && next == 0x81 && third >= 0xA6 && third <= 0xA9) return false;
  }
  return true;
}

bool Blank(std::string_view s) {
  for (char c : s) if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
  return true;
}

struct KindName {
  std::string_view name;
  Kind kind;
};
constexpr KindName kKinds[] = {
    {"string", Kind::String}, {"text", Kind::Text},       {"enum", Kind::Enum},   {"bool", Kind::Bool},
    {"integer", Kind::Integer}, {"number", Kind::Number}, {"uuid", Kind::Uuid},   {"version", Kind::Version},
    {"timestamp", Kind::Timestamp}, {"model", Kind::Model}, {"list", Kind::List}, {"map", Kind::Map},
    {"object", Kind::Object},
};
static_assert(std::size(kKinds) == kKindCount, "every Kind has its name");

struct ColumnRule {
  std::string_view name;
  Column column;
  Kind kinds[2];  // the kinds that may feed it
  bool fixable;   // a product or event may fix it to one value
};
constexpr ColumnRule kColumns[] = {
    {"install_id", Column::InstallId, {Kind::Uuid, Kind::String}, false},
    {"session_id", Column::SessionId, {Kind::Uuid, Kind::String}, false},
    {"version", Column::Version, {Kind::Version, Kind::String}, false},
    {"os", Column::Os, {Kind::Enum, Kind::String}, true},
    {"arch", Column::Arch, {Kind::Enum, Kind::String}, true},
    {"runtime", Column::Runtime, {Kind::Enum, Kind::String}, true},
    {"runtime_version", Column::RuntimeVersion, {Kind::Version, Kind::String}, true},
    {"occurred_at", Column::OccurredAt, {Kind::Timestamp, Kind::Timestamp}, false},
    {"ci", Column::Ci, {Kind::Enum, Kind::Bool}, false},
};

const ColumnRule* FindColumn(std::string_view name) {
  for (const auto& rule : kColumns) if (rule.name == name) return &rule;
  return nullptr;
}

std::string_view ColumnName(Column column) {
  for (const auto& rule : kColumns) if (rule.column == column) return rule.name;
  return "properties";
}

bool IsScalar(Kind kind) {
  return kind != Kind::Text && kind != Kind::List && kind != Kind::Map && kind != Kind::Object;
}

// Remote settings as a product or an event declares them; an event starts from its product's.
struct Settings {
  bool enabled = true;
  double sample_rate = 1;
  std::string_view min_version;  // normalized; "" for none
};

// Event names that are routes of a product's own: /v1/{product}/check, /v1/{product}/client_report.
constexpr std::string_view kReservedEventNames[] = {"check", "client_report"};

// A field as read, before the event's fields are laid out flat (objects' children as runs).
struct ParsedField {
  FieldSpec spec{};
  std::vector<ParsedField> children;
};

}  // namespace

// Builder reads one document into a Loaded; error holds the first problem.
class Builder {
 public:
  explicit Builder(Loaded& out) : out_(out) {}

  bool Build(const Value& root) {
    if (root.type != Value::Type::Object) return Fail("catalogue", "must be a JSON object with \"products\"");
    if (!Keys(root, "catalogue", {"products"})) return false;
    const Value* products = root.Find("products");
    if (products == nullptr || products->type != Value::Type::Array || products->items.empty()) {
      return Fail("products", "must be a non-empty list of products");
    }
    if (products->items.size() > 0xFFFF) return Fail("products", "at most 65535 products");
    uint16_t max_fields = 0;
    for (size_t i = 0; i < products->items.size(); ++i) {
      if (!Product(products->items[i], "products[" + json_out::Decimal(static_cast<int64_t>(i)) + "]", max_fields)) return false;
    }
    for (size_t i = 0; i < out_.products_.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (out_.products_[i].name == out_.products_[j].name) {
          return Fail("products", "product \"" + std::string(out_.products_[i].name) + "\" is declared twice");
        }
      }
    }
    out_.catalogue_ = {out_.products_.data(), static_cast<uint16_t>(out_.products_.size()), max_fields};
    return true;
  }

  std::string error;

 private:
  bool Fail(const std::string& where, std::string_view message) {
    if (error.empty()) error = where + ": " + std::string(message);
    return false;
  }

  std::string_view Keep(std::string_view text) {
    out_.strings_.emplace_back(text);
    return out_.strings_.back();
  }

  static std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

  // JsonKey() is `,"name":`, kept, for the row writer to append in one piece.
  std::string_view JsonKey(std::string_view name) {
    std::string key(1, ',');
    json_out::AppendString(key, name);
    key.push_back(':');
    return Keep(key);
  }

  bool Keys(const Value& object, const std::string& where, std::initializer_list<std::string_view> allowed) {
    for (const auto& member : object.members) {
      bool known = false;
      for (std::string_view key : allowed) known = known || key == member.first;
      if (!known) return Fail(where + "." + member.first, "unknown member " + Quoted(member.first));
    }
    return true;
  }

  // Text() reads an optional or required string member; max is in JS characters.
  bool Text(const Value& object, std::string_view key, const std::string& where, bool required, size_t max,
            std::string_view& out) {
    const Value* value = object.Find(key);
    const std::string at = where + "." + std::string(key);
    if (value == nullptr) return required ? Fail(at, "is required") : true;
    if (value->type != Value::Type::String || Blank(value->text)) return Fail(at, "must be a non-empty string");
    if (Utf16Length(value->text) > max) return Fail(at, "must be at most " + json_out::Decimal(static_cast<int64_t>(max)) + " characters");
    out = Keep(value->text);
    return true;
  }

  // Whole() reads a required whole number member within [min, max].
  bool Whole(const Value& object, std::string_view key, const std::string& where, double min, double max,
             double& out) {
    const Value* value = object.Find(key);
    const std::string at = where + "." + std::string(key);
    auto range = [&] {
      return "must be a whole number from " + json_out::Decimal(static_cast<int64_t>(min)) + " to " +
             json_out::Decimal(static_cast<int64_t>(max));
    };
    if (value == nullptr) return Fail(at, "is required");
    if (!value->IsNumber() || !std::isfinite(value->number) || std::floor(value->number) != value->number ||
        value->number < min || value->number > max) {
      return Fail(at, range());
    }
    out = value->number;
    return true;
  }

  // Bound() reads a required min or max of an integer or number field.
  bool Bound(const Value& object, std::string_view key, const std::string& where, bool integer, double& out) {
    const Value* value = object.Find(key);
    const std::string at = where + "." + std::string(key);
    if (value == nullptr) return Fail(at, "is required");
    if (!value->IsNumber() || !std::isfinite(value->number)) return Fail(at, "must be a finite number");
    if (integer && (std::floor(value->number) != value->number || std::fabs(value->number) > kMaxSafeInteger)) {
      return Fail(at, "must be a whole number between -9007199254740991 and 9007199254740991");
    }
    out = value->number;
    return true;
  }

  bool Flag(const Value& object, std::string_view key, const std::string& where, bool& out) {
    const Value* value = object.Find(key);
    if (value == nullptr) return true;
    if (value->type != Value::Type::Bool) return Fail(where + "." + std::string(key), "must be true or false");
    out = value->boolean;
    return true;
  }

  // Pattern() compiles `^[class]{min,max}$` into a byte set, as parseKeyPattern() in
  // cli/catalogue.mjs does (its quirks included: an escaped - between two characters still makes a
  // range).
  bool PatternOf(const Value& value, const std::string& at, const Pattern*& out) {
    if (value.type != Value::Type::String) return Fail(at, "must be a string of the form ^[class]{min,max}$");
    const std::string_view s = value.text;
    constexpr std::string_view kForm = "must have the form ^[class]{min,max}$, e.g. ^[A-Za-z0-9_.-]{1,64}$";
    if (s.size() < 4 || s.substr(0, 2) != "^[") return Fail(at, kForm);
    std::string chars;
    size_t i = 2;
    for (; i < s.size() && s[i] != ']'; ++i) {
      if (s[i] == '\\') {
        if (++i >= s.size()) return Fail(at, kForm);
      }
      chars.push_back(s[i]);
    }
    if (chars.empty() || i >= s.size()) return Fail(at, kForm);
    // What a regex would read otherwise: a negated class, or a class escape such as \d or \s.
    if (s[2] == '^') return Fail(at, "a negated class ([^…]) is not supported: list the characters allowed");
    for (size_t k = 2; k + 1 < i; ++k) {
      if (s[k] != '\\') continue;
      const char escaped = s[++k];
      if (IsDigit(escaped) || IsLower(AsciiLower(escaped))) {
        return Fail(at, std::string("unsupported escape \\") + escaped + ": write the characters out, e.g. a-z0-9");
      }
    }
    auto digits = [&](size_t& at_index, uint32_t& number) {
      const size_t start = at_index;
      number = 0;
      while (at_index < s.size() && IsDigit(s[at_index]) && at_index - start < 6) {
        number = number * 10 + static_cast<uint32_t>(s[at_index++] - '0');
      }
      return at_index > start && (at_index >= s.size() || !IsDigit(s[at_index]));
    };
    size_t j = i + 1;
    uint32_t min = 0;
    uint32_t max = 0;
    if (j >= s.size() || s[j++] != '{' || !digits(j, min) || j >= s.size() || s[j++] != ',' || !digits(j, max) ||
        s.substr(j) != "}$") {
      return Fail(at, kForm);
    }
    if (min < 1 || max < min || max > 256) return Fail(at, "needs 1 <= min <= max <= 256");
    Pattern pattern{};
    for (size_t k = 0; k < chars.size(); ++k) {
      const auto from = static_cast<unsigned char>(chars[k]);
      const bool range = k + 2 < chars.size() && chars[k + 1] == '-';
      const auto to = range ? static_cast<unsigned char>(chars[k + 2]) : from;
      if (from > 126 || to > 126 || from < 33 || to < from) {
        return Fail(at, "bad character or range at " + Quoted(std::string(1, chars[k])));
      }
      for (unsigned c = from; c <= to; ++c) pattern.allowed[c >> 6] |= uint64_t{1} << (c & 63);
      if (range) k += 2;
    }
    pattern.min_length = static_cast<uint16_t>(min);
    pattern.max_length = static_cast<uint16_t>(max);
    out_.patterns_.push_back(pattern);
    out = &out_.patterns_.back();
    return true;
  }

  // Enum() reads values, unknown and value_aliases from `object` (a field, or a list's items).
  bool Enum(const Value& object, const std::string& where, const EnumSpec*& out) {
    const Value* values = object.Find("values");
    if (values == nullptr || values->type != Value::Type::Array || values->items.empty() ||
        values->items.size() > 0xFFFF) {
      return Fail(where + ".values", "must be a non-empty list of strings of at most 64 characters");
    }
    std::vector<std::string_view> canonical;
    std::vector<std::string> lower;
    for (const Value& v : values->items) {
      if (v.type != Value::Type::String || Blank(v.text) || Utf16Length(v.text) > 64 || !Printable(v.text)) {
        return Fail(where + ".values", "must be a non-empty list of printable strings of at most 64 characters");
      }
      for (const std::string& seen : lower) {
        if (seen == Lower(v.text)) return Fail(where + ".values", "values repeat (ignoring case)");
      }
      canonical.push_back(Keep(v.text));
      lower.push_back(Lower(v.text));
    }
    std::vector<EnumAlias> aliases;
    if (const Value* map = object.Find("value_aliases")) {
      const std::string at = where + ".value_aliases";
      if (map->type != Value::Type::Object) return Fail(at, "must map spellings to values");
      for (const auto& [spelling, target] : map->members) {
        size_t index = canonical.size();
        for (size_t k = 0; k < canonical.size(); ++k) {
          if (target.type == Value::Type::String && canonical[k] == target.text) index = k;
        }
        if (index == canonical.size()) return Fail(at, "alias " + Quoted(spelling) + " names a value that is not one of the values");
        if (Blank(spelling) || !Printable(spelling)) return Fail(at, "an alias must be printable");
        const std::string spelled = Lower(spelling);
        for (const std::string& value : lower) {
          if (value == spelled) return Fail(at, "alias " + Quoted(spelling) + " is already a value");
        }
        if (aliases.size() == 0xFFFF) return Fail(at, "at most 65535 aliases");
        aliases.push_back({Keep(spelled), static_cast<uint16_t>(index)});
      }
    }
    UnknownValue unknown = UnknownValue::Reject;
    if (const Value* u = object.Find("unknown")) {
      if (u->type != Value::Type::String || (u->text != "reject" && u->text != "other")) {
        return Fail(where + ".unknown", "must be \"reject\" or \"other\"");
      }
      if (u->text == "other") unknown = UnknownValue::KeepAsOther;
    }
    out_.names_.push_back(std::move(canonical));
    out_.aliases_.push_back(std::move(aliases));
    const auto& kept_values = out_.names_.back();
    const auto& kept_aliases = out_.aliases_.back();
    out_.enums_.push_back({kept_values.data(), static_cast<uint16_t>(kept_values.size()),
                           kept_aliases.empty() ? nullptr : kept_aliases.data(),
                           static_cast<uint16_t>(kept_aliases.size()), unknown});
    out = &out_.enums_.back();
    return true;
  }

  // Fields() reads one object's field list (the event's, or a nested object's).
  bool Fields(const Value* list, const std::string& where, bool top_level, std::vector<ParsedField>& out,
              size_t& count) {
    if (list == nullptr || list->type != Value::Type::Array || list->items.empty()) {
      return Fail(where, "must be a non-empty list of fields");
    }
    std::vector<std::string_view> input_keys;
    for (size_t i = 0; i < list->items.size(); ++i) {
      const Value& raw = list->items[i];
      std::string at = where + "[" + json_out::Decimal(static_cast<int64_t>(i)) + "]";
      if (raw.type != Value::Type::Object) return Fail(at, "a field must be an object");
      ParsedField field;
      if (!Field(raw, at, top_level, field, count)) return false;
      const FieldSpec& spec = field.spec;
      for (uint8_t k = 0; k < spec.input_name_count; ++k) {
        for (std::string_view seen : input_keys) {
          if (seen == spec.input_names[k]) {
            return Fail(at + " (" + std::string(spec.name) + ").aliases",
                        "input key " + Quoted(seen) + " is also accepted by another field");
          }
        }
        input_keys.push_back(spec.input_names[k]);
      }
      out.push_back(std::move(field));
    }
    return true;
  }

  bool Field(const Value& raw, std::string at, bool top_level, ParsedField& out, size_t& count) {
    FieldSpec& f = out.spec;
    const Value* name = raw.Find("name");
    if (name == nullptr) return Fail(at + ".name", "is required");
    if (name->type != Value::Type::String || !FieldName(name->text)) {
      return Fail(at + ".name", "must match ^[a-z][a-z0-9_]{0,63}$");
    }
    f.name = Keep(name->text);
    f.json_key = JsonKey(f.name);
    at += " (" + name->text + ")";
    if (++count > kMaxFieldsPerEvent) return Fail(at, "an event may declare at most 256 fields");

    const Value* kind = raw.Find("kind");
    bool kind_known = false;
    for (const auto& k : kKinds) {
      if (kind != nullptr && kind->type == Value::Type::String && kind->text == k.name) {
        f.kind = k.kind;
        kind_known = true;
      }
    }
    if (!kind_known) {
      return Fail(at + ".kind", "must be one of: string, text, enum, bool, integer, number, uuid, version, timestamp, "
                                "model, list, map, object");
    }
    // "stats" is the field's role in the rollups (cli/catalogue.mjs): the Worker's business, not the core's.
    static constexpr std::string_view kCommon[] = {"name", "aliases", "kind", "required", "column", "description", "stats"};
    std::vector<std::string_view> allowed(std::begin(kCommon), std::end(kCommon));
    switch (f.kind) {
      case Kind::String: allowed.insert(allowed.end(), {"max_length", "on_too_long", "pattern"}); break;
      case Kind::Text: allowed.push_back("max_length"); break;
      case Kind::Enum: allowed.insert(allowed.end(), {"values", "unknown", "value_aliases"}); break;
      case Kind::Integer:
      case Kind::Number: allowed.insert(allowed.end(), {"min", "max"}); break;
      case Kind::Version: allowed.insert(allowed.end(), {"precision", "full_property"}); break;
      case Kind::Model: allowed.insert(allowed.end(), {"max_length", "allowed_owners"}); break;
      case Kind::List: allowed.insert(allowed.end(), {"max_items", "items"}); break;
      case Kind::Map: allowed.insert(allowed.end(), {"max_keys", "key_pattern", "values"}); break;
      case Kind::Object: allowed.push_back("fields"); break;
      default: break;
    }
    for (const auto& member : raw.members) {
      bool known = false;
      for (std::string_view key : allowed) known = known || key == member.first;
      if (!known) return Fail(at + "." + member.first, "unknown member " + Quoted(member.first) + " for a field of this kind");
    }
    std::string_view description;
    if (!Text(raw, "description", at, false, 500, description)) return false;

    // Input names: the name, then its aliases.
    std::vector<std::string_view> inputs{f.name};
    if (const Value* aliases = raw.Find("aliases")) {
      if (aliases->type != Value::Type::Array || aliases->items.size() > 254) {
        return Fail(at + ".aliases", "must be a list of non-empty strings");
      }
      for (const Value& a : aliases->items) {
        if (a.type != Value::Type::String || a.text.empty() || Utf16Length(a.text) > 64) {
          return Fail(at + ".aliases", "must be a list of non-empty strings");
        }
        inputs.push_back(Keep(a.text));
      }
    }
    std::vector<uint32_t> hashes;
    for (std::string_view input : inputs) hashes.push_back(KeyHash(input));
    out_.hashes_.push_back(std::move(hashes));
    f.input_name_hashes = out_.hashes_.back().data();
    out_.names_.push_back(std::move(inputs));
    f.input_names = out_.names_.back().data();
    f.input_name_count = static_cast<uint8_t>(out_.names_.back().size());
    if (!Flag(raw, "required", at, f.required)) return false;

    f.column = Column::Properties;
    if (const Value* column = raw.Find("column")) {
      const ColumnRule* rule = column->type == Value::Type::String ? FindColumn(column->text) : nullptr;
      if (!top_level) return Fail(at + ".column", "only top-level fields can feed a column");
      if (rule == nullptr) {
        return Fail(at + ".column", "must be one of: install_id, session_id, version, os, arch, runtime, runtime_version, occurred_at, ci");
      }
      if (rule->kinds[0] != f.kind && rule->kinds[1] != f.kind) {
        return Fail(at + ".column", "column " + std::string(rule->name) + " takes a field of another kind");
      }
      f.column = rule->column;
    }

    double number = 0;
    f.item_kind = Kind::String;
    switch (f.kind) {
      case Kind::String: {
        if (!Whole(raw, "max_length", at, 1, 65536, number)) return false;
        f.max_length = static_cast<uint32_t>(number);
        if (const Value* on = raw.Find("on_too_long")) {
          if (on->type != Value::Type::String || (on->text != "reject" && on->text != "truncate")) {
            return Fail(at + ".on_too_long", "must be \"reject\" or \"truncate\"");
          }
          f.truncate = on->text == "truncate";
        }
        if (const Value* pattern = raw.Find("pattern")) {
          if (!PatternOf(*pattern, at + ".pattern", f.pattern)) return false;
        }
        break;
      }
      case Kind::Text:
        if (!Whole(raw, "max_length", at, 1, 65536, number)) return false;
        f.max_length = static_cast<uint32_t>(number);
        break;
      case Kind::Enum:
        if (!Enum(raw, at, f.enumeration)) return false;
        break;
      case Kind::Integer:
      case Kind::Number:
        if (!Bound(raw, "min", at, f.kind == Kind::Integer, f.min) ||
            !Bound(raw, "max", at, f.kind == Kind::Integer, f.max)) {
          return false;
        }
        if (f.min > f.max) return Fail(at + ".min", "min is greater than max");
        break;
      case Kind::Version: {
        if (raw.Find("precision") != nullptr) {
          if (!Whole(raw, "precision", at, 1, 4, number)) return false;
          f.precision = static_cast<uint8_t>(number);
        }
        if (const Value* full = raw.Find("full_property")) {
          if (full->type != Value::Type::String || !FieldName(full->text)) {
            return Fail(at + ".full_property", "must match ^[a-z][a-z0-9_]{0,63}$");
          }
          if (f.precision == 0) return Fail(at + ".full_property", "full_property only makes sense with a precision");
          f.full_property = Keep(full->text);
          f.full_json_key = JsonKey(f.full_property);
        }
        break;
      }
      case Kind::Model: {
        if (!Whole(raw, "max_length", at, 1, 1024, number)) return false;
        f.max_length = static_cast<uint32_t>(number);
        const Value* owners = raw.Find("allowed_owners");
        std::vector<std::string_view> kept;
        if (owners == nullptr || owners->type != Value::Type::Array || owners->items.empty() ||
            owners->items.size() > 0xFFFF) {
          return Fail(at + ".allowed_owners", "must be a non-empty list of organisation names");
        }
        for (const Value& o : owners->items) {
          if (o.type != Value::Type::String || !OwnerName(o.text)) {
            return Fail(at + ".allowed_owners", "must be a non-empty list of organisation names");
          }
          kept.push_back(Keep(o.text));
        }
        out_.names_.push_back(std::move(kept));
        f.allowed_owners = out_.names_.back().data();
        f.allowed_owner_count = static_cast<uint16_t>(out_.names_.back().size());
        break;
      }
      case Kind::List: {
        if (!Whole(raw, "max_items", at, 1, 1000, number)) return false;
        f.max_items = static_cast<uint16_t>(number);
        const Value* items = raw.Find("items");
        const std::string item_at = at + ".items";
        const Value* item_kind = items != nullptr && items->type == Value::Type::Object ? items->Find("kind") : nullptr;
        if (item_kind == nullptr || item_kind->type != Value::Type::String ||
            (item_kind->text != "string" && item_kind->text != "enum")) {
          return Fail(item_at, "must be an object whose kind is string or enum");
        }
        if (item_kind->text == "string") {
          if (!Keys(*items, item_at, {"kind", "max_length", "pattern"})) return false;
          if (!Whole(*items, "max_length", item_at, 1, 4096, number)) return false;
          f.max_length = static_cast<uint32_t>(number);
          if (const Value* pattern = items->Find("pattern")) {
            if (!PatternOf(*pattern, item_at + ".pattern", f.pattern)) return false;
          }
        } else {
          if (!Keys(*items, item_at, {"kind", "values", "unknown", "value_aliases"})) return false;
          if (!Enum(*items, item_at, f.enumeration)) return false;
          f.item_kind = Kind::Enum;
          f.max_length = 64;
        }
        break;
      }
      case Kind::Map: {
        if (!Whole(raw, "max_keys", at, 1, 1000, number)) return false;
        f.max_items = static_cast<uint16_t>(number);
        const Value* values = raw.Find("values");
        const std::string value_at = at + ".values";
        const Value* value_kind = values != nullptr && values->type == Value::Type::Object ? values->Find("kind") : nullptr;
        if (value_kind == nullptr || value_kind->type != Value::Type::String ||
            (value_kind->text != "integer" && value_kind->text != "number")) {
          return Fail(value_at, "must be an object whose kind is integer or number");
        }
        f.item_kind = value_kind->text == "integer" ? Kind::Integer : Kind::Number;
        if (!Keys(*values, value_at, {"kind", "min", "max"})) return false;
        if (!Bound(*values, "min", value_at, f.item_kind == Kind::Integer, f.min) ||
            !Bound(*values, "max", value_at, f.item_kind == Kind::Integer, f.max)) {
          return false;
        }
        if (f.min > f.max) return Fail(value_at + ".min", "min is greater than max");
        const Value* key_pattern = raw.Find("key_pattern");
        if (key_pattern == nullptr) return Fail(at + ".key_pattern", "is required");
        if (!PatternOf(*key_pattern, at + ".key_pattern", f.pattern)) return false;
        break;
      }
      case Kind::Object:
        if (!Fields(raw.Find("fields"), at + ".fields", false, out.children, count)) return false;
        break;
      default:
        break;
    }
    return true;
  }

  // Layout() flattens nested fields as the core reads them: the top level first, then each
  // object's children as one contiguous run, placed depth first.
  static void Layout(std::vector<ParsedField>& list, std::vector<FieldSpec>& flat) {
    const size_t start = flat.size();
    for (const ParsedField& f : list) flat.push_back(f.spec);
    for (size_t i = 0; i < list.size(); ++i) {
      if (list[i].spec.kind != Kind::Object) continue;
      flat[start + i].first_child = static_cast<uint16_t>(flat.size());
      flat[start + i].child_count = static_cast<uint16_t>(list[i].children.size());
      Layout(list[i].children, flat);
    }
  }

  // Fixed() reads fixed_columns (a product's or an event's) into `out`, replacing earlier entries
  // for the same column, as an event's fixed columns override its product's.
  bool Fixed(const Value* raw, const std::string& at, std::vector<FixedColumn>& out) {
    if (raw == nullptr) return true;
    if (raw->type != Value::Type::Object) return Fail(at, "must be an object of column -> value");
    for (const auto& [name, value] : raw->members) {
      const ColumnRule* rule = FindColumn(name);
      if (rule == nullptr || !rule->fixable) {
        return Fail(at + "." + name, "column " + Quoted(name) + " cannot be fixed (fixable: os, arch, runtime, runtime_version)");
      }
      if (value.type != Value::Type::String || value.text.empty() || Utf16Length(value.text) > 64 || !Printable(value.text)) {
        return Fail(at + "." + name, "a fixed value must be a printable string of 1 to 64 characters");
      }
      bool replaced = false;
      for (FixedColumn& fixed : out) {
        if (fixed.column == rule->column) {
          fixed.value = Keep(value.text);
          replaced = true;
        }
      }
      if (!replaced) out.push_back({rule->column, Keep(value.text)});
    }
    return true;
  }

  // ReadSettings() reads enabled, sample_rate and min_version over `out` (which holds the
  // inherited values). null leaves a value as inherited: the Worker's overlay may write it.
  bool ReadSettings(const Value& raw, const std::string& at, Settings& out) {
    if (const Value* enabled = raw.Find("enabled"); enabled != nullptr && enabled->type != Value::Type::Null) {
      if (!Flag(raw, "enabled", at, out.enabled)) return false;
    }
    if (const Value* rate = raw.Find("sample_rate"); rate != nullptr && rate->type != Value::Type::Null) {
      // At least one in a thousand: a kept event counts 1/rate times, so a lower rate would let one
      // forged event (an install id found in the sample by trying) weigh more than a thousand.
      if (!rate->IsNumber() || !std::isfinite(rate->number) || !(rate->number >= 0.001) || rate->number > 1) {
        return Fail(at + ".sample_rate", "must be a number from 0.001 to 1");
      }
      out.sample_rate = rate->number;
    }
    if (const Value* min = raw.Find("min_version"); min != nullptr && min->type != Value::Type::Null) {
      std::string normalized;
      if (min->type != Value::Type::String || normalize::Version(min->text, normalized) != Status::ok) {
        return Fail(at + ".min_version", "must be a version such as \"1.4.0\" (1 to 4 numeric parts, an optional pre-release)");
      }
      out.min_version = Keep(normalized);
    }
    return true;
  }

  bool Event(const Value& raw, std::string at, EventSpec& spec, uint16_t& max_fields, Settings settings) {
    if (raw.type != Value::Type::Object) return Fail(at, "an event must be an object");
    const Value* name = raw.Find("name");
    if (name == nullptr) return Fail(at + ".name", "is required");
    if (name->type != Value::Type::String || !EventName(name->text)) {
      return Fail(at + ".name", "must match ^[a-z0-9][a-z0-9_.-]{0,63}$");
    }
    for (std::string_view reserved : kReservedEventNames) {
      if (name->text == reserved) return Fail(at + ".name", Quoted(reserved) + " is reserved for a route of every product");
    }
    spec.name = Keep(name->text);
    at += " (" + name->text + ")";
    if (!Keys(raw, at, {"name", "description", "dedup", "fields", "fixed_columns", "success_field", "enabled",
                        "sample_rate", "min_version"})) {
      return false;
    }
    if (!ReadSettings(raw, at, settings)) return false;
    spec.enabled = settings.enabled;
    spec.sample_rate = settings.sample_rate;
    spec.min_version = settings.min_version;
    if (settings.sample_rate < 1) {
      std::string rate;
      json_out::AppendNumber(rate, settings.sample_rate);
      spec.sample_rate_json = Keep(rate);
    } else {
      spec.sample_rate_json = "null";
    }
    std::string_view description;
    if (!Text(raw, "description", at, false, 500, description)) return false;

    std::vector<ParsedField> top;
    size_t count = 0;
    if (!Fields(raw.Find("fields"), at + ".fields", true, top, count)) return false;
    std::vector<FieldSpec> flat;
    Layout(top, flat);

    std::vector<FixedColumn> fixed;
    if (!Fixed(raw.Find("fixed_columns"), at + ".fixed_columns", fixed)) return false;
    for (size_t i = 0; i < top.size(); ++i) {
      const FieldSpec& f = top[i].spec;
      if (f.column == Column::Properties) continue;
      for (size_t j = 0; j < i; ++j) {
        if (top[j].spec.column == f.column) {
          return Fail(at + ".fields", "column " + std::string(ColumnName(f.column)) + " is fed by both " +
                                          std::string(top[j].spec.name) + " and " + std::string(f.name));
        }
      }
      for (const FixedColumn& c : fixed) {
        if (c.column == f.column) {
          return Fail(at + ".fields", "column " + std::string(ColumnName(f.column)) + " is both fixed and fed by field " + std::string(f.name));
        }
      }
    }

    std::vector<uint16_t> dedup;
    const Value* raw_dedup = raw.Find("dedup");
    const std::string dedup_at = at + ".dedup";
    if (raw_dedup == nullptr) return Fail(dedup_at, "is required: \"none\" or { \"fields\": [...], \"per_day\": false }");
    if (raw_dedup->type == Value::Type::String && raw_dedup->text == "none") {
      spec.dedup_per_day = false;
    } else if (raw_dedup->type == Value::Type::Object) {
      if (!Keys(*raw_dedup, dedup_at, {"fields", "per_day"})) return false;
      if (!Flag(*raw_dedup, "per_day", dedup_at, spec.dedup_per_day)) return false;
      const Value* fields = raw_dedup->Find("fields");
      if (fields == nullptr || fields->type != Value::Type::Array || fields->items.empty() || fields->items.size() > 255) {
        return Fail(dedup_at + ".fields", "must list at least one field (or write \"dedup\": \"none\")");
      }
      for (const Value& key : fields->items) {
        size_t index = top.size();
        for (size_t i = 0; i < top.size(); ++i) {
          if (key.type == Value::Type::String && top[i].spec.name == key.text) index = i;
        }
        if (index == top.size()) {
          return Fail(dedup_at + ".fields", "dedup field " + (key.type == Value::Type::String ? Quoted(key.text) : std::string("?")) +
                                                " is not a top-level field of this event");
        }
        if (!top[index].spec.required) return Fail(dedup_at + ".fields", "dedup field " + Quoted(key.text) + " must be required");
        if (!IsScalar(top[index].spec.kind)) return Fail(dedup_at + ".fields", "dedup field " + Quoted(key.text) + " must be a scalar kind");
        dedup.push_back(static_cast<uint16_t>(index));
      }
    } else {
      return Fail(dedup_at, "must be \"none\" or { \"fields\": [...], \"per_day\": false }");
    }

    if (const Value* success = raw.Find("success_field")) {
      bool found = false;
      for (const ParsedField& f : top) {
        found = found || (success->type == Value::Type::String && f.spec.name == success->text && f.spec.kind == Kind::Bool);
      }
      if (!found) return Fail(at + ".success_field", "must name a top-level bool field");
    }

    out_.fields_.push_back(std::move(flat));
    out_.dedup_fields_.push_back(std::move(dedup));
    out_.fixed_columns_.push_back(std::move(fixed));
    const auto& kept_fields = out_.fields_.back();
    const auto& kept_dedup = out_.dedup_fields_.back();
    const auto& kept_fixed = out_.fixed_columns_.back();
    spec.fields = kept_fields.data();
    spec.field_count = static_cast<uint16_t>(kept_fields.size());
    spec.top_level_count = static_cast<uint16_t>(top.size());
    spec.dedup_fields = kept_dedup.empty() ? nullptr : kept_dedup.data();
    spec.dedup_field_count = static_cast<uint8_t>(kept_dedup.size());
    spec.fixed_columns = kept_fixed.empty() ? nullptr : kept_fixed.data();
    spec.fixed_column_count = static_cast<uint8_t>(kept_fixed.size());
    if (spec.field_count > max_fields) max_fields = spec.field_count;
    return true;
  }

  bool Product(const Value& raw, std::string at, uint16_t& max_fields) {
    if (raw.type != Value::Type::Object) return Fail(at, "a product must be an object");
    const Value* name = raw.Find("product");
    if (name == nullptr) return Fail(at + ".product", "is required");
    if (name->type != Value::Type::String || !ProductName(name->text)) {
      return Fail(at + ".product", "must match ^[a-z0-9][a-z0-9_-]{0,63}$");
    }
    for (std::string_view reserved : {"batch", "forget", "schema", "stats", "public", "admin"}) {
      if (name->text == reserved) return Fail(at + ".product", Quoted(reserved) + " is reserved for a route");
    }
    at += " (" + name->text + ")";
    // version_check is the Worker's (the check answer in every ingest response): only its shape here.
    if (!Keys(raw, at, {"product", "title", "description", "opt_out", "default_event", "posthog", "events", "enabled",
                        "sample_rate", "min_version", "version_check"})) {
      return false;
    }
    Settings settings;
    if (!ReadSettings(raw, at, settings)) return false;
    bool version_check = false;
    if (!Flag(raw, "version_check", at, version_check)) return false;
    std::string_view text;
    if (!Text(raw, "title", at, false, 100, text) || !Text(raw, "description", at, false, 1000, text)) return false;
    if (const Value* opt_out = raw.Find("opt_out")) {
      bool ok = opt_out->type == Value::Type::Array && !opt_out->items.empty();
      for (const Value& line : opt_out->items) ok = ok && line.type == Value::Type::String && !Blank(line.text);
      if (!ok) return Fail(at + ".opt_out", "must list at least one way for users to opt out");
    }
    // posthog is the Worker's (how PostHog capture requests become events): only its shape here.
    if (const Value* posthog = raw.Find("posthog"); posthog != nullptr && posthog->type != Value::Type::Object) {
      return Fail(at + ".posthog", "must be an object");
    }
    const Value* events = raw.Find("events");
    if (events == nullptr || events->type != Value::Type::Array || events->items.empty() || events->items.size() > 0xFFFF) {
      return Fail(at + ".events", "must be a non-empty list");
    }
    std::vector<EventSpec> specs(events->items.size());
    for (size_t i = 0; i < events->items.size(); ++i) {
      if (!Event(events->items[i], at + ".events[" + json_out::Decimal(static_cast<int64_t>(i)) + "]", specs[i], max_fields, settings)) return false;
      for (size_t j = 0; j < i; ++j) {
        if (specs[j].name == specs[i].name) return Fail(at + ".events", "event " + Quoted(specs[i].name) + " is declared twice");
      }
    }
    if (const Value* default_event = raw.Find("default_event")) {
      bool found = false;
      for (const EventSpec& e : specs) found = found || (default_event->type == Value::Type::String && e.name == default_event->text);
      if (!found) return Fail(at + ".default_event", "must name one of the product's events");
    }
    out_.events_.push_back(std::move(specs));
    const auto& kept = out_.events_.back();
    out_.products_.push_back({Keep(name->text), kept.data(), static_cast<uint16_t>(kept.size())});
    return true;
  }

  Loaded& out_;
};

bool Load(std::string_view json, Loaded& out, std::string& error) {
  if (json.size() > kMaxCatalogueBytes) {
    error = "catalogue: larger than " + json_out::Decimal(static_cast<int64_t>(kMaxCatalogueBytes)) + " bytes";
    return false;
  }
  Value root;
  if (!json_tree::Parse(json, root, error)) {
    error = "catalogue: " + error;
    return false;
  }
  Builder builder(out);
  if (!builder.Build(root)) {
    error = builder.error;
    return false;
  }
  error.clear();
  return true;
}

std::string_view KindName(Kind kind) {
  for (const auto& k : kKinds) if (k.kind == kind) return k.name;
  return {};
}

}  // namespace phonehome::catalogue
