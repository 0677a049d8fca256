// field_check.cpp: the check of one value against its field (field_check.h). Pure: what it
// refuses and what it stores depend on the field's spec and the value alone.
#include "field_check.h"

#include <cmath>

#include "ascii.h"
#include "json_out.h"
#include "normalize.h"
#include "scrub.h"

namespace phonehome::field_check {
namespace {

using catalogue::Column;
using catalogue::FieldSpec;
using catalogue::Kind;
using json_out::AppendInt;
using json_out::AppendNumber;
using json_out::AppendString;

Checked Stored() {
  Checked checked;
  checked.outcome = Outcome::Stored;
  return checked;
}

// Refusal() is a refusal whose message the buffers already hold.
Checked Refusal(Status code) {
  Checked checked;
  checked.outcome = Outcome::Rejected;
  checked.code = code;
  return checked;
}

Checked Refused(Status code, Buffers& buffers, std::string_view message) {
  buffers.message.assign(message);
  return Refusal(code);
}

// An empty value says nothing: stored as absent, like null; a required field may not be.
Checked Empty(const FieldSpec& field, Place place, Buffers& buffers) {
  if (field.required && !place.item) return Refused(Status::empty_value, buffers, "is empty");
  return Checked();
}

bool OwnerAllowed(const FieldSpec& field, std::string_view owner) {
  for (uint16_t i = 0; i < field.allowed_owner_count; ++i) {
    if (ascii::EqualsIgnoringCase(field.allowed_owners[i], owner)) return true;
  }
  return false;
}

bool IsNumericKind(Kind kind) { return kind == Kind::Bool || kind == Kind::Integer || kind == Kind::Number; }

// ReadText() reads a query-string value as the boolean or number its field declares.
bool ReadText(Kind kind, std::string_view text, JsonScalar& typed) {
  if (kind == Kind::Bool) {
    typed.type = JsonScalar::Type::Bool;
    return normalize::BoolFromText(text, typed.boolean);
  }
  bool is_integer = false;
  const bool read = normalize::NumberFromText(text, typed.floating, is_integer, typed.integer);
  typed.type = is_integer ? JsonScalar::Type::Integer : JsonScalar::Type::Float;
  return read;
}

Checked CheckString(const FieldSpec& field, std::string_view text, Place place, Buffers& buffers, std::string& out) {
  if (text.size() > field.max_length && !field.truncate) {
    buffers.message.assign("is longer than ");
    AppendInt(buffers.message, field.max_length);
    buffers.message.append(" bytes");
    return Refusal(Status::too_long);
  }
  if (field.pattern != nullptr && !MatchesPattern(*field.pattern, text)) {
    return Refused(Status::pattern_mismatch, buffers, "does not match the field's pattern");
  }
  // A value kept exactly as sent (a column, a value with a pattern) is refused when it holds what
  // the scrubber would replace; any other string is stored scrubbed.
  const bool kept_as_sent = field.pattern != nullptr || (!place.item && field.column != Column::Properties);
  if (kept_as_sent) {
    if (scrub::UnsafeAsSent(text)) {
      return Refused(Status::sensitive_value, buffers, "holds what looks like an address, a secret or a path");
    }
    AppendString(out, text.substr(0, normalize::Utf8Boundary(text, field.max_length)));
    return Stored();
  }
  buffers.work.clear();
  scrub::Scrub(text, field.max_length, buffers.work);
  AppendString(out, buffers.work);
  return Stored();
}

Checked CheckEnum(const FieldSpec& field, std::string_view text, Buffers& buffers, std::string& out) {
  const int found = normalize::EnumIndex(*field.enumeration, text);
  if (found >= 0) {
    AppendString(out, field.enumeration->values[found]);
    return Stored();
  }
  if (field.enumeration->unknown == catalogue::UnknownValue::KeepAsOther) {
    AppendString(out, "other");
    Checked checked = Stored();
    checked.kept_as_other = true;
    return checked;
  }
  buffers.message.assign("must be one of:");
  for (uint16_t i = 0; i < field.enumeration->value_count; ++i) {
    buffers.message.append(i == 0 ? " " : ", ");
    buffers.message.append(field.enumeration->values[i]);
  }
  return Refusal(Status::invalid_enum);
}

// CheckNumber() is false for a value that is no number of the kind (a wrong type).
bool CheckNumber(const FieldSpec& field, Kind kind, const JsonScalar& value, Buffers& buffers, std::string& out,
                 Checked& checked) {
  if (!value.is_number()) return false;
  const double number = value.as_double();
  if (kind == Kind::Integer && number != std::floor(number)) return false;
  if (number < field.min || number > field.max) {
    buffers.message.assign("must be between ");
    AppendNumber(buffers.message, field.min);
    buffers.message.append(" and ");
    AppendNumber(buffers.message, field.max);
    checked = Refusal(Status::out_of_range);
    return true;
  }
  if (value.type == JsonScalar::Type::Integer) {
    AppendInt(out, value.integer);
  } else if (value.type == JsonScalar::Type::Unsigned) {
    json_out::AppendUint(out, value.unsigned_integer);
  } else {
    AppendNumber(out, number);
  }
  checked = Stored();
  return true;
}

Checked CheckVersion(const FieldSpec& field, std::string_view text, Buffers& buffers, std::string& out) {
  buffers.work.clear();
  const Status status = normalize::Version(text, buffers.work);
  if (status == Status::sensitive_value) {
    return Refused(Status::invalid_version, buffers,
                   "looks like an address or holds a secret, which a version must not");
  }
  if (status != Status::ok) return Refused(Status::invalid_version, buffers, "is not a version like 1.4.2");
  AppendString(out, normalize::CutVersion(buffers.work, field.precision));
  Checked checked = Stored();
  checked.uncut = buffers.work;
  return checked;
}

// CheckTimestamp() is false for a value that is neither text nor a number (a wrong type).
bool CheckTimestamp(const JsonScalar& value, std::string_view text, bool is_text, Buffers& buffers, std::string& out,
                    Checked& checked) {
  int64_t ms = 0;
  Status status;
  if (is_text) {
    status = normalize::TimestampFromText(text, ms);
  } else if (value.is_number()) {
    status = normalize::TimestampFromNumber(value.as_double(), ms);
  } else {
    return false;
  }
  if (status == Status::out_of_range) {
    checked = Refused(status, buffers, "must be between 2000-01-01 and 2100-01-01");
  } else if (status != Status::ok) {
    checked = Refused(status, buffers, "is not epoch seconds, epoch milliseconds or RFC 3339");
  } else {
    AppendInt(out, ms);
    checked = Stored();
    checked.has_time = true;
    checked.time_ms = ms;
  }
  return true;
}

// Only ids of allowed organisations are kept; a local path never is, whatever its owner.
Checked CheckModel(const FieldSpec& field, std::string_view text, std::string& out) {
  if (normalize::IsPathLike(text)) {
    AppendString(out, "<path>");
    return Stored();
  }
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos || !OwnerAllowed(field, text.substr(0, slash)) ||
      !normalize::IsModelName(text.substr(slash + 1)) || scrub::UnsafeAsSent(text)) {
    AppendString(out, "other");
    Checked checked = Stored();
    checked.kept_as_other = true;
    return checked;
  }
  AppendString(out, text.substr(0, normalize::Utf8Boundary(text, field.max_length)));
  return Stored();
}

}  // namespace

std::string_view KindDescription(Kind kind) {
  switch (kind) {
    case Kind::String: return "a string";
    case Kind::Text: return "a string";
    case Kind::Enum: return "a string";
    case Kind::Bool: return "true or false";
    case Kind::Integer: return "a whole number";
    case Kind::Number: return "a number";
    case Kind::Uuid: return "a UUID string";
    case Kind::Version: return "a version string";
    case Kind::Timestamp: return "epoch seconds, epoch milliseconds or an RFC 3339 string";
    case Kind::Model: return "a model id string";
    case Kind::List: return "an array";
    case Kind::Map: return "an object";
    case Kind::Object: return "an object";
  }
  return "a value";
}

bool MatchesPattern(const catalogue::Pattern& pattern, std::string_view text) {
  if (text.size() < pattern.min_length || text.size() > pattern.max_length) return false;
  for (unsigned char c : text) {
    if ((pattern.allowed[c >> 6] >> (c & 63) & 1) == 0) return false;
  }
  return true;
}

Checked WrongType(Kind kind, Buffers& buffers) {
  buffers.message.assign("must be ");
  buffers.message.append(KindDescription(kind));
  return Refusal(Status::wrong_type);
}

Checked Check(const FieldSpec& field, Kind kind, const JsonScalar& value, Place place, Buffers& buffers,
              std::string& out) {
  if (value.type == JsonScalar::Type::Null) return Checked();
  if (place.values_are_text && value.type == JsonScalar::Type::String && IsNumericKind(kind)) {
    // A query-string value: an empty one is absent, as "" is in JSON.
    if (ascii::IsBlank(value.text)) return Empty(field, place, buffers);
    JsonScalar typed;
    if (!ReadText(kind, value.text, typed)) return WrongType(kind, buffers);
    place.values_are_text = false;
    return Check(field, kind, typed, place, buffers, out);
  }
  const bool is_text = value.type == JsonScalar::Type::String;
  const bool wants_text = !IsNumericKind(kind) && kind != Kind::Timestamp;
  if (wants_text && !is_text) return WrongType(kind, buffers);
  std::string_view text;
  if (is_text) {
    text = normalize::CleanView(value.text, buffers.clean, /*keep_newlines=*/kind == Kind::Text);
    if (text.empty() && (wants_text || kind == Kind::Timestamp)) return Empty(field, place, buffers);
  }

  Checked checked;
  switch (kind) {
    case Kind::String:
      return CheckString(field, text, place, buffers, out);
    case Kind::Text:
      buffers.work.clear();
      scrub::Scrub(text, field.max_length, buffers.work);
      AppendString(out, buffers.work);
      return Stored();
    case Kind::Enum:
      return CheckEnum(field, text, buffers, out);
    case Kind::Bool:
      if (value.type != JsonScalar::Type::Bool) break;
      out.append(value.boolean ? "true" : "false");
      return Stored();
    case Kind::Integer:
    case Kind::Number:
      if (CheckNumber(field, kind, value, buffers, out, checked)) return checked;
      break;
    case Kind::Uuid:
      buffers.work.clear();
      if (normalize::Uuid(text, buffers.work) != Status::ok) {
        return Refused(Status::invalid_uuid, buffers, "is not a UUID (8-4-4-4-12 hex digits)");
      }
      AppendString(out, buffers.work);
      return Stored();
    case Kind::Version:
      return CheckVersion(field, text, buffers, out);
    case Kind::Timestamp:
      if (CheckTimestamp(value, text, is_text, buffers, out, checked)) return checked;
      break;
    case Kind::Model:
      return CheckModel(field, text, out);
    case Kind::List:
    case Kind::Map:
    case Kind::Object:
      break;
  }
  return WrongType(kind, buffers);
}

}  // namespace phonehome::field_check
