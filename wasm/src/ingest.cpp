// ingest.cpp: the request path. One SAX pass over the body validates and normalizes each event
// against the catalogue and writes its verdict and row straight into reused buffers: no DOM, no
// per-event allocation once the buffers are warm.
#include <cmath>
#include <cstring>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalogue.h"
#include "event_id.h"
#include "json_out.h"
#include "normalize.h"
#include "phonehome/core.h"

namespace phonehome {
namespace {

using catalogue::Column;
using catalogue::EventSpec;
using catalogue::FieldSpec;
using catalogue::Kind;
using json_out::AppendInt;
using json_out::AppendNumber;
using json_out::AppendString;

constexpr size_t kMaxDepth = 32;
constexpr uint32_t kMaxEvents = 1000;
constexpr size_t kMaxRowBytes = 32 * 1024;
constexpr uint32_t kMaxDroppedNames = 16;
constexpr size_t kMaxDroppedNameBytes = 64;
// Buffers that one large request grew past this are released afterwards, so a single 1 MiB batch
// does not pin its memory in the isolate for good.
constexpr size_t kKeepCapacity = 1 << 20;
constexpr size_t kColumnCount = static_cast<size_t>(Column::OccurredAt) + 1;

enum class Frame : uint8_t { Batch, Event, Skip };

// A JSON scalar as the SAX parser reports it.
struct JsonScalar {
  enum class Type : uint8_t { Null, Bool, Integer, Unsigned, Float, String };
  Type type = Type::Null;
  bool boolean = false;
  int64_t integer = 0;
  uint64_t unsigned_integer = 0;
  double floating = 0;
  std::string_view text;

  bool is_number() const { return type == Type::Integer || type == Type::Unsigned || type == Type::Float; }
  double as_double() const {
    switch (type) {
      case Type::Integer: return static_cast<double>(integer);
      case Type::Unsigned: return static_cast<double>(unsigned_integer);
      default: return floating;
    }
  }
};

// What a kind expects, for "wrong_type" messages.
std::string_view KindDescription(Kind kind) {
  switch (kind) {
    case Kind::String: return "a string";
    case Kind::Enum: return "a string";
    case Kind::Bool: return "true or false";
    case Kind::Integer: return "a whole number";
    case Kind::Number: return "a number";
    case Kind::Uuid: return "a UUID string";
    case Kind::Version: return "a version string";
    case Kind::Timestamp: return "epoch seconds, epoch milliseconds or an RFC 3339 string";
  }
  return "a value";
}

void ReleaseIfLarge(std::string& buffer) {
  if (buffer.capacity() > kKeepCapacity) std::string().swap(buffer);
}

// IdSet remembers the event ids of one request, so the second copy of an event inside the same
// request is answered "duplicate" without a round trip to the database.
class IdSet {
 public:
  // Insert() is false when the id was already present.
  bool Insert(uint64_t high, uint64_t low) {
    if (table_.empty()) table_.resize(kSlots);
    size_t at = static_cast<size_t>(low) & (kSlots - 1);
    while (table_[at].used) {
      if (table_[at].high == high && table_[at].low == low) return false;
      at = (at + 1) & (kSlots - 1);
    }
    table_[at] = {high, low, true};
    used_.push_back(at);
    return true;
  }
  void Clear() {
    for (size_t at : used_) table_[at].used = false;
    used_.clear();
  }

 private:
  // Twice the event limit keeps the table at most half full.
  static constexpr size_t kSlots = 2048;
  static_assert(kSlots >= 2 * kMaxEvents && (kSlots & (kSlots - 1)) == 0);
  struct Entry {
    uint64_t high = 0;
    uint64_t low = 0;
    bool used = false;
  };
  std::vector<Entry> table_;
  std::vector<size_t> used_;
};

}  // namespace

struct Ingestor::State {
  // The request being processed.
  IngestRequest request;
  const catalogue::ProductSpec* product = nullptr;
  const EventSpec* spec = nullptr;
  int column_field[kColumnCount];  // field index feeding each column, -1 for none

  // Parser position.
  std::vector<Frame> frames;
  const FieldSpec* pending = nullptr;  // the known field whose value comes next
  int pending_index = -1;
  Status stop = Status::ok;  // set when the whole request must be refused
  std::string stop_message;

  // The event being read.
  uint32_t event_count = 0;
  std::vector<std::string> slots;  // each field's normalized value as JSON text
  std::vector<uint8_t> present;
  Status event_error = Status::ok;
  std::string error_path;
  std::string error_message;
  std::string dropped;  // JSON array body of dropped field names
  uint32_t dropped_count = 0;
  std::string unknown_values;  // JSON array body of enum fields kept as "other"
  int64_t occurred_at_ms = 0;
  bool has_occurred_at = false;
  std::string scratch;

  // Output.
  std::string rows;
  uint32_t row_count = 0;
  uint32_t duplicate_count = 0;
  std::string results;  // the verdicts, comma separated
  std::vector<uint32_t> accepted_offsets;
  std::string response;
  IdSet seen_ids;

  void Reset(const IngestRequest& req) {
    request = req;
    product = nullptr;
    spec = nullptr;
    frames.clear();
    pending = nullptr;
    pending_index = -1;
    stop = Status::ok;
    stop_message.clear();
    event_count = 0;
    for (std::string* buffer : {&rows, &results, &response, &scratch}) ReleaseIfLarge(*buffer);
    rows.clear();
    row_count = 0;
    duplicate_count = 0;
    results.clear();
    accepted_offsets.clear();
    response.clear();
    seen_ids.Clear();
  }

  void Stop(Status status, std::string_view message) {
    if (stop != Status::ok) return;
    stop = status;
    stop_message.assign(message);
  }

  // ---- events -------------------------------------------------------------------------------

  void BeginEvent() {
    ++event_count;
    if (event_count > kMaxEvents) {
      Stop(Status::too_many_events, "a request may carry at most 1000 events");
      return;
    }
    for (uint16_t i = 0; i < spec->field_count; ++i) {
      slots[i].clear();
      present[i] = 0;
    }
    event_error = Status::ok;
    error_path.clear();
    error_message.clear();
    dropped.clear();
    dropped_count = 0;
    unknown_values.clear();
    has_occurred_at = false;
    pending = nullptr;
  }

  bool EventFailed() const { return event_error != Status::ok; }

  // Reject() records the first reason the current event cannot be stored.
  void Reject(Status code, std::string_view path, std::string_view message) {
    if (EventFailed()) return;
    event_error = code;
    error_path.assign(path);
    error_message.assign(path);
    if (!path.empty()) error_message.push_back(' ');
    error_message.append(message);
  }

  void Drop(std::string_view name) {
    if (dropped_count++ >= kMaxDroppedNames) return;
    if (!dropped.empty()) dropped.push_back(',');
    AppendString(dropped, name.substr(0, normalize::Utf8Boundary(name, kMaxDroppedNameBytes)));
  }

  void OnKey(std::string_view key) {
    pending = nullptr;
    pending_index = -1;
    if (EventFailed()) return;
    for (uint16_t i = 0; i < spec->field_count; ++i) {
      const FieldSpec& field = spec->fields[i];
      for (uint8_t n = 0; n < field.input_name_count; ++n) {
        if (field.input_names[n] != key) continue;
        if (present[i]) {
          Reject(Status::duplicate_key, field.name, "appears more than once");
          return;
        }
        pending = &field;
        pending_index = i;
        return;
      }
    }
    Drop(key);
  }

  // OnFieldValue() normalizes a scalar into the pending field's slot.
  void OnFieldValue(const JsonScalar& value) {
    const FieldSpec* field = pending;
    const int index = pending_index;
    pending = nullptr;
    if (field == nullptr || EventFailed()) return;
    if (value.type == JsonScalar::Type::Null) return;  // null is the same as absent

    std::string& out = slots[index];
    out.clear();
    const bool is_text = value.type == JsonScalar::Type::String;
    auto wrong_type = [&] {
      scratch.assign("must be ");
      scratch.append(KindDescription(field->kind));
      Reject(Status::wrong_type, field->name, scratch);
    };

    if (is_text && field->kind != Kind::Bool && field->kind != Kind::Integer && field->kind != Kind::Number) {
      scratch.clear();
      normalize::CleanText(value.text, scratch);
      // An empty string says nothing: it is stored as absent, like null.
      if (scratch.empty()) return;
    }

    switch (field->kind) {
      case Kind::String:
        if (!is_text) return wrong_type();
        if (scratch.size() > field->max_length) {
          std::string message = "is longer than ";
          AppendInt(message, field->max_length);
          message.append(" bytes");
          return Reject(Status::too_long, field->name, message);
        }
        AppendString(out, scratch);
        break;
      case Kind::Enum: {
        if (!is_text) return wrong_type();
        const int found = normalize::EnumIndex(*field->enumeration, scratch);
        if (found >= 0) {
          AppendString(out, field->enumeration->values[found]);
        } else if (field->enumeration->unknown == catalogue::UnknownValue::KeepAsOther) {
          AppendString(out, "other");
          if (!unknown_values.empty()) unknown_values.push_back(',');
          AppendString(unknown_values, field->name);
        } else {
          std::string message = "must be one of:";
          for (uint16_t i = 0; i < field->enumeration->value_count; ++i) {
            message.append(i == 0 ? " " : ", ");
            message.append(field->enumeration->values[i]);
          }
          return Reject(Status::invalid_enum, field->name, message);
        }
        break;
      }
      case Kind::Bool:
        if (value.type != JsonScalar::Type::Bool) return wrong_type();
        out.append(value.boolean ? "true" : "false");
        break;
      case Kind::Integer:
      case Kind::Number: {
        if (!value.is_number()) return wrong_type();
        const double number = value.as_double();
        if (field->kind == Kind::Integer && number != std::floor(number)) return wrong_type();
        if (number < field->min || number > field->max) {
          std::string message = "must be between ";
          AppendNumber(message, field->min);
          message.append(" and ");
          AppendNumber(message, field->max);
          return Reject(Status::out_of_range, field->name, message);
        }
        if (value.type == JsonScalar::Type::Integer) {
          AppendInt(out, value.integer);
        } else if (value.type == JsonScalar::Type::Unsigned) {
          json_out::AppendUint(out, value.unsigned_integer);
        } else {
          AppendNumber(out, number);
        }
        break;
      }
      case Kind::Uuid: {
        if (!is_text) return wrong_type();
        std::string normalized;
        if (normalize::Uuid(scratch, normalized) != Status::ok) {
          return Reject(Status::invalid_uuid, field->name, "is not a UUID (8-4-4-4-12 hex digits)");
        }
        AppendString(out, normalized);
        break;
      }
      case Kind::Version: {
        if (!is_text) return wrong_type();
        std::string normalized;
        if (normalize::Version(scratch, normalized) != Status::ok) {
          return Reject(Status::invalid_version, field->name, "is not a version like 1.4.2");
        }
        AppendString(out, normalized);
        break;
      }
      case Kind::Timestamp: {
        int64_t ms = 0;
        Status status;
        if (is_text) {
          status = normalize::TimestampFromText(scratch, ms);
        } else if (value.is_number()) {
          status = normalize::TimestampFromNumber(value.as_double(), ms);
        } else {
          return wrong_type();
        }
        if (status == Status::out_of_range) {
          return Reject(status, field->name, "must be between 2000-01-01 and 2100-01-01");
        }
        if (status != Status::ok) {
          return Reject(status, field->name, "is not epoch seconds, epoch milliseconds or RFC 3339");
        }
        AppendInt(out, ms);
        if (field->column == Column::OccurredAt) {
          occurred_at_ms = ms;
          has_occurred_at = true;
        }
        break;
      }
    }
    present[index] = 1;
  }

  void FinishEvent() {
    if (stop != Status::ok) return;
    if (!EventFailed()) {
      for (uint16_t i = 0; i < spec->field_count; ++i) {
        if (spec->fields[i].required && !present[i]) {
          Reject(Status::missing_field, spec->fields[i].name, "is required");
          break;
        }
      }
    }
    if (EventFailed()) return WriteRejected(event_error, error_path, error_message);

    EventIdHasher id;
    id.Add(product->name);
    id.Add(spec->name);
    const int64_t occurred_at = has_occurred_at ? occurred_at_ms : static_cast<int64_t>(request.received_at_ms);
    if (spec->dedup_field_count == 0) {
      // No declared key: every event is its own, and only this request can repeat it.
      id.AddUint(request.nonce);
      id.AddUint(static_cast<uint64_t>(request.received_at_ms));
      id.AddUint(event_count);
    }
    for (uint8_t i = 0; i < spec->dedup_field_count; ++i) id.Add(slots[spec->dedup_fields[i]]);
    if (spec->dedup_per_day) {
      id.AddUint(static_cast<uint64_t>(occurred_at / normalize::kDayMs));
    }
    if (!seen_ids.Insert(id.high(), id.low())) {
      ++duplicate_count;
      BeginVerdict();
      results.append(kDuplicateToken);
      EndVerdict();
      return;
    }

    const size_t row_start = rows.size();
    rows.push_back(row_count == 0 ? '[' : ',');
    rows.append("{\"event_id\":\"");
    id.AppendHex(rows);
    rows.append("\",\"product\":");
    AppendString(rows, product->name);
    rows.append(",\"event\":");
    AppendString(rows, spec->name);
    static constexpr std::pair<Column, std::string_view> kColumnNames[] = {
        {Column::InstallId, "install_id"}, {Column::SessionId, "session_id"},
        {Column::Version, "version"},      {Column::Os, "os"},
        {Column::Arch, "arch"},            {Column::Runtime, "runtime"},
        {Column::RuntimeVersion, "runtime_version"},
    };
    for (const auto& [column, name] : kColumnNames) {
      rows.append(",\"");
      rows.append(name);
      rows.append("\":");
      AppendColumn(column);
    }
    rows.append(",\"occurred_at\":");
    AppendInt(rows, occurred_at);
    rows.append(",\"received_at\":");
    AppendInt(rows, static_cast<int64_t>(request.received_at_ms));
    rows.append(has_occurred_at ? ",\"time_source\":\"client\"" : ",\"time_source\":\"server\"");
    rows.append(",\"properties\":{");
    bool first = true;
    for (uint16_t i = 0; i < spec->field_count; ++i) {
      const FieldSpec& field = spec->fields[i];
      if (field.column != Column::Properties || !present[i]) continue;
      if (!first) rows.push_back(',');
      first = false;
      AppendString(rows, field.name);
      rows.push_back(':');
      rows.append(slots[i]);
    }
    rows.append("}}");
    if (rows.size() - row_start > kMaxRowBytes) {
      rows.resize(row_start);
      return WriteRejected(Status::event_too_large, "", "the event is larger than 32768 bytes once normalized");
    }
    ++row_count;
    BeginVerdict();
    accepted_offsets.push_back(static_cast<uint32_t>(results.size()));
    results.append(kAcceptedToken);
    EndVerdict();
  }

  // AppendColumn() writes a column's value: the field feeding it, a fixed value, or null.
  void AppendColumn(Column column) {
    const int field = column_field[static_cast<size_t>(column)];
    if (field >= 0 && present[field]) {
      rows.append(slots[field]);
      return;
    }
    for (uint8_t i = 0; i < spec->fixed_column_count; ++i) {
      if (spec->fixed_columns[i].column == column) {
        AppendString(rows, spec->fixed_columns[i].value);
        return;
      }
    }
    rows.append("null");
  }

  // BeginVerdict() opens the current event's verdict up to its status value.
  void BeginVerdict() {
    if (!results.empty()) results.push_back(',');
    results.append("{\"index\":");
    AppendInt(results, event_count - 1);
    results.append(",\"status\":");
  }

  void EndVerdict() {
    if (dropped_count > 0) {
      results.append(",\"dropped\":[");
      results.append(dropped);
      results.push_back(']');
    }
    if (!unknown_values.empty()) {
      results.append(",\"unknown_values\":[");
      results.append(unknown_values);
      results.push_back(']');
    }
    results.push_back('}');
  }

  void WriteRejected(Status code, std::string_view path, std::string_view message) {
    BeginVerdict();
    results.append("\"rejected\",\"code\":");
    AppendString(results, StatusName(code));
    if (!path.empty()) {
      results.append(",\"path\":");
      AppendString(results, path);
    }
    results.append(",\"message\":");
    AppendString(results, message);
    EndVerdict();
  }

  // ---- the parse ----------------------------------------------------------------------------

  bool OnScalar(const JsonScalar& value) {
    if (frames.empty()) {
      Stop(Status::wrong_body_type, "the body must be a JSON object or an array of objects");
      return false;
    }
    switch (frames.back()) {
      case Frame::Event:
        OnFieldValue(value);
        return true;
      case Frame::Batch:
        BeginEvent();
        if (stop != Status::ok) return false;
        WriteRejected(Status::not_an_object, "", "is not a JSON object");
        return true;
      case Frame::Skip:
        return true;
    }
    return true;
  }

  bool OnStartContainer(bool is_object) {
    if (frames.size() >= kMaxDepth) {
      Stop(Status::too_deep, "the body nests objects and arrays more than 32 deep");
      return false;
    }
    if (frames.empty()) {
      frames.push_back(is_object ? Frame::Event : Frame::Batch);
      if (is_object) BeginEvent();
      return true;
    }
    switch (frames.back()) {
      case Frame::Batch:
        BeginEvent();
        if (stop != Status::ok) return false;
        if (is_object) {
          frames.push_back(Frame::Event);
        } else {
          WriteRejected(Status::not_an_object, "", "is not a JSON object");
          frames.push_back(Frame::Skip);
        }
        return true;
      case Frame::Event:
        if (pending != nullptr && !EventFailed()) {
          scratch.assign("must be ");
          scratch.append(KindDescription(pending->kind));
          Reject(Status::wrong_type, pending->name, scratch);
        }
        pending = nullptr;
        frames.push_back(Frame::Skip);
        return true;
      case Frame::Skip:
        frames.push_back(Frame::Skip);
        return true;
    }
    return true;
  }

  bool OnEndContainer() {
    const Frame closed = frames.back();
    frames.pop_back();
    if (closed == Frame::Event) FinishEvent();
    if (closed == Frame::Batch && event_count == 0) {
      Stop(Status::empty_batch, "the body is an empty array: send at least one event");
      return false;
    }
    return stop == Status::ok;
  }

  void OnParseError(std::size_t position, const nlohmann::detail::exception& error) {
    const char* what = error.what();
    Status status = Status::malformed_json;
    std::string message = "the body is not valid JSON";
    if (error.id == 406) {
      status = Status::number_overflow;
      message = "the body holds a number too large to represent";
    } else if (std::strstr(what, "UTF-8") != nullptr || std::strstr(what, "surrogate") != nullptr) {
      status = Status::invalid_utf8;
      message = "the body holds a string that is not valid UTF-8";
    }
    message.append(" (at byte ");
    AppendInt(message, static_cast<int64_t>(position));
    message.push_back(')');
    Stop(status, message);
  }

  // ---- the whole request ----------------------------------------------------------------------

  void PrepareSpec() {
    for (int& field : column_field) field = -1;
    const uint16_t count = spec->field_count;
    if (slots.size() < count) slots.resize(count);
    if (present.size() < count) present.resize(count);
    for (uint16_t i = 0; i < count; ++i) {
      column_field[static_cast<size_t>(spec->fields[i].column)] = i;
    }
    column_field[static_cast<size_t>(Column::Properties)] = -1;
  }

  void WriteError(Status status, std::string_view message) {
    response.assign("{\"error\":{\"code\":");
    AppendString(response, StatusName(status));
    response.append(",\"message\":");
    AppendString(response, message);
    response.append("}}");
  }

  IngestResult Finish() {
    IngestResult result;
    result.event_count = event_count;
    if (stop != Status::ok) {
      WriteError(stop, stop_message);
      result.outcome = stop;
      result.response_json = response;
      return result;
    }
    const bool stored_any = row_count > 0 || duplicate_count > 0;
    result.outcome = stored_any ? Status::ok : Status::all_rejected;
    if (stored_any) {
      response.assign("{\"results\":[");
    } else {
      response.assign(
          "{\"error\":{\"code\":\"all_rejected\",\"message\":\"every event of the request was rejected\"},"
          "\"results\":[");
    }
    const auto prefix = static_cast<uint32_t>(response.size());
    response.append(results);
    response.append("]}");
    for (uint32_t& offset : accepted_offsets) offset += prefix;
    if (row_count > 0) rows.push_back(']');
    result.rows_json = rows;
    result.row_count = row_count;
    result.response_json = response;
    result.accepted_offsets = accepted_offsets.data();
    return result;
  }
};

namespace {

// SaxHandler adapts nlohmann's SAX callbacks to the ingest state. Returning false stops the parse.
class SaxHandler {
 public:
  using json = nlohmann::json;
  explicit SaxHandler(Ingestor::State& state) : state_(state) {}

  bool null() { return Emit(JsonScalar()); }
  bool boolean(bool value) {
    JsonScalar v;
    v.type = JsonScalar::Type::Bool;
    v.boolean = value;
    return Emit(v);
  }
  bool number_integer(json::number_integer_t value) {
    JsonScalar v;
    v.type = JsonScalar::Type::Integer;
    v.integer = value;
    return Emit(v);
  }
  bool number_unsigned(json::number_unsigned_t value) {
    JsonScalar v;
    v.type = JsonScalar::Type::Unsigned;
    v.unsigned_integer = value;
    return Emit(v);
  }
  bool number_float(json::number_float_t value, const json::string_t& /*text*/) {
    JsonScalar v;
    v.type = JsonScalar::Type::Float;
    v.floating = value;
    return Emit(v);
  }
  bool string(json::string_t& value) {
    JsonScalar v;
    v.type = JsonScalar::Type::String;
    v.text = value;
    return Emit(v);
  }
  bool binary(json::binary_t& /*value*/) { return Emit(JsonScalar()); }
  bool start_object(std::size_t /*elements*/) { return state_.OnStartContainer(true); }
  bool key(json::string_t& name) {
    if (state_.frames.back() == Frame::Event) state_.OnKey(name);
    return true;
  }
  bool end_object() { return state_.OnEndContainer(); }
  bool start_array(std::size_t /*elements*/) { return state_.OnStartContainer(false); }
  bool end_array() { return state_.OnEndContainer(); }
  bool parse_error(std::size_t position, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& error) {
    state_.OnParseError(position, error);
    return false;
  }

 private:
  bool Emit(const JsonScalar& value) { return state_.OnScalar(value); }
  Ingestor::State& state_;
};

}  // namespace

Ingestor::Ingestor() : state_(new State()) { state_->frames.reserve(kMaxDepth + 1); }

Ingestor::~Ingestor() { delete state_; }

IngestResult Ingestor::Ingest(const IngestRequest& request) {
  State& s = *state_;
  s.Reset(request);
  const catalogue::Catalogue& cat = catalogue::Builtin();
  s.product = catalogue::FindProduct(cat, request.product);
  if (s.product == nullptr) {
    s.Stop(Status::unknown_product, "no product of that name is declared in the catalogue");
    return s.Finish();
  }
  s.spec = catalogue::FindEvent(*s.product, request.event);
  if (s.spec == nullptr) {
    s.Stop(Status::unknown_event, "the product declares no event of that name");
    return s.Finish();
  }
  s.PrepareSpec();
  SaxHandler handler(s);
  const char* begin = request.body.data();
  nlohmann::json::sax_parse(begin, begin + request.body.size(), &handler);
  return s.Finish();
}

}  // namespace phonehome
