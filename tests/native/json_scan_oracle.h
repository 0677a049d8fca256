// json_scan_oracle.h: runs a byte string through json_scan::Scan() and through its oracle,
// nlohmann::json::sax_parse, with the same recording handler decisions, and compares the two
// traces. Shared by tests/native/unit-json-scan.cpp and tests/fuzz/fuzz_json_scan.cpp.
#ifndef PHONEHOME_TESTS_JSON_SCAN_ORACLE_H
#define PHONEHOME_TESTS_JSON_SCAN_ORACLE_H

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "json_scan.h"

namespace phonehome::testing {

// What the handlers decide: stop (return false) at the stop_after-th event (0: never), and what
// parse_error() returns (true makes both parsers read one more token: sax_parse's strict check).
struct ScanPolicy {
  size_t stop_after = 0;
  bool continue_after_error = false;
};

// One handler call, values in a form that compares exactly (doubles by their bits).
struct ScanEvent {
  enum class Kind : uint8_t {
    null, boolean, integer, unsigned_integer, floating, string, key,
    start_object, end_object, start_array, end_array, parse_error,
  };
  Kind kind;
  uint64_t value = 0;  // boolean, integer bits, unsigned, double bits, error position
  std::string text;    // string and key; the error class for parse_error
  bool operator==(const ScanEvent& other) const {
    return kind == other.kind && value == other.value && text == other.text;
  }
  bool operator!=(const ScanEvent& other) const { return !(*this == other); }
};

struct ScanTrace {
  std::vector<ScanEvent> events;
  bool result = false;
};

inline const char* ScanErrorName(json_scan::ScanError error) {
  switch (error) {
    case json_scan::ScanError::syntax:
      return "syntax";
    case json_scan::ScanError::number_overflow:
      return "number_overflow";
    case json_scan::ScanError::invalid_utf8:
      return "invalid_utf8";
  }
  return "?";
}

// ClassifyNlohmannError(): how the core names nlohmann's exception (ingest.cpp, OnParseError).
inline json_scan::ScanError ClassifyNlohmannError(const nlohmann::detail::exception& error) {
  std::string_view what(error.what());
  what = what.substr(0, what.find("; last read:"));
  if (error.id == 406) return json_scan::ScanError::number_overflow;
  if (what.find("UTF-8") != std::string_view::npos || what.find("surrogate") != std::string_view::npos) {
    return json_scan::ScanError::invalid_utf8;
  }
  return json_scan::ScanError::syntax;
}

class ScanRecorderBase {
 public:
  explicit ScanRecorderBase(ScanPolicy policy) : policy_(policy) {}
  ScanTrace trace;

 protected:
  bool Record(ScanEvent::Kind kind, uint64_t value = 0, std::string text = {}) {
    trace.events.push_back({kind, value, std::move(text)});
    ++count_;
    return policy_.stop_after == 0 || count_ < policy_.stop_after;
  }
  bool RecordError(size_t position, json_scan::ScanError error) {
    trace.events.push_back({ScanEvent::Kind::parse_error, position, ScanErrorName(error)});
    return policy_.continue_after_error;
  }
  static uint64_t Bits(double value) {
    uint64_t bits;
    std::memcpy(&bits, &value, sizeof bits);
    return bits;
  }

 private:
  ScanPolicy policy_;
  size_t count_ = 0;
};

// The oracle's handler, in nlohmann's SAX interface.
class NlohmannRecorder : public ScanRecorderBase {
 public:
  using json = nlohmann::json;
  using ScanRecorderBase::ScanRecorderBase;
  bool null() { return Record(ScanEvent::Kind::null); }
  bool boolean(bool value) { return Record(ScanEvent::Kind::boolean, value ? 1 : 0); }
  bool number_integer(json::number_integer_t value) {
    return Record(ScanEvent::Kind::integer, static_cast<uint64_t>(value));
  }
  bool number_unsigned(json::number_unsigned_t value) { return Record(ScanEvent::Kind::unsigned_integer, value); }
  bool number_float(json::number_float_t value, const json::string_t& /*text*/) {
    return Record(ScanEvent::Kind::floating, Bits(value));
  }
  bool string(json::string_t& value) { return Record(ScanEvent::Kind::string, 0, value); }
  bool binary(json::binary_t& /*value*/) { return Record(ScanEvent::Kind::null, 0xB1); }
  bool start_object(std::size_t /*elements*/) { return Record(ScanEvent::Kind::start_object); }
  bool key(json::string_t& name) { return Record(ScanEvent::Kind::key, 0, name); }
  bool end_object() { return Record(ScanEvent::Kind::end_object); }
  bool start_array(std::size_t /*elements*/) { return Record(ScanEvent::Kind::start_array); }
  bool end_array() { return Record(ScanEvent::Kind::end_array); }
  bool parse_error(std::size_t position, const std::string& /*last_token*/, const nlohmann::detail::exception& error) {
    return RecordError(position, ClassifyNlohmannError(error));
  }
};

// The scanner's handler.
class JsonScanRecorder : public ScanRecorderBase {
 public:
  using ScanRecorderBase::ScanRecorderBase;
  bool null() { return Record(ScanEvent::Kind::null); }
  bool boolean(bool value) { return Record(ScanEvent::Kind::boolean, value ? 1 : 0); }
  bool number_integer(int64_t value) { return Record(ScanEvent::Kind::integer, static_cast<uint64_t>(value)); }
  bool number_unsigned(uint64_t value) { return Record(ScanEvent::Kind::unsigned_integer, value); }
  bool number_float(double value) { return Record(ScanEvent::Kind::floating, Bits(value)); }
  bool string(std::string_view value) { return Record(ScanEvent::Kind::string, 0, std::string(value)); }
  bool key(std::string_view name) { return Record(ScanEvent::Kind::key, 0, std::string(name)); }
  bool start_object() { return Record(ScanEvent::Kind::start_object); }
  bool end_object() { return Record(ScanEvent::Kind::end_object); }
  bool start_array() { return Record(ScanEvent::Kind::start_array); }
  bool end_array() { return Record(ScanEvent::Kind::end_array); }
  bool parse_error(std::size_t position, json_scan::ScanError error) { return RecordError(position, error); }
};

// The caller passes `input` in a buffer of exactly its size, so sanitizers see any over-read.
inline ScanTrace RunOracle(std::string_view input, ScanPolicy policy = {}) {
  NlohmannRecorder recorder(policy);
  recorder.trace.result = nlohmann::json::sax_parse(input.data(), input.data() + input.size(), &recorder);
  return std::move(recorder.trace);
}

inline ScanTrace RunScanner(std::string_view input, ScanPolicy policy, std::string& scratch) {
  JsonScanRecorder recorder(policy);
  recorder.trace.result = json_scan::Scan(input, recorder, scratch);
  return std::move(recorder.trace);
}

inline std::string Describe(const ScanEvent& event) {
  static const char* const kNames[] = {"null", "boolean", "integer", "unsigned", "float", "string",
                                       "key", "start_object", "end_object", "start_array", "end_array",
                                       "parse_error"};
  std::string out = kNames[static_cast<int>(event.kind)];
  char number[40];
  std::snprintf(number, sizeof number, "(%llu", static_cast<unsigned long long>(event.value));
  out += number;
  if (!event.text.empty()) {
    out += ", \"";
    for (const char c : event.text) {
      const auto byte = static_cast<unsigned char>(c);
      if (byte < 0x20 || byte >= 0x7F || c == '"' || c == '\\') {
        std::snprintf(number, sizeof number, "\\x%02x", byte);
        out += number;
      } else {
        out.push_back(c);
      }
    }
    out += '"';
  }
  out += ')';
  return out;
}

// FirstDifference(): empty if the traces agree, else where they part.
inline std::string FirstDifference(const ScanTrace& oracle, const ScanTrace& scanner) {
  const size_t common = oracle.events.size() < scanner.events.size() ? oracle.events.size() : scanner.events.size();
  for (size_t i = 0; i < common; ++i) {
    if (oracle.events[i] != scanner.events[i]) {
      return "event " + std::to_string(i) + ": nlohmann " + Describe(oracle.events[i]) + ", scanner " +
             Describe(scanner.events[i]);
    }
  }
  if (oracle.events.size() != scanner.events.size()) {
    const bool oracle_longer = oracle.events.size() > scanner.events.size();
    const ScanEvent& extra = oracle_longer ? oracle.events[common] : scanner.events[common];
    return "event " + std::to_string(common) + ": only " + (oracle_longer ? "nlohmann" : "the scanner") + " has " +
           Describe(extra);
  }
  if (oracle.result != scanner.result) {
    return std::string("result: nlohmann ") + (oracle.result ? "true" : "false") + ", scanner " +
           (scanner.result ? "true" : "false");
  }
  return {};
}

}  // namespace phonehome::testing

#endif  // PHONEHOME_TESTS_JSON_SCAN_ORACLE_H
