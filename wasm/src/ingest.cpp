// ingest.cpp: the request path. One SAX pass over the body validates and normalizes each event
// against the catalogue and writes its verdict and row straight into reused buffers: no DOM, no
// per-event allocation once the buffers are warm.
#include <cmath>
#include <cstring>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalogue.h"
#include "event_id.h"
#include "install_key.h"
#include "json_out.h"
#include "normalize.h"
#include "phonehome/core.h"
#include "envelope.h"
#include "event_builder.h"
#include "field_check.h"
#include "report.h"
#include "scalar.h"
#include "scrub.h"

namespace phonehome {
namespace {

using catalogue::Column;
using catalogue::EventSpec;
using catalogue::FieldSpec;
using catalogue::Kind;
using json_out::AppendInt;
using json_out::AppendNumber;
using json_out::AppendString;

constexpr size_t kMaxDepth = kMaxNestingDepth;
constexpr uint32_t kMaxEvents = kMaxEventsPerRequest;
constexpr size_t kMaxRowBytes = kMaxEventBytes;
constexpr size_t kMaxDroppedNameBytes = 64;
// Buffers that one large request grew past this are released afterwards, so a single 1 MiB batch
// does not pin its memory in the isolate for good.
constexpr size_t kKeepCapacity = 1 << 20;
constexpr uint16_t kNoField = 0xFFFF;

// What an open JSON container is, for the parse.
enum class FrameKind : uint8_t {
  Batch,           // the top-level array of events
  Envelope,        // the /v1/batch envelope object
  EnvelopeEvents,  // its "events" array
  PendingEvent,    // an envelope event whose product and event are not known yet
  Tape,            // a container inside a pending event, recorded for replay
  Event,           // an event object
  Object,          // a declared nested object
  List,            // a declared list
  Map,             // a declared map
  Skip,            // anything whose content is not kept
};

// Which envelope key's value comes next.
enum class EnvelopeKey : uint8_t { None, Events, Other };

struct Frame {
  FrameKind kind;
  uint16_t field;  // Object, List, Map: the field; others kNoField
  uint32_t items;  // List, Map: items seen so far
};

void ReleaseIfLarge(std::string& buffer) {
  if (buffer.capacity() > kKeepCapacity) std::string().swap(buffer);
}


}  // namespace

struct Ingestor::State {
  // The catalogue events are checked against (the Ingestor's; it outlives the Ingestor).
  const catalogue::Catalogue* declared = nullptr;
  // The request being processed.
  IngestRequest request;
  RequestClock clock;
  bool envelope = false;  // /v1/batch: events name their own product and event
  EnvelopeKey envelope_key = EnvelopeKey::None;
  bool saw_events = false;

  // Parser position.
  std::vector<Frame> frames;
  uint16_t pending = kNoField;  // the declared field whose value comes next
  std::string map_key;          // in a Map: the key whose value comes next
  std::vector<std::string> map_keys;  // in a Map: the keys seen, to refuse repeats
  Status stop = Status::ok;     // set when the whole request must be refused
  std::string stop_message;

  // The event being read.
  uint32_t event_count = 0;
  EventBuilder event;
  Status event_error = Status::ok;
  std::string error_path;
  std::string error_message;
  std::string dropped;  // JSON array body of dropped field names
  uint32_t dropped_count = 0;
  std::string unknown_values;  // JSON array body of fields whose value was kept as "other"
  std::string scratch;
  field_check::Buffers field_buffers;
  field_check::Checked checked;  // the last value's check
  std::string path_suffix;  // a map key or list index extending a field's path

  // Output.
  Report report;

  void Reset(const IngestRequest& req) {
    request = req;
    event.Start(nullptr, nullptr);
    event.NewRequest();
    clock = {req.received_at_ms, req.nonce, false, 0};
    frames.clear();
    pending = kNoField;
    stop = Status::ok;
    stop_message.clear();
    envelope = req.product.empty();
    envelope_key = EnvelopeKey::None;
    saw_events = false;
    event_count = 0;
    for (std::string* buffer : {&scratch, &tape_text}) ReleaseIfLarge(*buffer);
    report.Reset();
  }

  void Stop(Status status, std::string_view message) {
    if (stop != Status::ok) return;
    stop = status;
    stop_message.assign(message);
  }

  const FieldSpec& Field(uint16_t index) const { return event.field(index); }

  // ---- paths and verdict notes --------------------------------------------------------------

  // AppendPath() writes the dotted path of `field` as seen from the current frames, e.g.
  // "tasks.by_type" or "features.source_types[2]".
  void AppendPath(std::string& out, const FieldSpec* field) const {
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

  bool EventFailed() const { return event_error != Status::ok; }

  // Reject() records the first reason the current event cannot be stored. `suffix` extends the
  // field's path (a map key or a list index).
  void Reject(Status code, const FieldSpec* field, std::string_view message, std::string_view suffix = {}) {
    if (EventFailed()) return;
    event_error = code;
    error_path.clear();
    AppendPath(error_path, field);
    error_path.append(suffix);
    error_message.assign(error_path);
    if (!error_path.empty()) error_message.push_back(' ');
    error_message.append(message);
  }

  void RejectWrongType(const FieldSpec& field, Kind kind, std::string_view suffix = {}) {
    field_check::WrongType(kind, field_buffers);
    Reject(Status::wrong_type, &field, field_buffers.message, suffix);
  }

  void Drop(std::string_view key) {
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

  // NoteKeptAsOther() names a field whose value was stored as "other", once per field.
  void NoteKeptAsOther(const FieldSpec& field) {
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

  // ---- values -------------------------------------------------------------------------------

  // Normalize() checks one value against its field (field_check.h), appending its stored text to
  // `out`, and notes for the event what the check found: a refusal (with its place), a value kept
  // as "other", the event's own time. False when the value is absent or refused.
  bool Normalize(const FieldSpec& field, Kind kind, const JsonScalar& value, std::string& out,
                 std::string_view suffix = {}) {
    const field_check::Place place{/*item=*/!suffix.empty(), request.values_are_text};
    checked = field_check::Check(field, kind, value, place, field_buffers, out);
    switch (checked.outcome) {
      case field_check::Outcome::Rejected:
        Reject(checked.code, &field, field_buffers.message, suffix);
        return false;
      case field_check::Outcome::Absent:
        return false;
      case field_check::Outcome::Stored:
        break;
    }
    if (checked.kept_as_other) NoteKeptAsOther(field);
    if (checked.has_time && field.column == Column::OccurredAt) {
      event.SetClientTime(checked.time_ms);
    }
    return true;
  }

  // OnFieldValue() stores a scalar given for a declared field.
  void OnFieldValue(uint16_t index, const JsonScalar& value) {
    const FieldSpec& field = Field(index);
    std::string& out = event.Slot(index);
    out.clear();
    if (field.kind == Kind::List || field.kind == Kind::Map || field.kind == Kind::Object) {
      if (value.type != JsonScalar::Type::Null) RejectWrongType(field, field.kind);
      return;
    }
    if (!Normalize(field, field.kind, value, out)) return;
    if (!field.full_property.empty()) event.SetUncut(index, checked.uncut);
    event.SetPresent(index, true);
  }

  void OnListItem(Frame& frame, const JsonScalar& value) {
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

  // SetKeySuffix() makes path_suffix ".key", with the key cut to a printable length.
  // "[n]", without snprintf: this runs for every item of every list.
  void SetIndexSuffix(uint32_t index) {
    path_suffix.assign(1, '[');
    json_out::AppendUint(path_suffix, index);
    path_suffix.push_back(']');
  }

  void SetKeySuffix(std::string_view key) {
    path_suffix.assign(".");
    path_suffix.append(key.substr(0, normalize::Utf8Boundary(key, kMaxDroppedNameBytes)));
  }

  // SetScrubbedKeySuffix() names a refused key in a verdict scrubbed ("tasks.by_type.<ip>").
  void SetScrubbedKeySuffix(std::string_view key) {
    path_suffix.assign(".");
    scrub::Scrub(key, kMaxDroppedNameBytes, path_suffix);
  }

  void OnMapValue(Frame& frame, const JsonScalar& value) {
    const FieldSpec& field = Field(frame.field);
    SetKeySuffix(map_key);
    std::string& out = event.Slot(frame.field);
    const size_t mark = out.size();
    if (out.size() > 1) out.push_back(',');
    AppendString(out, map_key);
    out.push_back(':');
    if (!Normalize(field, field.item_kind, value, out, path_suffix)) out.resize(mark);
  }

  void OnMapKey(Frame& frame, std::string_view key) {
    const FieldSpec& field = Field(frame.field);
    map_key.assign(key);
    if (++frame.items > field.max_items) {
      return Reject(Status::too_many_items, &field, "holds more keys than allowed");
    }
    SetScrubbedKeySuffix(key);
    if (!field_check::MatchesPattern(*field.pattern, key)) {
      return Reject(Status::invalid_key, &field, "has a key that does not match its pattern", path_suffix);
    }
    if (scrub::UnsafeAsSent(key)) {
      // Named back scrubbed; a key refused for what only its shape gives away is not named at all.
      if (path_suffix.size() == key.size() + 1) path_suffix.assign(".<redacted>");
      return Reject(Status::invalid_key, &field, "has a key that looks like an address, a secret or a path", path_suffix);
    }
    SetKeySuffix(key);
    for (const std::string& earlier : map_keys) {
      if (earlier == key) return Reject(Status::duplicate_key, &field, "repeats a key", path_suffix);
    }
    map_keys.emplace_back(key);
  }

  // OnKey() finds the declared field a key names, among the fields of the open object.
  void OnKey(const Frame& frame, std::string_view key) {
    pending = kNoField;
    uint16_t first = 0;
    uint16_t count = event.spec()->top_level_count;
    if (frame.kind == FrameKind::Object) {
      first = Field(frame.field).first_child;
      count = Field(frame.field).child_count;
    }
    for (uint16_t i = first; i < first + count; ++i) {
      const FieldSpec& field = event.field(i);
      for (uint8_t n = 0; n < field.input_name_count; ++n) {
        if (field.input_names[n] != key) continue;
        if (!event.MarkSeen(i)) return Reject(Status::duplicate_key, &field, "appears more than once");
        pending = i;
        return;
      }
    }
    Drop(key);
  }

  // ---- objects and events --------------------------------------------------------------------

  // ResetEvent() forgets the previous event. In an envelope the spec is not known yet.
  void ResetEvent() {
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
  }

  // CheckRequired() rejects the event when a required field among fields[first, first+count) is
  // absent; the frames still include the enclosing object, so the path is complete.
  void CheckRequired(uint16_t first, uint16_t count) {
    if (const FieldSpec* missing = event.MissingRequired(first, count)) Reject(Status::missing_field, missing, "is required");
  }

  void FinishObject(const Frame& frame) {
    const FieldSpec& field = Field(frame.field);
    CheckRequired(field.first_child, field.child_count);
    if (!EventFailed()) event.CloseObject(frame.field);
  }

  void FinishEvent() {
    if (stop != Status::ok) return;
    if (!EventFailed()) CheckRequired(0, event.spec()->top_level_count);
    if (EventFailed()) return WriteRejected(event_error, error_path, error_message);
    switch (event.Build(clock, event_count - 1)) {
      case EventBuilder::Built::TooLarge: {
        std::string message = "the event is larger than ";
        AppendInt(message, kMaxRowBytes);
        message.append(" bytes once normalized");
        return WriteRejected(Status::event_too_large, "", message);
      }
      case EventBuilder::Built::Duplicate:
        return report.Duplicate(event_count - 1, Notes());
      case EventBuilder::Built::Stored:
        return report.Accepted(event_count - 1, event.row(), event.id(), event.install_key(), Notes());
    }
  }

  VerdictNotes Notes() const { return {dropped, unknown_values}; }

  void WriteRejected(Status code, std::string_view path, std::string_view message) {
    if (event.spec() != nullptr) report.CountRejection(event.product(), event.spec(), code, EventVersion());
    report.Rejected(event_count - 1, code, path, message, Notes());
  }

  // ---- rejection counts ---------------------------------------------------------------------

  // EventVersion() is the rejected event's version, when it could be read: from the field feeding
  // the version column, before or after the error (VersionAfterError()).
  std::string_view EventVersion() const {
    std::string_view version;
    return event.StoredVersion(version) ? version : std::string_view(version_after_error);
  }

  // After an event's first error its values are skipped, except the version's, which the
  // rejection count is keyed by.
  bool WatchVersionAfterError(std::string_view key) {
    if (event.spec() == nullptr) return false;
    const int field = event.ColumnField(Column::Version);
    if (field < 0) return false;
    const FieldSpec& version = event.field(field);
    for (uint8_t n = 0; n < version.input_name_count; ++n) {
      if (version.input_names[n] == key) return true;
    }
    return false;
  }

  void TakeVersionAfterError(const JsonScalar& value) {
    if (value.type != JsonScalar::Type::String) return;
    std::string normalized;
    if (normalize::Version(value.text, normalized) != Status::ok) return;
    const int field = event.ColumnField(Column::Version);
    version_after_error.assign(normalize::CutVersion(normalized, event.field(field).precision));
  }

  // ---- the parse ----------------------------------------------------------------------------
  //
  // Frames track the open containers. A body is an event object, an array of them (Batch), or,
  // on /v1/batch, an envelope {"sent_at": …, "events": [ {"product": …, "event": …, …} ]}. There
  // an event's fields may come before its "product" and "event" keys, so until both are known
  // the event's content is recorded on a tape (PendingEvent, Tape frames) and replayed once the
  // spec is found; SDKs usually send those keys first, and the tape stays empty.

  // BeginElement() starts an element of the top-level array or of the envelope's events.
  bool BeginElement(bool is_object, FrameKind event_frame) {
    ++event_count;
    if (event_count > kMaxEvents) {
      std::string message = "a request may carry at most ";
      AppendInt(message, kMaxEvents);
      message.append(" events");
      Stop(Status::too_many_events, message);
      return false;
    }
    ResetEvent();
    if (!is_object) {
      WriteRejected(Status::not_an_object, "", "is not a JSON object");
      frames.push_back({FrameKind::Skip, kNoField, 0});
      return true;
    }
    frames.push_back({event_frame, kNoField, 0});
    return true;
  }

  bool OnScalar(const JsonScalar& value) {
    if (frames.empty()) {
      Stop(Status::wrong_body_type, envelope ? "the body must be a JSON object with an events array"
                                             : "the body must be a JSON object or an array of objects");
      return false;
    }
    Frame& frame = frames.back();
    switch (frame.kind) {
      case FrameKind::Batch:
      case FrameKind::EnvelopeEvents:
        if (!BeginElement(false, FrameKind::Event)) return false;
        frames.pop_back();  // a scalar element has no content to skip
        return true;
      case FrameKind::Envelope:
        if (envelope_key == EnvelopeKey::Events) return StopNoEvents();
        envelope_key = EnvelopeKey::None;
        return true;
      case FrameKind::PendingEvent:
        if (pending_name != nullptr) return TakeName(value);
        Record(TapeOp::Scalar, &value);
        return true;
      case FrameKind::Tape:
        Record(TapeOp::Scalar, &value);
        return true;
      default:
        break;
    }
    if (EventFailed()) {
      if (watching_version && frame.kind == FrameKind::Event) TakeVersionAfterError(value);
      watching_version = false;
      return true;
    }
    switch (frame.kind) {
      case FrameKind::Event:
      case FrameKind::Object:
        if (pending_name != nullptr) return TakeName(value);
        if (pending != kNoField) OnFieldValue(pending, value);
        pending = kNoField;
        break;
      case FrameKind::List:
        OnListItem(frame, value);
        break;
      case FrameKind::Map:
        OnMapValue(frame, value);
        break;
      default:
        break;
    }
    return true;
  }

  // ContainerFrame() decides what a container opened inside an event becomes.
  Frame ContainerFrame(bool is_object) {
    Frame& parent = frames.back();
    const Frame skip{FrameKind::Skip, kNoField, 0};
    if (pending_name != nullptr) {
      // {"product": {…}}: the name must be a string.
      Reject(Status::wrong_type, nullptr, "must be a string", pending_name_key);
      pending_name = nullptr;
      return skip;
    }
    if (EventFailed()) return skip;
    switch (parent.kind) {
      case FrameKind::Event:
      case FrameKind::Object: {
        const uint16_t index = pending;
        pending = kNoField;
        if (index == kNoField) return skip;  // an unknown field: dropped whole
        const FieldSpec& field = Field(index);
        if (is_object && field.kind == Kind::Object) return {FrameKind::Object, index, 0};
        if (is_object && field.kind == Kind::Map) {
          map_keys.clear();
          event.Slot(index).assign("{");
          return {FrameKind::Map, index, 0};
        }
        if (!is_object && field.kind == Kind::List) {
          event.Slot(index).assign("[");
          return {FrameKind::List, index, 0};
        }
        RejectWrongType(field, field.kind);
        return skip;
      }
      case FrameKind::List:
      case FrameKind::Map: {
        // Named like a wrong scalar item: "tags[2]", "counts.gpu".
        const FieldSpec& field = Field(parent.field);
        if (parent.kind == FrameKind::List) {
          SetIndexSuffix(parent.items);
        } else {
          SetKeySuffix(map_key);
        }
        RejectWrongType(field, field.item_kind, path_suffix);
        return skip;
      }
      default:
        break;
    }
    return skip;
  }

  bool OnStartContainer(bool is_object) {
    if (frames.size() >= kMaxDepth) {
      std::string message = "the body nests objects and arrays more than ";
      AppendInt(message, kMaxDepth);
      message.append(" deep");
      Stop(Status::too_deep, message);
      return false;
    }
    if (frames.empty()) {
      if (envelope) {
        if (!is_object) return OnScalar(JsonScalar());  // the same refusal as a scalar body
        frames.push_back({FrameKind::Envelope, kNoField, 0});
        return true;
      }
      if (!is_object) {
        frames.push_back({FrameKind::Batch, kNoField, 0});
        return true;
      }
      return BeginElement(true, FrameKind::Event);
    }
    switch (frames.back().kind) {
      case FrameKind::Batch:
        return BeginElement(is_object, FrameKind::Event);
      case FrameKind::EnvelopeEvents:
        return BeginElement(is_object, FrameKind::PendingEvent);
      case FrameKind::Envelope:
        if (envelope_key == EnvelopeKey::Events) {
          if (is_object) return StopNoEvents();
          if (saw_events) {
            Stop(Status::wrong_body_type, "a batch envelope holds one \"events\" array, not two");
            return false;
          }
          saw_events = true;
          frames.push_back({FrameKind::EnvelopeEvents, kNoField, 0});
        } else {
          frames.push_back({FrameKind::Skip, kNoField, 0});  // another envelope key: ignored
        }
        envelope_key = EnvelopeKey::None;
        return true;
      case FrameKind::PendingEvent:
      case FrameKind::Tape:
        if (pending_name != nullptr) {
          Reject(Status::wrong_type, nullptr, "must be a string", pending_name_key);
          pending_name = nullptr;
          frames.push_back({FrameKind::Skip, kNoField, 0});
          return true;
        }
        Record(is_object ? TapeOp::StartObject : TapeOp::StartArray, nullptr);
        frames.push_back({FrameKind::Tape, kNoField, 0});
        return true;
      default:
        frames.push_back(ContainerFrame(is_object));
        return true;
    }
  }

  // OnEndContainer() finishes the container before popping its frame, so paths still include it.
  bool OnEndContainer() {
    const Frame closed = frames.back();
    switch (closed.kind) {
      case FrameKind::Event:
        FinishEvent();
        break;
      case FrameKind::PendingEvent:
        // The object closed without naming its product and event.
        Reject(Status::missing_field, nullptr, "is required", pending_product.has ? "event" : "product");
        FinishEvent();
        break;
      case FrameKind::Tape:
        Record(TapeOp::End, nullptr);
        break;
      case FrameKind::Object:
        if (!EventFailed()) FinishObject(closed);
        break;
      case FrameKind::List:
        event.Slot(closed.field).push_back(']');
        event.SetPresent(closed.field, !EventFailed());
        break;
      case FrameKind::Map:
        event.Slot(closed.field).push_back('}');
        event.SetPresent(closed.field, !EventFailed());
        break;
      case FrameKind::Batch:
      case FrameKind::EnvelopeEvents:
        if (event_count == 0) {
          Stop(Status::empty_batch, "the request holds no events: send at least one");
        }
        break;
      case FrameKind::Envelope:
        if (!saw_events) StopNoEvents();
        break;
      case FrameKind::Skip:
        break;
    }
    frames.pop_back();
    return stop == Status::ok;
  }

  bool OnKeyEvent(std::string_view key) {
    Frame& frame = frames.back();
    switch (frame.kind) {
      case FrameKind::Envelope:
        envelope_key = key == "events" ? EnvelopeKey::Events : EnvelopeKey::Other;
        return true;
      case FrameKind::PendingEvent:
        if (IsNameKey(key)) return true;
        Record(TapeOp::Key, nullptr, key);
        return true;
      case FrameKind::Tape:
        Record(TapeOp::Key, nullptr, key);
        return true;
      default:
        break;
    }
    if (EventFailed()) {
      watching_version = frame.kind == FrameKind::Event && version_after_error.empty() && WatchVersionAfterError(key);
      return true;
    }
    switch (frame.kind) {
      case FrameKind::Event:
        if (envelope && IsNameKey(key)) return true;
        OnKey(frame, key);
        break;
      case FrameKind::Object:
        OnKey(frame, key);
        break;
      case FrameKind::Map:
        OnMapKey(frame, key);
        break;
      default:
        break;
    }
    return true;
  }

  void OnParseError(std::size_t position, const nlohmann::detail::exception& error) {
    // nlohmann's message ends with "; last read: '<input>'": only the part before it is its own.
    std::string_view what(error.what());
    what = what.substr(0, what.find("; last read:"));
    Status status = Status::malformed_json;
    std::string message = "the body is not valid JSON";
    if (error.id == 406) {
      status = Status::number_overflow;
      message = "the body holds a number too large to represent";
    } else if (what.find("UTF-8") != std::string_view::npos || what.find("surrogate") != std::string_view::npos) {
      status = Status::invalid_utf8;
      message = "the body holds a string that is not valid UTF-8";
    }
    message.append(" (at byte ");
    AppendInt(message, static_cast<int64_t>(position));
    message.push_back(')');
    Stop(status, message);
  }

  bool StopNoEvents() {
    Stop(Status::wrong_body_type, "a batch envelope must hold an \"events\" array");
    return false;
  }

  // ---- batch envelopes: naming an event, the tape ------------------------------------------------

  struct PendingName {
    std::string text;
    bool has = false;
  };

  // IsNameKey() catches an event's "product" and "event" keys inside an envelope; the value that
  // follows is taken by TakeName().
  bool IsNameKey(std::string_view key) {
    PendingName* name = key == "product" ? &pending_product : key == "event" ? &pending_event : nullptr;
    if (name == nullptr) return false;
    if (name->has) {
      Reject(Status::duplicate_key, nullptr, "appears more than once", key);
      return true;
    }
    pending_name = name;
    pending_name_key = key == "product" ? "product" : "event";
    return true;
  }

  bool TakeName(const JsonScalar& value) {
    PendingName* name = pending_name;
    pending_name = nullptr;
    if (value.type != JsonScalar::Type::String) {
      Reject(Status::wrong_type, nullptr, "must be a string", pending_name_key);
      return true;
    }
    name->text.assign(value.text);
    name->has = true;
    if (frames.back().kind == FrameKind::PendingEvent && pending_product.has && pending_event.has) ResolveEvent();
    return true;
  }

  // ResolveEvent() finds the spec of a pending envelope event and replays what was recorded.
  void ResolveEvent() {
    Frame& frame = frames.back();
    frame.kind = FrameKind::Event;
    const catalogue::ProductSpec* product = catalogue::FindProduct(*declared, pending_product.text);
    const EventSpec* spec = product == nullptr ? nullptr : catalogue::FindEvent(*product, pending_event.text);
    event.Start(product, spec);
    if (spec == nullptr) {
      const bool no_product = product == nullptr;
      Reject(no_product ? Status::unknown_product : Status::unknown_event, nullptr,
             no_product ? "names no product declared in the catalogue" : "names no event the product declares",
             no_product ? "product" : "event");
      return;
    }
    Replay();
  }

  enum class TapeOp : uint8_t { Key, Scalar, StartObject, StartArray, End };
  // A compact record of one SAX event: 24 bytes, the text in tape_text.
  struct TapeEntry {
    TapeOp op;
    JsonScalar::Type type;
    bool boolean;
    uint32_t text_offset;
    uint32_t text_length;
    union {
      int64_t integer;
      uint64_t unsigned_integer;
      double floating;
    };
  };
  // An event may say which product and event it is after at most this many tokens of fields:
  // the tape of a pending event stays small whatever the body holds.
  static constexpr size_t kMaxTapeEntries = 4096;
  static constexpr size_t kMaxTapeText = 64 * 1024;

  void Record(TapeOp op, const JsonScalar* scalar, std::string_view text = {}) {
    if (EventFailed()) return;
    if (scalar != nullptr && scalar->type == JsonScalar::Type::String) text = scalar->text;
    if (tape.size() >= kMaxTapeEntries || tape_text.size() + text.size() > kMaxTapeText) {
      tape.clear();
      tape_text.clear();
      return Reject(Status::event_too_large, nullptr,
                    "carries too much before naming its \"product\" and \"event\": send those keys first");
    }
    TapeEntry entry{};
    entry.op = op;
    entry.text_offset = static_cast<uint32_t>(tape_text.size());
    entry.text_length = static_cast<uint32_t>(text.size());
    if (scalar != nullptr) {
      entry.type = scalar->type;
      entry.boolean = scalar->boolean;
      if (scalar->type == JsonScalar::Type::Integer) entry.integer = scalar->integer;
      if (scalar->type == JsonScalar::Type::Unsigned) entry.unsigned_integer = scalar->unsigned_integer;
      if (scalar->type == JsonScalar::Type::Float) entry.floating = scalar->floating;
    }
    tape_text.append(text);
    tape.push_back(entry);
  }

  void Replay() {
    for (const TapeEntry& entry : tape) {
      const std::string_view text(tape_text.data() + entry.text_offset, entry.text_length);
      bool go_on = true;
      switch (entry.op) {
        case TapeOp::Key:
          go_on = OnKeyEvent(text);
          break;
        case TapeOp::Scalar: {
          JsonScalar value;
          value.type = entry.type;
          value.boolean = entry.boolean;
          if (entry.type == JsonScalar::Type::Integer) value.integer = entry.integer;
          if (entry.type == JsonScalar::Type::Unsigned) value.unsigned_integer = entry.unsigned_integer;
          if (entry.type == JsonScalar::Type::Float) value.floating = entry.floating;
          if (entry.type == JsonScalar::Type::String) value.text = text;
          go_on = OnScalar(value);
          break;
        }
        case TapeOp::StartObject:
        case TapeOp::StartArray:
          go_on = OnStartContainer(entry.op == TapeOp::StartObject);
          break;
        case TapeOp::End:
          go_on = OnEndContainer();
          break;
      }
      if (!go_on) break;
    }
    tape.clear();
    tape_text.clear();
  }

  PendingName pending_product;
  PendingName pending_event;
  PendingName* pending_name = nullptr;  // the name whose value comes next
  std::string_view pending_name_key;
  std::vector<TapeEntry> tape;
  std::string tape_text;

  std::string version_after_error;  // the version read after the event's error, if any
  bool watching_version = false;    // the value coming next is that version

  // ---- the whole request ----------------------------------------------------------------------

  IngestResult Finish() {
    if (stop == Status::ok) return report.Finish(event_count);
    // Nothing of the request is stored; on a named route the whole request counts as one
    // rejection of its event.
    report.ForgetRejections();
    if (!envelope && event.spec() != nullptr) report.CountRejection(event.product(), event.spec(), stop, "");
    return report.Refuse(event_count, stop, stop_message);
  }
};

namespace {

// SaxHandler adapts nlohmann's SAX callbacks to the ingest state. Returning false stops the parse.
class SaxHandler {
 public:
  using json = nlohmann::json;
  explicit SaxHandler(Ingestor::State& state) : state_(state) {}

  bool null() { return Emit(JsonScalar()); }
  bool boolean(bool value) {
    JsonScalar v;
    v.type = JsonScalar::Type::Bool;
    v.boolean = value;
    return Emit(v);
  }
  bool number_integer(json::number_integer_t value) {
    JsonScalar v;
    v.type = JsonScalar::Type::Integer;
    v.integer = value;
    return Emit(v);
  }
  bool number_unsigned(json::number_unsigned_t value) {
    JsonScalar v;
    v.type = JsonScalar::Type::Unsigned;
    v.unsigned_integer = value;
    return Emit(v);
  }
  bool number_float(json::number_float_t value, const json::string_t& /*text*/) {
    JsonScalar v;
    v.type = JsonScalar::Type::Float;
    v.floating = value;
    return Emit(v);
  }
  bool string(json::string_t& value) {
    JsonScalar v;
    v.type = JsonScalar::Type::String;
    v.text = value;
    return Emit(v);
  }
  bool binary(json::binary_t& /*value*/) { return Emit(JsonScalar()); }
  bool start_object(std::size_t /*elements*/) { return state_.OnStartContainer(true); }
  bool key(json::string_t& name) { return state_.OnKeyEvent(name); }
  bool end_object() { return state_.OnEndContainer(); }
  bool start_array(std::size_t /*elements*/) { return state_.OnStartContainer(false); }
  bool end_array() { return state_.OnEndContainer(); }
  bool parse_error(std::size_t position, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& error) {
    state_.OnParseError(position, error);
    return false;
  }

 private:
  bool Emit(const JsonScalar& value) { return state_.OnScalar(value); }
  Ingestor::State& state_;
};

}  // namespace

Ingestor::Ingestor(const catalogue::Catalogue& catalogue) : state_(new State()) {
  state_->declared = &catalogue;
  state_->frames.reserve(kMaxDepth + 1);
  state_->event.Size(catalogue.max_field_count);
}

Ingestor::~Ingestor() { delete state_; }

IngestResult Ingestor::Ingest(const IngestRequest& request) {
  State& s = *state_;
  s.Reset(request);
  std::string_view sent_at = request.sent_at;
  bool sent_at_from_body = false;
  if (s.envelope) {
    // The envelope's own sent_at wins over the header; one that is not a plain string or number
    // is refused like any unreadable time.
    std::string_view envelope_sent_at;
    if (envelope::FindSentAt(request.body, envelope_sent_at)) {
      sent_at = envelope_sent_at.empty() ? "?" : envelope_sent_at;
      sent_at_from_body = true;
    }
  } else {
    const catalogue::ProductSpec* product = catalogue::FindProduct(*s.declared, request.product);
    if (product == nullptr) {
      s.Stop(Status::unknown_product, "no product of that name is declared in the catalogue");
      return s.Finish();
    }
    const EventSpec* spec = catalogue::FindEvent(*product, request.event);
    if (spec == nullptr) {
      s.Stop(Status::unknown_event, "the product declares no event of that name");
      return s.Finish();
    }
    s.event.Start(product, spec);
  }
  constexpr std::string_view kBadSentAt =
      "sent_at (the X-Sent-At header or the envelope's) must be epoch seconds, epoch milliseconds or RFC 3339 "
      "within 2000-2099";
  bool bad_sent_at = false;
  if (!sent_at.empty()) {
    bad_sent_at = normalize::TimestampFromHeader(sent_at, s.clock.sent_at_ms) != Status::ok;
    s.clock.has_sent_at = !bad_sent_at;
    // A bad header refuses the request at once; a bad envelope sent_at only once the body has
    // parsed, so a body that is not JSON is still called that.
    if (bad_sent_at && !sent_at_from_body) {
      s.Stop(Status::invalid_sent_at, kBadSentAt);
      return s.Finish();
    }
  }
  SaxHandler handler(s);
  const char* begin = request.body.data();
  nlohmann::json::sax_parse(begin, begin + request.body.size(), &handler);
  if (bad_sent_at) s.Stop(Status::invalid_sent_at, kBadSentAt);
  return s.Finish();
}

}  // namespace phonehome
