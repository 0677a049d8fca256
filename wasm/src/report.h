// report.h: the last stage of the request path, what a request answers. It collects each event's
// verdict, the stored rows cut into chunks, the per-install counters' input and the rejection
// counts, and writes the response; the walker and the event builder only tell it what happened.
#ifndef PHONEHOME_REPORT_H
#define PHONEHOME_REPORT_H

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "catalogue.h"
#include "event_id.h"
#include "phonehome/core.h"

namespace phonehome {

// What a verdict says besides its status: undeclared fields dropped and values kept as "other",
// each a JSON array's body ("" for none).
struct VerdictNotes {
  std::string_view dropped;
  std::string_view unknown_values;
};

class Report {
 public:
  // Reset() starts a request, releasing buffers that one large request grew.
  void Reset();

  // Accepted() stores a row: `row` is one JSON object, `id` its event id, `install_key` the key of
  // its install (install_key.h) or nullptr without one.
  void Accepted(uint32_t index, std::string_view row, const EventIdHasher& id, const uint64_t* install_key,
                VerdictNotes notes);
  // Duplicate() answers an event this request already carried.
  void Duplicate(uint32_t index, VerdictNotes notes);
  // Rejected() answers an event that cannot be stored; `path` may be empty.
  void Rejected(uint32_t index, Status code, std::string_view path, std::string_view message, VerdictNotes notes);

  // CountRejection() counts a rejected event by product, event, code, version and shape (event_shape.h;
  // "" for none); ForgetRejections() drops the counts (a refused request counts once, as its own
  // outcome).
  void CountRejection(const catalogue::ProductSpec* product, const catalogue::EventSpec* spec, Status code,
                      std::string_view version, std::string_view shape = {});
  void ForgetRejections() { rejection_counts_.clear(); }

  // Refuse() answers a request refused whole: nothing is stored. Finish() answers the verdicts.
  IngestResult Refuse(uint32_t event_count, Status code, std::string_view message);
  IngestResult Finish(uint32_t event_count);

 private:
  struct RowChunk {
    uint32_t offset;  // into rows_
    uint32_t length;
    uint32_t first_row;
  };
  struct RejectionCount {
    const catalogue::ProductSpec* product;
    const catalogue::EventSpec* spec;
    Status code;
    std::string version;
    std::string shape;
    uint32_t count;
  };

  void BeginVerdict(uint32_t index);
  void EndVerdict(VerdictNotes notes);
  void AppendRow(std::string_view row);
  void AppendInstallCounts();
  void AppendRejectionCounts();

  std::string rows_;  // JSON arrays of rows, one per chunk, back to back
  std::vector<RowChunk> chunks_;
  uint32_t row_count_ = 0;
  uint32_t duplicate_count_ = 0;
  std::string verdicts_;  // comma separated
  std::vector<uint32_t> accepted_offsets_;
  std::string response_;
  // Per stored row, its event id and install key; and the keys alone, counted at the end.
  std::string row_installs_;
  std::vector<uint64_t> install_keys_;
  std::string install_counts_;
  std::vector<RejectionCount> rejection_counts_;
  std::string rejections_json_;
};

// AppendHex64() appends 16 lower-case hex digits; WriteHex64() writes them at `out`.
void AppendHex64(std::string& out, uint64_t value);
void WriteHex64(char* out, uint64_t value);

}  // namespace phonehome

#endif  // PHONEHOME_REPORT_H
