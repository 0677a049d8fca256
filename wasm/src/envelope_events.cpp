// envelope_events.cpp: events of a /v1/batch envelope, which name their own product and event
// (walker.h). Until both names are known an event's content is recorded on a tape and replayed
// once its spec is found; SDKs usually send those keys first, and the tape stays empty.
#include "walker.h"

namespace phonehome {

using catalogue::EventSpec;

bool Walker::IsNameKey(std::string_view key) {
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

bool Walker::TakeName(const JsonScalar& value) {
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

void Walker::ResolveEvent() {
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

void Walker::Record(TapeOp op, const JsonScalar* scalar, std::string_view text) {
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

void Walker::Replay() {
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

}  // namespace phonehome
