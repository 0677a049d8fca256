// json_tree.cpp: Parse() through nlohmann's SAX interface (see json_tree.h for why not its DOM).
#include "json_tree.h"

#include <nlohmann/json.hpp>

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
  using json = nlohmann::json;
  TreeBuilder(Value& root, std::string& error, unsigned max_depth) : root_(root), error_(error), max_depth_(max_depth) {}

  bool null() { return Add(Value()); }
  bool boolean(bool value) {
    Value v;
    v.type = Value::Type::Bool;
    v.boolean = value;
    return Add(std::move(v));
  }
  bool number_integer(json::number_integer_t value) { return Number(static_cast<double>(value), true); }
  bool number_unsigned(json::number_unsigned_t value) { return Number(static_cast<double>(value), true); }
  bool number_float(json::number_float_t value, const json::string_t& /*text*/) { return Number(value, false); }
  bool string(json::string_t& value) {
    Value v;
    v.type = Value::Type::String;
    v.text = std::move(value);
    return Add(std::move(v));
  }
  bool binary(json::binary_t& /*value*/) { return Add(Value()); }
  bool start_object(std::size_t /*elements*/) { return Open(Value::Type::Object); }
  bool key(json::string_t& name) {
    Value& object = *open_.back();
    for (const auto& member : object.members) {
      if (member.first == name) {
        error_ = "the key \"" + name + "\" appears twice in one object";
        return false;
      }
    }
    object.members.emplace_back(std::move(name), Value());
    return true;
  }
  bool end_object() { return Close(); }
  bool start_array(std::size_t /*elements*/) { return Open(Value::Type::Array); }
  bool end_array() { return Close(); }
  bool parse_error(std::size_t position, const std::string& /*last_token*/, const nlohmann::detail::exception& e) {
    error_ = "not valid JSON at byte " + std::to_string(position) + ": " + e.what();
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
      error_ = "nests objects and arrays deeper than " + std::to_string(max_depth_) + " levels";
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
  const bool parsed = nlohmann::json::sax_parse(text.data(), text.data() + text.size(), &builder);
  if (!parsed && error.empty()) error = "not valid JSON";
  return parsed && error.empty();
}

}  // namespace phonehome::json_tree
