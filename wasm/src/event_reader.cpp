// event_reader.cpp: an event's keys and values (walker.h): which declared field a key names,
// each value through its field's check, the paths that name a refusal, objects and events
// finished, and the version a rejection is counted under.
#include "walker.h"

#include "ascii.h"
#include "json_out.h"
#include "normalize.h"
#include "scrub.h"

namespace phonehome {

using catalogue::Column;
using json_out::AppendInt;
using json_out::AppendString;

void Walker::AppendPath(std::string& out, const FieldSpec* field) const {
  for (const Frame& frame : frames) {
    if (frame.kind != FrameKind::Object) continue;
    out.append(Field(frame.field).name);
    out.push_back('.');
  }
  if (field != nullptr) {
    out.append(field->name);
  } else if (!out.empty()) {
    out.pop_back();
  }
}

void Walker::Reject(Status code, const FieldSpec* field, std::string_view message, std::string_view suffix) {
  if (EventFailed()) return;
  event_error = code;
  error_path.clear();
  AppendPath(error_path, field);
  error_path.append(suffix);
  error_message.assign(error_path);
  if (!error_path.empty()) error_message.push_back(' ');
  error_message.append(message);
}

void Walker::RejectWrongType(const FieldSpec& field, Kind kind, std::string_view suffix) {
  field_check::WrongType(kind, field_buffers);
  Reject(Status::wrong_type, &field, field_buffers.message, suffix);
}

void Walker::Drop(std::string_view key) {
  if (dropped_count++ >= kMaxDroppedNames) return;
  scratch.clear();
  AppendPath(scratch, nullptr);
  if (!scratch.empty()) scratch.push_back('.');
  // The key goes back to the sender only, and even then scrubbed: a response holds nothing a
  // row could not.
  scrub::Scrub(key, kMaxDroppedNameBytes, scratch);
  if (!dropped.empty()) dropped.push_back(',');
  AppendString(dropped, scratch);
}

void Walker::NoteKeptAsOther(const FieldSpec& field) {
  scratch.clear();
  AppendPath(scratch, &field);
  std::string quoted;
  AppendString(quoted, scratch);
  for (size_t at = unknown_values.find(quoted); at != std::string::npos; at = unknown_values.find(quoted, at + 1)) {
    const size_t end = at + quoted.size();
    if ((at == 0 || unknown_values[at - 1] == ',') && (end == unknown_values.size() || unknown_values[end] == ',')) return;
  }
  if (!unknown_values.empty()) unknown_values.push_back(',');
  unknown_values.append(quoted);
}

void Walker::OnFieldValue(uint16_t index, const JsonScalar& value) {
  const FieldSpec& field = Field(index);
  std::string& out = event.Slot(index);
  out.clear();
  if (field.kind == Kind::List || field.kind == Kind::Map || field.kind == Kind::Object) {
    if (value.type != JsonScalar::Type::Null) RejectWrongType(field, field.kind);
    return;
  }
  std::string_view uncut;
  if (!Normalize(field, field.kind, value, out, {}, &uncut)) return;
  if (!field.full_property.empty()) event.SetUncut(index, uncut);
  event.SetPresent(index, true);
}

void Walker::OnListItem(Frame& frame, const JsonScalar& value) {
  const FieldSpec& field = Field(frame.field);
  SetIndexSuffix(frame.items);
  if (++frame.items > field.max_items) {
    return Reject(Status::too_many_items, &field, "holds more items than allowed");
  }
  std::string& out = event.Slot(frame.field);
  const size_t mark = out.size();
  if (out.size() > 1) out.push_back(',');
  if (!Normalize(field, field.item_kind, value, out, path_suffix)) out.resize(mark);
}

void Walker::SetIndexSuffix(uint32_t index) {
  path_suffix.assign(1, '[');
  json_out::AppendUint(path_suffix, index);
  path_suffix.push_back(']');
}

void Walker::SetKeySuffix(std::string_view key) {
  path_suffix.assign(".");
  path_suffix.append(key.substr(0, normalize::Utf8Boundary(key, kMaxDroppedNameBytes)));
}

void Walker::SetScrubbedKeySuffix(std::string_view key) {
  path_suffix.assign(".");
  scrub::Scrub(key, kMaxDroppedNameBytes, path_suffix);
}

void Walker::OnMapValue(Frame& frame, const JsonScalar& value) {
  const FieldSpec& field = Field(frame.field);
  SetKeySuffix(map_key);
  std::string& out = event.Slot(frame.field);
  const size_t mark = out.size();
  if (out.size() > 1) out.push_back(',');
  AppendString(out, map_key);
  out.push_back(':');
  if (!Normalize(field, field.item_kind, value, out, path_suffix)) out.resize(mark);
}

void Walker::OnMapKey(Frame& frame, std::string_view key) {
  const FieldSpec& field = Field(frame.field);
  map_key.assign(key);
  if (++frame.items > field.max_items) {
    return Reject(Status::too_many_items, &field, "holds more keys than allowed");
  }
  // A refused key is named back scrubbed, worked out only when it is refused.
  if (!field_check::MatchesPattern(*field.pattern, key)) {
    SetScrubbedKeySuffix(key);
    return Reject(Status::invalid_key, &field, "has a key that does not match its pattern", path_suffix);
  }
  if (scrub::UnsafeAsSent(key)) {
    // A key refused for what only its shape gives away is not named at all.
    SetScrubbedKeySuffix(key);
    if (path_suffix.size() == key.size() + 1) path_suffix.assign(".<redacted>");
    return Reject(Status::invalid_key, &field, "has a key that looks like an address, a secret or a path", path_suffix);
  }
  SetKeySuffix(key);
  for (const std::string& earlier : map_keys) {
    if (earlier == key) return Reject(Status::duplicate_key, &field, "repeats a key", path_suffix);
  }
  map_keys.emplace_back(key);
}

namespace {

bool NamedBy(const catalogue::FieldSpec& field, std::string_view key, uint32_t hash) {
  for (uint8_t n = 0; n < field.input_name_count; ++n) {
    if (field.input_name_hashes[n] == hash && ascii::SameBytes(field.input_names[n], key)) return true;
  }
  return false;
}

}  // namespace

void Walker::OnKey(Frame& frame, std::string_view key) {
  pending = kNoField;
  const uint32_t hash = catalogue::KeyHash(key);
  uint16_t first = 0;
  uint16_t count = event.spec()->top_level_count;
  const bool in_object = frame.kind == FrameKind::Object;
  if (in_object) {
    first = Field(frame.field).first_child;
    count = Field(frame.field).child_count;
  }
  uint16_t& guess = frame.last_key != kNoField ? key_after[frame.last_key]
                    : in_object                 ? first_key[frame.field]
                                                : first_key_top;
  uint16_t found = kNoField;
  if (guess >= first && guess < first + count && NamedBy(event.field(guess), key, hash)) {
    found = guess;
  } else {
    for (uint16_t i = first; i < first + count && found == kNoField; ++i) {
      if (NamedBy(event.field(i), key, hash)) found = i;
    }
    if (found == kNoField) return Drop(key);
    guess = found;
  }
  frame.last_key = found;
  if (!event.MarkSeen(found)) return Reject(Status::duplicate_key, &event.field(found), "appears more than once");
  pending = found;
}

void Walker::ResetEvent() {
  if (envelope) {
    event.Start(nullptr, nullptr);
    pending_product.has = false;
    pending_event.has = false;
    tape.clear();
    tape_text.clear();
  } else {
    event.Restart();
  }
  pending_name = nullptr;
  version_after_error.clear();
  watching_version = false;
  event_error = Status::ok;
  dropped.clear();
  dropped_count = 0;
  unknown_values.clear();
  pending = kNoField;
  shape.StartEvent();
}

void Walker::CheckRequired(uint16_t first, uint16_t count) {
  if (const FieldSpec* missing = event.MissingRequired(first, count)) Reject(Status::missing_field, missing, "is required");
}

void Walker::FinishObject(const Frame& frame) {
  const FieldSpec& field = Field(frame.field);
  CheckRequired(field.first_child, field.child_count);
  if (!EventFailed()) event.CloseObject(frame.field);
}

void Walker::FinishEvent() {
  if (stop != Status::ok) return;
  if (!EventFailed()) CheckRequired(0, event.spec()->top_level_count);
  if (EventFailed()) return WriteRejected(event_error, error_path, error_message);
  switch (event.Build(clock, event_count - 1)) {
    case EventBuilder::Built::TooLarge: {
      std::string message = "the event is larger than ";
      AppendInt(message, kMaxEventBytes);
      message.append(" bytes once normalized");
      return WriteRejected(Status::event_too_large, "", message);
    }
    case EventBuilder::Built::Duplicate:
      return report.Duplicate(event_count - 1, Notes());
    case EventBuilder::Built::Stored:
      return report.Accepted(event_count - 1, event.row(), event.id(), event.install_key(), Notes());
  }
}

void Walker::WriteRejected(Status code, std::string_view path, std::string_view message) {
  if (event.spec() != nullptr) {
    // A value that is not an object has no keys: it is counted without a shape, not as "{}", which
    // would say an empty object was sent.
    shape_text.clear();
    if (code != Status::not_an_object) shape.Write(*event.spec(), shape_text);
    report.CountRejection(event.product(), event.spec(), code, EventVersion(), shape_text);
  }
  report.Rejected(event_count - 1, code, path, message, Notes());
}

std::string_view Walker::EventVersion() const {
  std::string_view version;
  return event.StoredVersion(version) ? version : std::string_view(version_after_error);
}

bool Walker::WatchVersionAfterError(std::string_view key) {
  if (event.spec() == nullptr) return false;
  const int field = event.ColumnField(Column::Version);
  if (field < 0) return false;
  const FieldSpec& version = event.field(field);
  for (uint8_t n = 0; n < version.input_name_count; ++n) {
    if (version.input_names[n] == key) return true;
  }
  return false;
}

void Walker::TakeVersionAfterError(const JsonScalar& value) {
  if (value.type != JsonScalar::Type::String) return;
  std::string normalized;
  if (normalize::Version(value.text, normalized) != Status::ok) return;
  const int field = event.ColumnField(Column::Version);
  version_after_error.assign(normalize::CutVersion(normalized, event.field(field).precision));
}

bool Walker::Normalize(const FieldSpec& field, Kind kind, const JsonScalar& value, std::string& out,
                       std::string_view suffix, std::string_view* uncut) {
  const field_check::Place place{/*item=*/!suffix.empty(), request.values_are_text};
  const field_check::Checked checked = field_check::Check(field, kind, value, place, field_buffers, out);
  switch (checked.outcome) {
    case field_check::Outcome::Rejected:
      Reject(checked.code, &field, field_buffers.message, suffix);
      return false;
    case field_check::Outcome::Absent:
      return false;
    case field_check::Outcome::Stored:
      break;
  }
  if (uncut != nullptr) *uncut = checked.uncut;
  if (checked.kept_as_other) NoteKeptAsOther(field);
  if (checked.has_time && field.column == Column::OccurredAt) {
    event.SetClientTime(checked.time_ms);
  }
  return true;
}

}  // namespace phonehome
