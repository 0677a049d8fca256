// event_builder.h: the stage between the walker and the report. It holds one event's checked
// values in slots, one per declared field, and turns them into the stored row: required fields,
// the event time, the event id and the row's JSON. It knows nothing of how the values were read.
#ifndef PHONEHOME_EVENT_BUILDER_H
#define PHONEHOME_EVENT_BUILDER_H

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "catalogue.h"
#include "event_id.h"
#include "phonehome/core.h"

namespace phonehome {

// IdSet remembers the event ids of one request, so the second copy of an event inside the same
// request is answered "duplicate" without a round trip to the database.
class IdSet {
 public:
  // Insert() is false when the id was already present.
  bool Insert(uint64_t high, uint64_t low);
  void Clear();

 private:
  // Twice the event limit keeps the table at most half full.
  static constexpr size_t kSlots = 2048;
  static_assert(kSlots >= 2 * kMaxEventsPerRequest && (kSlots & (kSlots - 1)) == 0);
  struct Entry {
    uint64_t high = 0;
    uint64_t low = 0;
    bool used = false;
  };
  std::vector<Entry> table_;
  std::vector<size_t> used_;
};

// What the request says about time and identity, the same for each of its events.
struct RequestClock {
  double received_at_ms = 0;
  uint64_t nonce = 0;
  bool has_sent_at = false;
  int64_t sent_at_ms = 0;  // the client's send time, when it said
};

class EventBuilder {
 public:
  // Size() makes room for the largest event of the catalogue.
  void Size(uint16_t max_field_count);

  // Start() begins an event of `spec` (nullptr while an envelope event has not named it yet).
  void Start(const catalogue::ProductSpec* product, const catalogue::EventSpec* spec);
  // Restart() begins another event of the same spec.
  void Restart();
  // NewRequest() forgets the ids of the previous request.
  void NewRequest() { seen_ids_.Clear(); }

  const catalogue::ProductSpec* product() const { return product_; }
  const catalogue::EventSpec* spec() const { return spec_; }
  const catalogue::FieldSpec& field(uint16_t index) const { return spec_->fields[index]; }
  // ColumnField() is the top-level field feeding `column`, or -1.
  int ColumnField(catalogue::Column column) const { return column_field_[static_cast<size_t>(column)]; }

  // MarkSeen() is false when the field's key was already given in this event.
  bool MarkSeen(uint16_t index);
  // Slot() is the field's stored JSON text, written by the caller; SetPresent() says it holds a value.
  std::string& Slot(uint16_t index) { return slots_[index]; }
  void SetPresent(uint16_t index, bool present) { present_[index] = present ? 1 : 0; }
  // SetUncut() keeps a version's uncut value for its full_property.
  void SetUncut(uint16_t index, std::string_view uncut);
  // SetClientTime() is the event's own time, from its occurred_at field.
  void SetClientTime(int64_t ms);

  // MissingRequired() is the first required field of [first, first+count) without a value, or nullptr.
  const catalogue::FieldSpec* MissingRequired(uint16_t first, uint16_t count) const;
  // CloseObject() writes a declared object's slot from its children's.
  void CloseObject(uint16_t index);
  // StoredVersion() is false until the event's version has a value; then `version` is it as stored.
  bool StoredVersion(std::string_view& version) const;

  enum class Built : uint8_t { Stored, TooLarge };
  // Build() writes the row; row(), id() and install_key() read it until the next event.
  Built Build(const RequestClock& clock, uint32_t event_index);
  // Remember() is false when this request already stored an event of the built one's id.
  bool Remember();
  // BelowMinVersion() is true when the event's version is below its min_version, then named in
  // `version` (valid until the next event); false without a minimum or a readable version.
  bool BelowMinVersion(std::string_view& version) const;
  // Sampled() is true when the built event is inside its sample_rate's sample.
  bool Sampled() const;
  std::string_view row() const { return row_; }
  const EventIdHasher& id() const { return id_; }
  const uint64_t* install_key() const { return has_install_key_ ? &install_key_ : nullptr; }

 private:
  int64_t EventTime(const RequestClock& clock, std::string_view& source) const;
  void AppendFields(std::string& out, uint16_t first, uint16_t count, bool top_level) const;
  std::string_view ColumnValue(catalogue::Column column, bool& is_json) const;
  void WriteRow(const RequestClock& clock, int64_t occurred_at, std::string_view time_source);

  const catalogue::ProductSpec* product_ = nullptr;
  const catalogue::EventSpec* spec_ = nullptr;
  int column_field_[catalogue::kColumnCount];
  std::vector<std::string> slots_;       // each field's normalized value as JSON text
  std::vector<std::string> full_slots_;  // Version fields with a full_property: the uncut value
  std::vector<uint8_t> present_;
  std::vector<uint8_t> seen_;  // the key was given, whatever its value (null and "" leave no value)
  bool has_client_time_ = false;
  int64_t client_time_ms_ = 0;
  std::string row_;
  std::string buffer_;
  EventIdHasher id_;
  IdSet seen_ids_;
  bool has_install_key_ = false;
  uint64_t install_key_ = 0;
};

}  // namespace phonehome

#endif  // PHONEHOME_EVENT_BUILDER_H
