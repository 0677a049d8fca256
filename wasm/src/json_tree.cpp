// json_tree.cpp: Parse() through the scanner the request path uses (json_scan.h).
#include "json_tree.h"

#include "json_out.h"
#include "json_scan.h"

namespace phonehome::json_tree {

const Value* Value::Find(std::string_view key) const {
  for (const auto& [name, value] : members) {
    if (name == key) return &value;
  }
  return nullptr;
}

namespace {

// TreeBuilder receives the SAX events and grows the tree. `open` holds the containers being
// filled, innermost last: each lives in its parent's vector, which does not change while it is
// open, so the pointers stay valid. Returning false stops the parse.
class TreeBuilder {
 public:
  TreeBuilder(Value& root, std::string& error, unsigned max_depth) : root_(root), error_(error), max_depth_(max_depth) {}

  bool null() { return Add(Value()); }
  bool boolean(bool value) {
    Value v;
    v.type = Value::Type::Bool;
    v.boolean = value;
    return Add(std::move(v));
  }
  bool number_integer(int64_t value) { return Number(static_cast<double>(value), true); }
  bool number_unsigned(uint64_t value) { return Number(static_cast<double>(value), true); }
  bool number_float(double value) { return Number(value, false); }
  bool string(std::string_view value) {
    Value v;
    v.type = Value::Type::String;
    v.text.assign(value);
    return Add(std::move(v));
  }
  bool start_object() { return Open(Value::Type::Object); }
  bool key(std::string_view name) {
    Value& object = *open_.back();
    for (const auto& member : object.members) {
      if (member.first == name) {
        error_ = "the key \"" + std::string(name) + "\" appears twice in one object";
        return false;
      }
    }
    object.members.emplace_back(std::string(name), Value());
    return true;
  }
  bool end_object() { return Close(); }
  bool start_array() { return Open(Value::Type::Array); }
  bool end_array() { return Close(); }
  bool parse_error(std::size_t position, json_scan::ScanError error) {
    error_ = "not valid JSON at byte " + json_out::Decimal(static_cast<int64_t>(position)) +
             (error == json_scan::ScanError::number_overflow ? ": a number too large to represent"
              : error == json_scan::ScanError::invalid_utf8  ? ": a string that is not valid UTF-8"
                                                             : ": a syntax error");
    return false;
  }

 private:
  bool Number(double value, bool integer) {
    Value v;
    v.type = integer ? Value::Type::Integer : Value::Type::Float;
    v.number = value;
    return Add(std::move(v));
  }

  // Slot() is where the next value goes: the root, the next array item, or the last key's value.
  Value* Slot() {
    if (open_.empty()) return started_ ? nullptr : &root_;
    Value& container = *open_.back();
    if (container.type == Value::Type::Array) return &container.items.emplace_back();
    return &container.members.back().second;
  }

  bool Add(Value value) {
    Value* slot = Slot();
    started_ = true;
    if (slot != nullptr) *slot = std::move(value);
    return true;
  }

  bool Open(Value::Type type) {
    if (open_.size() >= max_depth_) {
      error_ = "nests objects and arrays deeper than " + json_out::Decimal(static_cast<int64_t>(max_depth_)) + " levels";
      return false;
    }
    Value* slot = Slot();
    started_ = true;
    if (slot == nullptr) {  // a second document after the first: the parser never sends one
      error_ = "holds more than one JSON value";
      return false;
    }
    slot->type = type;
    open_.push_back(slot);
    return true;
  }

  bool Close() {
    open_.pop_back();
    return true;
  }

  Value& root_;
  std::string& error_;
  unsigned max_depth_;
  bool started_ = false;
  std::vector<Value*> open_;
};

}  // namespace

bool Parse(std::string_view text, Value& out, std::string& error, unsigned max_depth) {
  out = Value();
  error.clear();
  TreeBuilder builder(out, error, max_depth);
  std::string scratch;
  const bool parsed = json_scan::Scan(text, builder, scratch);
  if (!parsed && error.empty()) error = "not valid JSON";
  return parsed && error.empty();
}

}  // namespace phonehome::json_tree
