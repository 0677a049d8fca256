// json_tree.h: a small JSON tree for documents read once, such as the compiled catalogue.
//
// Built through the scanner the core already carries for requests (json_scan.h): nlohmann's DOM
// (basic_json with std::map) would add tens of kilobytes to the module for one document read per
// isolate. Objects keep their members in document order; a key given twice is reported, not
// silently overwritten, and nesting is capped.
#ifndef PHONEHOME_JSON_TREE_H
#define PHONEHOME_JSON_TREE_H

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace phonehome::json_tree {

struct Value {
  enum class Type : uint8_t { Null, Bool, Integer, Float, String, Array, Object };
  Type type = Type::Null;
  bool boolean = false;
  double number = 0;  // Integer and Float
  std::string text;   // String
  std::vector<Value> items;                             // Array
  std::vector<std::pair<std::string, Value>> members;  // Object, in document order

  bool IsNumber() const { return type == Type::Integer || type == Type::Float; }
  // Find() is the member named `key`, or nullptr.
  const Value* Find(std::string_view key) const;
};

// Parse() reads `text` into `out`. On failure it returns false and says why in `error` (invalid
// JSON with its byte offset, nesting deeper than max_depth, a key given twice in one object).
bool Parse(std::string_view text, Value& out, std::string& error, unsigned max_depth = 64);

}  // namespace phonehome::json_tree

#endif  // PHONEHOME_JSON_TREE_H
