// walker.h: the request path's state machine. The JSON scanner calls it once per token; it
// tracks the open containers (frames) of the body, hands each value of an event to its field's
// check, each finished event to the event builder, and each verdict to the report.
//
// One class, its methods in one file per job:
//   walker.cpp           the frames: the body's shape, containers, keys, scalars, parse errors
//   event_reader.cpp     an event's keys and values: finding the field, checking values, paths
//                        of refusals, finishing objects and events, rejection versions
//   envelope_events.cpp  /v1/batch envelopes: events that name their product and event, the tape
//   ingest.cpp           the request: its start and its answer
#ifndef PHONEHOME_WALKER_H
#define PHONEHOME_WALKER_H

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "catalogue.h"
#include "event_builder.h"
#include "event_shape.h"
#include "field_check.h"
#include "phonehome/core.h"
#include "report.h"
#include "scalar.h"

namespace phonehome {

inline constexpr size_t kMaxDroppedNameBytes = 64;
inline constexpr uint16_t kNoField = 0xFFFF;

// What an open JSON container is, for the walk.
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
  uint16_t last_key = kNoField;  // Event, Object: the field the previous key named
};

struct Walker {
  using FieldSpec = catalogue::FieldSpec;
  using Kind = catalogue::Kind;

  // The catalogue events are checked against (the Ingestor's; it outlives the Ingestor).
  const catalogue::Catalogue* declared = nullptr;
  // The request being processed.
  IngestRequest request;
  RequestClock clock;
  // The body's shape, fixed per request: a route's body (an event or an array of events of the
  // route's product and event) or a /v1/batch envelope, whose events name their own. The shapes
  // differ in six decisions, each at the shape's edge and nowhere inside an event: the top-level
  // container (OnStartContainer), the wrong-body message (OnScalar), the "product" and "event"
  // keys of an event (OnKeyEvent), the spec a new event starts with (ResetEvent), where sent_at
  // comes from and when the spec is known (Ingestor::Ingest), and whether a refused request
  // counts as a rejection of one event (Finish). A template on the shape was weighed and left:
  // it would compile the walker twice into the module for six branches taken once per event.
  bool envelope = false;
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
  std::string scan_scratch;  // the scanner's: strings with escapes, its nesting stack
  field_check::Buffers field_buffers;
  std::string path_suffix;  // a map key or list index extending a field's path
  EventShape shape;         // the event's top-level keys and types, written if it is rejected
  std::string shape_text;

  // Output.
  Report report;

  void Reset(const IngestRequest& req);

  void Stop(Status status, std::string_view message);

  const FieldSpec& Field(uint16_t index) const { return event.field(index); }

  // ---- paths and verdict notes --------------------------------------------------------------

  // AppendPath() writes the dotted path of `field` as seen from the current frames, e.g.
  // "tasks.by_type" or "features.source_types[2]".
  void AppendPath(std::string& out, const FieldSpec* field) const;

  bool EventFailed() const { return event_error != Status::ok; }

  // Reject() records the first reason the current event cannot be stored. `suffix` extends the
  // field's path (a map key or a list index).
  void Reject(Status code, const FieldSpec* field, std::string_view message, std::string_view suffix = {});

  void RejectWrongType(const FieldSpec& field, Kind kind, std::string_view suffix = {});

  void Drop(std::string_view key);

  // NoteKeptAsOther() names a field whose value was stored as "other", once per field.
  void NoteKeptAsOther(const FieldSpec& field);

  // ---- values -------------------------------------------------------------------------------

  // Normalize() checks one value against its field (field_check.h), appending its stored text to
  // `out`, and notes for the event what the check found: a refusal (with its place), a value kept
  // as "other", the event's own time. False when the value is absent or refused. `uncut`, when
  // given, receives a stored version's whole text (valid until the next check).
  bool Normalize(const FieldSpec& field, Kind kind, const JsonScalar& value, std::string& out,
                 std::string_view suffix = {}, std::string_view* uncut = nullptr);

  // OnFieldValue() stores a scalar given for a declared field.
  void OnFieldValue(uint16_t index, const JsonScalar& value);

  void OnListItem(Frame& frame, const JsonScalar& value);

  // SetKeySuffix() makes path_suffix ".key", with the key cut to a printable length.
  // "[n]", without snprintf: this runs for every item of every list.
  void SetIndexSuffix(uint32_t index);

  void SetKeySuffix(std::string_view key);

  // SetScrubbedKeySuffix() names a refused key in a verdict scrubbed ("tasks.by_type.<ip>").
  void SetScrubbedKeySuffix(std::string_view key);

  void OnMapValue(Frame& frame, const JsonScalar& value);

  void OnMapKey(Frame& frame, std::string_view key);

  // OnKey() finds the declared field a key names, among the fields of the open object.
  void OnKey(Frame& frame, std::string_view key);
  // The events of a request send their keys in the same order: after field i came key_after[i]
  // last time, and an object's first key was first_key[object] (first_key_top at the top level).
  // A guess is checked like any name, so a wrong one only costs the scan it would have saved.
  std::vector<uint16_t> key_after;
  std::vector<uint16_t> first_key;
  uint16_t first_key_top = kNoField;

  // ---- objects and events --------------------------------------------------------------------

  // ResetEvent() forgets the previous event. In an envelope the spec is not known yet.
  void ResetEvent();

  // CheckRequired() rejects the event when a required field among fields[first, first+count) is
  // absent; the frames still include the enclosing object, so the path is complete.
  void CheckRequired(uint16_t first, uint16_t count);

  void FinishObject(const Frame& frame);

  void FinishEvent();

  VerdictNotes Notes() const { return {dropped, unknown_values}; }

  void WriteRejected(Status code, std::string_view path, std::string_view message);

  // ---- rejection counts ---------------------------------------------------------------------

  // EventVersion() is the rejected event's version, when it could be read: from the field feeding
  // the version column, before or after the error (VersionAfterError()).
  std::string_view EventVersion() const;

  // After an event's first error its values are skipped, except the version's, which the
  // rejection count is keyed by.
  bool WatchVersionAfterError(std::string_view key);

  void TakeVersionAfterError(const JsonScalar& value);

  // ---- the parse ----------------------------------------------------------------------------
  //
  // Frames track the open containers. A body is an event object, an array of them (Batch), or,
  // on /v1/batch, an envelope {"sent_at": …, "events": [ {"product": …, "event": …, …} ]}. There
  // an event's fields may come before its "product" and "event" keys, so until both are known
  // the event's content is recorded on a tape (PendingEvent, Tape frames) and replayed once the
  // spec is found; SDKs usually send those keys first, and the tape stays empty.

  // BeginElement() starts an element of the top-level array or of the envelope's events.
  bool BeginElement(bool is_object, FrameKind event_frame);

  bool OnScalar(const JsonScalar& value);

  // ContainerFrame() decides what a container opened inside an event becomes.
  Frame ContainerFrame(bool is_object);

  bool OnStartContainer(bool is_object);

  // OnEndContainer() finishes the container before popping its frame, so paths still include it.
  bool OnEndContainer();

  bool OnKeyEvent(std::string_view key);

  // OnParseError() refuses a body that is not JSON: `status` is malformed_json, number_overflow or
  // invalid_utf8, `position` the byte where the scanner stopped.
  void OnParseError(std::size_t position, Status status);

  bool StopNoEvents();

  // ---- batch envelopes: naming an event, the tape ------------------------------------------------

  struct PendingName {
    std::string text;
    bool has = false;
  };

  // IsNameKey() catches an event's "product" and "event" keys inside an envelope; the value that
  // follows is taken by TakeName().
  bool IsNameKey(std::string_view key);

  bool TakeName(const JsonScalar& value);

  // ResolveEvent() finds the spec of a pending envelope event and replays what was recorded.
  void ResolveEvent();

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

  void Record(TapeOp op, const JsonScalar* scalar, std::string_view text = {});

  void Replay();

  PendingName pending_product;
  PendingName pending_event;
  PendingName* pending_name = nullptr;  // the name whose value comes next
  std::string_view pending_name_key;
  std::vector<TapeEntry> tape;
  std::string tape_text;

  std::string version_after_error;  // the version read after the event's error, if any
  bool watching_version = false;    // the value coming next is that version

  // ---- the whole request ----------------------------------------------------------------------

  IngestResult Finish();
};

}  // namespace phonehome

#endif  // PHONEHOME_WALKER_H
