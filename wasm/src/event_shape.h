// event_shape.h: the shape of a rejected event, its top-level keys and their JSON types, never a
// value (docs/SCRUBBING.md, "Rejected-event shapes"). Rejection counts are grouped by it, so a
// maintainer sees "0.3.0 sends python as a number" without seeing any data.
//
// Every event's keys are noted as they are read, as views (a store each, no allocation): an
// accepted event never pays for a shape. The shape is written only for an event that ends
// rejected, from what was noted.
#ifndef PHONEHOME_EVENT_SHAPE_H
#define PHONEHOME_EVENT_SHAPE_H

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "catalogue.h"
#include "scalar.h"

namespace phonehome {

enum class ShapeType : uint8_t { Unset, String, Number, Bool, Null, Object, Array };

class EventShape {
 public:
  // Keys noted per event; past them the shape only says there were more.
  static constexpr size_t kMaxNotedKeys = 64;
  // Keys written in a shape; past them it ends with "…":"more".
  static constexpr size_t kMaxShapeKeys = 32;
  // An undeclared key is written as sent only when it is 1..64 bytes of [A-Za-z0-9_.-].
  static constexpr size_t kMaxKeyBytes = 64;

  // StartRequest() takes the body: keys that are views into it are kept as views, others (keys
  // with escapes, keys replayed from a batch event's tape) are copied.
  void StartRequest(std::string_view body) {
    body_ = body;
    text_.clear();
    StartEvent();
  }
  void StartEvent() {
    count_ = 0;
    more_ = false;
    awaiting_ = &no_key_;
    text_.clear();
  }

  // NoteKey() notes a top-level key; NoteValue() the JSON type of its value, which comes next.
  void NoteKey(std::string_view key) {
    if (__builtin_expect(count_ == kMaxNotedKeys, 0)) {
      more_ = true;
      return;  // its value types no_key_: NoteValue() left awaiting_ there
    }
    // One compare: a key that starts inside the body is a view into it (the scanner's other
    // strings live in buffers of their own), and below the body the difference wraps.
    const uintptr_t offset = reinterpret_cast<uintptr_t>(key.data()) - reinterpret_cast<uintptr_t>(body_.data());
    if (__builtin_expect(offset < body_.size(), 1)) {
      keys_[count_] = {static_cast<uint32_t>(offset), static_cast<uint32_t>(key.size()), Source::Body, ShapeType::Unset};
      awaiting_ = &keys_[count_++].type;
    } else {
      NoteCopy(key);
    }
  }
  // A value with no noted key before it (a batch event's names, keys past kMaxNotedKeys) types
  // no_key_, which nothing reads.
  void NoteValue(ShapeType type) {
    *awaiting_ = type;
    awaiting_ = &no_key_;
  }
  static ShapeType TypeOf(const JsonScalar& value) {
    static constexpr ShapeType kTypes[] = {ShapeType::Null,   ShapeType::Bool,   ShapeType::Number,
                                           ShapeType::Number, ShapeType::Number, ShapeType::String};
    static_assert(static_cast<int>(JsonScalar::Type::String) == 5, "kTypes follows JsonScalar::Type");
    return kTypes[static_cast<uint8_t>(value.type)];
  }

  // Write() appends the shape, a JSON object's text, to `out`: declared keys (by a name or an
  // alias) under the field's name, undeclared ones as sent when KeptAsSent(), else once as
  // "<key>"; sorted, each once.
  void Write(const catalogue::EventSpec& spec, std::string& out);

  // KeptAsSent() is the rule an undeclared key must pass to be written as sent: a map key's rule
  // (the scrubber finds nothing in it, scrub::UnsafeAsSent) within 1..64 bytes of [A-Za-z0-9_.-].
  static bool KeptAsSent(std::string_view key);

 private:
  enum class Source : uint8_t { Body, Copy, TooLong };
  struct NotedKey {
    uint32_t offset;  // into body_ or text_
    uint32_t length;
    Source source;
    ShapeType type;
  };
  void NoteCopy(std::string_view key);

  std::string_view body_;
  std::string text_;  // copied keys, back to back
  std::array<NotedKey, kMaxNotedKeys> keys_{};
  size_t count_ = 0;
  bool more_ = false;
  ShapeType* awaiting_ = &no_key_;  // the type the next value gives
  ShapeType no_key_ = ShapeType::Unset;
  std::vector<std::pair<std::string_view, ShapeType>> named_;  // Write()'s, reused
};

}  // namespace phonehome

#endif  // PHONEHOME_EVENT_SHAPE_H
