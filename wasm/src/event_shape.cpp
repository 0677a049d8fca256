// event_shape.cpp: writing a rejected event's shape (event_shape.h).
#include "event_shape.h"

#include <algorithm>

#include "ascii.h"
#include "json_out.h"
#include "scrub.h"

namespace phonehome {
namespace {

// The longest key that could name a declared field (an alias is at most 64 UTF-16 units); a longer
// one is neither declared nor kept, and is not copied.
constexpr size_t kMaxCopiedKeyBytes = 256;
constexpr std::string_view kRefusedKey = "<key>";

std::string_view TypeName(ShapeType type) {
  switch (type) {
    case ShapeType::String: return "string";
    case ShapeType::Number: return "number";
    case ShapeType::Bool: return "bool";
    case ShapeType::Null: return "null";
    case ShapeType::Object: return "object";
    case ShapeType::Array: return "array";
    case ShapeType::Unset: break;
  }
  return "null";  // not reached: every key is followed by its value
}

const catalogue::FieldSpec* DeclaredField(const catalogue::EventSpec& spec, std::string_view key) {
  for (uint16_t i = 0; i < spec.top_level_count; ++i) {
    const catalogue::FieldSpec& field = spec.fields[i];
    for (uint8_t n = 0; n < field.input_name_count; ++n) {
      if (field.input_names[n] == key) return &field;
    }
  }
  return nullptr;
}

}  // namespace

void EventShape::NoteCopy(std::string_view key) {
  if (key.size() > kMaxCopiedKeyBytes) {
    keys_[count_] = {0, 0, Source::TooLong, ShapeType::Unset};
  } else {
    keys_[count_] = {static_cast<uint32_t>(text_.size()), static_cast<uint32_t>(key.size()), Source::Copy, ShapeType::Unset};
    text_.append(key);
  }
  awaiting_ = &keys_[count_++].type;
}

bool EventShape::KeptAsSent(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyBytes) return false;
  for (char c : key) {
    if (!(ascii::IsAlnum(c) || c == '_' || c == '.' || c == '-')) return false;
  }
  return !scrub::UnsafeAsSent(key);
}

void EventShape::Write(const catalogue::EventSpec& spec, std::string& out) {
  named_.clear();
  for (size_t i = 0; i < count_; ++i) {
    const NotedKey& noted = keys_[i];
    std::string_view name = kRefusedKey;
    if (noted.source != Source::TooLong) {
      const std::string_view key = noted.source == Source::Body ? body_.substr(noted.offset, noted.length)
                                                                : std::string_view(text_).substr(noted.offset, noted.length);
      if (const catalogue::FieldSpec* field = DeclaredField(spec, key)) {
        name = field->name;
      } else if (KeptAsSent(key)) {
        name = key;
      }
    }
    named_.emplace_back(name, noted.type);
  }
  // Stable: a key sent twice (or under its name and an alias) keeps the type it was sent with first.
  std::stable_sort(named_.begin(), named_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  named_.erase(std::unique(named_.begin(), named_.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
               named_.end());
  out.push_back('{');
  size_t written = 0;
  for (const auto& [name, type] : named_) {
    if (written == kMaxShapeKeys) break;
    if (written++ > 0) out.push_back(',');
    json_out::AppendString(out, name);
    out.push_back(':');
    json_out::AppendString(out, TypeName(type));
  }
  if (more_ || named_.size() > kMaxShapeKeys) {
    if (written > 0) out.push_back(',');
    out.append("\"\xE2\x80\xA6\":\"more\"");
  }
  out.push_back('}');
}

}  // namespace phonehome
