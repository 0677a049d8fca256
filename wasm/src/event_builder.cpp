// event_builder.cpp: one event's slots and its stored row (event_builder.h).
#include "event_builder.h"

#include "install_key.h"
#include "json_out.h"
#include "normalize.h"

namespace phonehome {
namespace {

using catalogue::Column;
using catalogue::FieldSpec;
using json_out::AppendInt;
using json_out::AppendString;

// JsonStringValue() is the text of a JSON string the core wrote (quotes stripped, escapes read).
// Stored strings are cleaned of control characters, so only \" and \\ can occur.
std::string_view JsonStringValue(std::string_view json, std::string& buffer) {
  const std::string_view inner = json.substr(1, json.size() - 2);
  if (inner.find('\\') == std::string_view::npos) return inner;
  buffer.clear();
  for (size_t i = 0; i < inner.size(); ++i) buffer.push_back(inner[i] == '\\' && i + 1 < inner.size() ? inner[++i] : inner[i]);
  return buffer;
}

// The columns a field or a fixed value may feed, in the row's order.
constexpr std::pair<Column, std::string_view> kColumnKeys[] = {
    {Column::InstallId, ",\"install_id\":"}, {Column::SessionId, ",\"session_id\":"},
    {Column::Version, ",\"version\":"},      {Column::Os, ",\"os\":"},
    {Column::Arch, ",\"arch\":"},            {Column::Runtime, ",\"runtime\":"},
    {Column::RuntimeVersion, ",\"runtime_version\":"},
};

}  // namespace

bool IdSet::Insert(uint64_t high, uint64_t low) {
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

void IdSet::Clear() {
  for (size_t at : used_) table_[at].used = false;
  used_.clear();
}

void EventBuilder::Size(uint16_t max_field_count) {
  slots_.resize(max_field_count);
  full_slots_.resize(max_field_count);
  present_.resize(max_field_count);
  seen_.resize(max_field_count);
}

void EventBuilder::Start(const catalogue::ProductSpec* product, const catalogue::EventSpec* spec) {
  product_ = product;
  spec_ = spec;
  for (int& field : column_field_) field = -1;
  if (spec_ != nullptr) {
    for (uint16_t i = 0; i < spec_->top_level_count; ++i) {
      column_field_[static_cast<size_t>(spec_->fields[i].column)] = i;
    }
    column_field_[static_cast<size_t>(Column::Properties)] = -1;
  }
  Restart();
}

void EventBuilder::Restart() {
  has_client_time_ = false;
  if (spec_ == nullptr) return;
  for (uint16_t i = 0; i < spec_->field_count; ++i) {
    slots_[i].clear();
    present_[i] = 0;
    seen_[i] = 0;
  }
}

bool EventBuilder::MarkSeen(uint16_t index) {
  if (seen_[index]) return false;
  seen_[index] = 1;
  return true;
}

void EventBuilder::SetUncut(uint16_t index, std::string_view uncut) {
  full_slots_[index].clear();
  AppendString(full_slots_[index], uncut);
}

void EventBuilder::SetClientTime(int64_t ms) {
  client_time_ms_ = ms;
  has_client_time_ = true;
}

const FieldSpec* EventBuilder::MissingRequired(uint16_t first, uint16_t count) const {
  for (uint16_t i = first; i < first + count; ++i) {
    if (spec_->fields[i].required && !present_[i]) return &spec_->fields[i];
  }
  return nullptr;
}

// AppendFields() writes the present fields of [first, first+count) feeding properties as
// "name":value pairs, plus the uncut value of versions that keep it.
void EventBuilder::AppendFields(std::string& out, uint16_t first, uint16_t count, bool top_level) const {
  // Each key is `,"name":`, precomputed: the first pair drops its comma.
  const size_t start = out.size();
  for (uint16_t i = first; i < first + count; ++i) {
    const FieldSpec& field = spec_->fields[i];
    if (!present_[i]) continue;
    if (!top_level || field.column == Column::Properties) {
      out.append(field.json_key.substr(out.size() == start ? 1 : 0));
      out.append(slots_[i]);
    }
    if (!field.full_property.empty()) {
      out.append(field.full_json_key.substr(out.size() == start ? 1 : 0));
      out.append(full_slots_[i]);
    }
  }
}

void EventBuilder::CloseObject(uint16_t index) {
  const FieldSpec& object = spec_->fields[index];
  std::string& out = slots_[index];
  out.assign("{");
  AppendFields(out, object.first_child, object.child_count, false);
  out.push_back('}');
  present_[index] = 1;
}

bool EventBuilder::StoredVersion(std::string_view& version) const {
  const int field = ColumnField(Column::Version);
  if (field < 0 || !present_[field] || slots_[field].size() < 2) return false;
  version = std::string_view(slots_[field]).substr(1, slots_[field].size() - 2);  // versions need no escapes
  return true;
}

// EventTime() decides the stored event time and says where it came from: the client's time
// ("client"), shifted by the client's clock error when it sent X-Sent-At ("client_corrected"),
// or the receive time ("server") when the client gave none or one too far in the future.
int64_t EventBuilder::EventTime(const RequestClock& clock, std::string_view& source) const {
  const auto received = static_cast<int64_t>(clock.received_at_ms);
  source = "server";
  if (!has_client_time_) return received;
  int64_t time = client_time_ms_;
  source = "client";
  if (clock.has_sent_at) {
    time += received - clock.sent_at_ms;
    source = "client_corrected";
  }
  if (time > received + normalize::kMaxFutureMs || time < normalize::kMinTimeMs) {
    source = "server";
    return received;
  }
  return time;
}


// ColumnValue() is a column's value: the field feeding it (JSON already), a fixed value (text, to be
// quoted), or nothing (null).
std::string_view EventBuilder::ColumnValue(Column column, bool& is_json) const {
  is_json = true;
  const int field = ColumnField(column);
  if (field >= 0 && present_[field]) {
    // A bool ci field says only whether the event came from CI, not which.
    if (column == Column::Ci && spec_->fields[field].kind == catalogue::Kind::Bool) {
      return slots_[field] == "true" ? "\"unknown\"" : "\"none\"";
    }
    return slots_[field];
  }
  for (uint8_t i = 0; i < spec_->fixed_column_count; ++i) {
    if (spec_->fixed_columns[i].column == column) {
      is_json = false;
      return spec_->fixed_columns[i].value;
    }
  }
  return "null";
}

// WriteRow() writes the row with json_out::Writer: its size is bounded first (names and fixed
// values escaped at worst 6 bytes a byte), then every piece is copied in without a check.
void EventBuilder::WriteRow(const RequestClock& clock, int64_t occurred_at, std::string_view time_source) {
  const auto quoted = [](std::string_view text) { return 6 * text.size() + 2; };
  size_t bound = 200 + quoted(product_->name) + quoted(spec_->name) + 3 * 20 + spec_->sample_rate_json.size();
  for (const auto& [column, key] : kColumnKeys) {
    bool is_json = false;
    const std::string_view value = ColumnValue(column, is_json);
    bound += key.size() + (is_json ? value.size() : quoted(value));
  }
  bool ci_is_json = false;
  const std::string_view ci = ColumnValue(Column::Ci, ci_is_json);  // never fixed: always JSON
  bound += ci.size();
  for (uint16_t i = 0; i < spec_->top_level_count; ++i) {
    if (!present_[i]) continue;
    bound += spec_->fields[i].json_key.size() + slots_[i].size() + spec_->fields[i].full_json_key.size() + full_slots_[i].size();
  }

  json_out::Writer row(row_, 0, bound);
  row.Put("{\"event_id\":\"");
  id_.WriteHex(row.Raw(32));
  row.Put("\",\"product\":");
  row.PutString(product_->name);
  row.Put(",\"event\":");
  row.PutString(spec_->name);
  for (const auto& [column, key] : kColumnKeys) {
    row.Put(key);
    bool is_json = false;
    const std::string_view value = ColumnValue(column, is_json);
    if (is_json) {
      row.Put(value);
    } else {
      row.PutString(value);
    }
  }
  row.Put(",\"occurred_at\":");
  row.PutInt(occurred_at);
  row.Put(",\"received_at\":");
  row.PutInt(static_cast<int64_t>(clock.received_at_ms));
  row.Put(",\"time_source\":");
  row.PutString(time_source);
  row.Put(",\"properties\":{");
  // Each key is `,"name":`, precomputed: the first pair drops its comma.
  const size_t properties = row.Written();
  for (uint16_t i = 0; i < spec_->top_level_count; ++i) {
    if (!present_[i]) continue;
    const FieldSpec& field = spec_->fields[i];
    if (field.column == Column::Properties) {
      row.Put(field.json_key.substr(row.Written() == properties ? 1 : 0));
      row.Put(slots_[i]);
    }
    if (!field.full_property.empty()) {
      row.Put(field.full_json_key.substr(row.Written() == properties ? 1 : 0));
      row.Put(full_slots_[i]);
    }
  }
  row.Put("},\"ci\":");
  row.Put(ci);
  row.Put(",\"sample_rate\":");
  row.Put(spec_->sample_rate_json);
  row.Put('}');
  row.Finish();
}

EventBuilder::Built EventBuilder::Build(const RequestClock& clock, uint32_t event_index) {
  std::string_view time_source;
  const int64_t occurred_at = EventTime(clock, time_source);
  id_.Reset();
  id_.Add(product_->name);
  id_.Add(spec_->name);
  if (spec_->dedup_field_count == 0) {
    // No declared key: every event is its own, and only this request can repeat it.
    id_.AddUint(clock.nonce);
    id_.AddUint(static_cast<uint64_t>(clock.received_at_ms));
    id_.AddUint(event_index + 1);
  }
  for (uint8_t i = 0; i < spec_->dedup_field_count; ++i) id_.Add(slots_[spec_->dedup_fields[i]]);
  // The day of the client's own time when it gave one: a retry sent a little later, with another
  // clock correction, must still fall on the same day.
  if (spec_->dedup_per_day) {
    const int64_t day_time = has_client_time_ ? client_time_ms_ : occurred_at;
    id_.AddUint(static_cast<uint64_t>(day_time / normalize::kDayMs));
  }
  id_.Finish();

  WriteRow(clock, occurred_at, time_source);
  if (row_.size() > kMaxEventBytes) return Built::TooLarge;

  const int install_field = ColumnField(Column::InstallId);
  has_install_key_ = install_field >= 0 && present_[install_field];
  if (has_install_key_) install_key_ = InstallKey(JsonStringValue(slots_[install_field], buffer_));
  return Built::Stored;
}

bool EventBuilder::Remember() { return seen_ids_.Insert(id_.high(), id_.low()); }

bool EventBuilder::BelowMinVersion(std::string_view& version) const {
  if (spec_->min_version.empty()) return false;
  const int field = ColumnField(Column::Version);
  if (field < 0 || !present_[field] || slots_[field].size() < 2) return false;  // nothing to compare
  std::string_view stored = std::string_view(slots_[field]).substr(1, slots_[field].size() - 2);
  if (spec_->fields[field].kind != catalogue::Kind::Version) {
    // A string column holds whatever was sent: compared only when it reads as a version.
    std::string unescaped;
    std::string normalized;
    if (normalize::Version(JsonStringValue(slots_[field], unescaped), normalized) != Status::ok) return false;
    if (normalize::CompareVersions(normalized, spec_->min_version) >= 0) return false;
    version = stored;
    return true;
  }
  version = stored;
  // Compared at the precision the column keeps: with 2 parts, 1.4 cannot tell 1.4.0 from 1.4.9, so
  // a minimum of 1.4.2 admits every 1.4 (failing open) and refuses 1.3.
  const std::string_view minimum = normalize::CutVersion(spec_->min_version, spec_->fields[field].precision);
  return normalize::CompareVersions(stored, minimum) < 0;
}

bool EventBuilder::Sampled() const {
  if (!(spec_->sample_rate < 1)) return true;
  // The install's key (install_writes), so an install is in or out as a whole; without an install,
  // the same hash of the event id, so a retry is decided the same. rate * 2^64 is exact for a
  // double rate below 1, and truncated as the Worker's reference truncates it.
  uint64_t hash = install_key_;
  if (!has_install_key_) {
    char id[32];
    id_.WriteHex(id);
    hash = InstallKey(std::string_view(id, 32));
  }
  return hash < static_cast<uint64_t>(spec_->sample_rate * 0x1p64);
}

}  // namespace phonehome
