// walker.cpp: the frames of a request body (walker.h): its shape (an event, an array of events,
// an envelope), containers opened and closed, keys and scalars routed to the event being read,
// parse errors.
#include "walker.h"

#include "json_out.h"

namespace phonehome {

using json_out::AppendInt;

bool Walker::BeginElement(bool is_object, FrameKind event_frame) {
  ++event_count;
  if (event_count > kMaxEventsPerRequest) {
    std::string message = "a request may carry at most ";
    AppendInt(message, kMaxEventsPerRequest);
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

bool Walker::OnScalar(const JsonScalar& value) {
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
  if (frame.kind == FrameKind::Event) shape.NoteValue(EventShape::TypeOf(value));
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

Frame Walker::ContainerFrame(bool is_object) {
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

bool Walker::OnStartContainer(bool is_object) {
  if (frames.size() >= kMaxNestingDepth) {
    std::string message = "the body nests objects and arrays more than ";
    AppendInt(message, kMaxNestingDepth);
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
      if (frames.back().kind == FrameKind::Event) shape.NoteValue(is_object ? ShapeType::Object : ShapeType::Array);
      frames.push_back(ContainerFrame(is_object));
      return true;
  }
}

bool Walker::OnEndContainer() {
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

bool Walker::OnKeyEvent(std::string_view key) {
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
  // Every key of the event, read or skipped after an error; an envelope event's names are not
  // part of its shape.
  if (frame.kind == FrameKind::Event && !(envelope && (key == "product" || key == "event"))) shape.NoteKey(key);
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

void Walker::OnParseError(std::size_t position, Status status) {
  std::string message = status == Status::number_overflow ? "the body holds a number too large to represent"
                        : status == Status::invalid_utf8  ? "the body holds a string that is not valid UTF-8"
                                                          : "the body is not valid JSON";
  message.append(" (at byte ");
  AppendInt(message, static_cast<int64_t>(position));
  message.push_back(')');
  Stop(status, message);
}

bool Walker::StopNoEvents() {
  Stop(Status::wrong_body_type, "a batch envelope must hold an \"events\" array");
  return false;
}

}  // namespace phonehome
