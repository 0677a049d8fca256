// envelope.cpp: the sent_at scan of a batch envelope.
#include "envelope.h"

#include <cstring>

namespace phonehome::envelope {
namespace {

// SkipString() moves `at` past the string that opens at body[at] (a quote); false when it never
// closes.
bool SkipString(std::string_view body, size_t& at, bool& escaped) {
  escaped = false;
  for (++at; at < body.size(); ++at) {
    if (body[at] == '\\') {
      escaped = true;
      ++at;
    } else if (body[at] == '"') {
      ++at;
      return true;
    }
  }
  return false;
}

void SkipSpace(std::string_view body, size_t& at) {
  while (at < body.size() && (body[at] == ' ' || body[at] == '\t' || body[at] == '\n' || body[at] == '\r')) ++at;
}

}  // namespace

bool FindSentAt(std::string_view body, std::string_view& value) {
  value = {};
  // Nearly every envelope without the key is settled by one memmem-like search.
  if (body.find("\"sent_at\"") == std::string_view::npos) return false;
  int depth = 0;
  bool expecting_key = false;  // inside the top-level object, where a key may start
  size_t at = 0;
  while (at < body.size()) {
    const char c = body[at];
    if (c == '"') {
      const size_t start = at;
      bool escaped = false;
      if (!SkipString(body, at, escaped)) return false;
      if (depth != 1 || !expecting_key) continue;
      const std::string_view key = body.substr(start + 1, at - start - 2);
      SkipSpace(body, at);
      if (at >= body.size() || body[at] != ':') return false;
      ++at;
      expecting_key = false;
      if (key != "sent_at" || escaped) continue;
      SkipSpace(body, at);
      if (at < body.size() && body[at] == '"') {
        const size_t value_start = at;
        if (!SkipString(body, at, escaped)) return false;
        if (!escaped) value = body.substr(value_start + 1, at - value_start - 2);
        return true;
      }
      const size_t value_start = at;
      while (at < body.size() && body[at] != '\0' && std::strchr("0123456789+-.eE", body[at]) != nullptr) ++at;
      value = body.substr(value_start, at - value_start);
      return true;
    }
    if (c == '{' || c == '[') {
      ++depth;
      expecting_key = depth == 1 && c == '{';
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == ',' && depth == 1) {
      expecting_key = true;
    }
    ++at;
  }
  return false;
}

}  // namespace phonehome::envelope
