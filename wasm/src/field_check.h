// field_check.h: one stage of the request path, the check of one value against its field. A
// field's spec and a value go in; a verdict and the value's stored JSON text come out. Nothing
// here knows about frames, paths, events or the request: the caller names the place of a refusal.
#ifndef PHONEHOME_FIELD_CHECK_H
#define PHONEHOME_FIELD_CHECK_H

#include <cstdint>
#include <string>
#include <string_view>

#include "catalogue.h"
#include "phonehome/core.h"
#include "scalar.h"

namespace phonehome::field_check {

enum class Outcome : uint8_t {
  Stored,    // the stored JSON text was appended to `out`
  Absent,    // null, or a string empty after trimming: stored as absent
  Rejected,  // the event cannot be stored: `code` and the buffers' `message` say why
};

struct Checked {
  Outcome outcome = Outcome::Absent;
  Status code = Status::ok;
  bool kept_as_other = false;  // an enum or model value stored as "other"
  bool has_time = false;       // a Timestamp value: its time in UTC milliseconds
  int64_t time_ms = 0;
  std::string_view uncut;      // a Version value: the whole version, before the field's cut
};

// Reused between calls, so checking a value allocates nothing once they are warm.
struct Buffers {
  std::string clean;    // the value after CleanText()
  std::string work;     // normalized forms, scrubbed text
  std::string message;  // a refusal's message
};

// How a value reaches its field.
struct Place {
  bool item = false;            // a list item or a map value: never "required", never a column
  bool values_are_text = false; // a query string: booleans and numbers arrive as text
};

// Check() reads `value` as `kind` (the field's kind, or its item kind) with the field's bounds and
// appends the stored JSON text to `out` when the outcome is Stored. The views in the result point
// into `buffers` and live until the next call.
Checked Check(const catalogue::FieldSpec& field, catalogue::Kind kind, const JsonScalar& value, Place place,
              Buffers& buffers, std::string& out);

// WrongType() is the refusal of a value of the wrong JSON type ("must be a whole number").
Checked WrongType(catalogue::Kind kind, Buffers& buffers);

// KindDescription() is what a value of `kind` must be, in words ("a whole number").
std::string_view KindDescription(catalogue::Kind kind);

// MatchesPattern() is true when every byte of `text` is in the pattern's set and its length in range.
bool MatchesPattern(const catalogue::Pattern& pattern, std::string_view text);

}  // namespace phonehome::field_check

#endif  // PHONEHOME_FIELD_CHECK_H
