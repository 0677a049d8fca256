// report.cpp: what a request answers (report.h).
#include "report.h"

#include <algorithm>

#include "json_out.h"

namespace phonehome {
namespace {

using json_out::AppendInt;
using json_out::AppendString;

}  // namespace

void WriteHex64(char* out, uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (int digit = 0; digit < 16; ++digit) out[digit] = kDigits[(value >> (60 - 4 * digit)) & 0xF];
}

void AppendHex64(std::string& out, uint64_t value) {
  char digits[16];
  WriteHex64(digits, value);
  out.append(digits, 16);
}

void Report::Reset() {
  for (std::string* buffer : {&rows_, &verdicts_, &response_, &row_installs_}) json_out::ReleaseIfLarge(*buffer);
  rows_.clear();
  chunks_.clear();
  row_count_ = 0;
  duplicate_count_ = 0;
  verdicts_.clear();
  accepted_offsets_.clear();
  response_.clear();
  row_installs_.clear();
  install_keys_.clear();
  rejection_counts_.clear();
}

void Report::BeginVerdict(uint32_t index) {
  if (!verdicts_.empty()) verdicts_.push_back(',');
  verdicts_.append("{\"index\":");
  AppendInt(verdicts_, index);
  verdicts_.append(",\"status\":");
}

void Report::EndVerdict(VerdictNotes notes) {
  if (!notes.dropped.empty()) {
    verdicts_.append(",\"dropped\":[");
    verdicts_.append(notes.dropped);
    verdicts_.push_back(']');
  }
  if (!notes.unknown_values.empty()) {
    verdicts_.append(",\"unknown_values\":[");
    verdicts_.append(notes.unknown_values);
    verdicts_.push_back(']');
  }
  verdicts_.push_back('}');
}

void Report::Accepted(uint32_t index, std::string_view row, const EventIdHasher& id, const uint64_t* install_key,
                      VerdictNotes notes) {
  AppendRow(row);
  // The per-install input: [["<event id>","<install key>" or null], …], 56 bytes at most a row.
  const bool first_row = row_installs_.empty();
  json_out::Writer installs(row_installs_, row_installs_.size(), 56);
  installs.Put(first_row ? "[[\"" : ",[\"");
  id.WriteHex(installs.Raw(32));
  installs.Put("\",");
  if (install_key == nullptr) {
    installs.Put("null]");
  } else {
    install_keys_.push_back(*install_key);
    installs.Put('"');
    WriteHex64(installs.Raw(16), *install_key);
    installs.Put("\"]");
  }
  installs.Finish();
  if (notes.dropped.empty() && notes.unknown_values.empty()) {
    // The common verdict, {"index":N,"status":"accepted" }, in one piece.
    const size_t start = verdicts_.size();
    json_out::Writer verdict(verdicts_, start, 64);
    verdict.Put(start == 0 ? "{\"index\":" : ",{\"index\":");
    verdict.PutInt(index);
    verdict.Put(",\"status\":");
    accepted_offsets_.push_back(static_cast<uint32_t>(start + verdict.Written()));
    verdict.Put(kAcceptedToken);
    verdict.Put('}');
    verdict.Finish();
    return;
  }
  BeginVerdict(index);
  accepted_offsets_.push_back(static_cast<uint32_t>(verdicts_.size()));
  verdicts_.append(kAcceptedToken);
  EndVerdict(notes);
}

void Report::Duplicate(uint32_t index, VerdictNotes notes) {
  ++duplicate_count_;
  BeginVerdict(index);
  verdicts_.append(kDuplicateToken);
  EndVerdict(notes);
}

void Report::Rejected(uint32_t index, Status code, std::string_view path, std::string_view message,
                      VerdictNotes notes) {
  BeginVerdict(index);
  verdicts_.append("\"rejected\",\"code\":");
  AppendString(verdicts_, StatusName(code));
  if (!path.empty()) {
    verdicts_.append(",\"path\":");
    AppendString(verdicts_, path);
  }
  verdicts_.append(",\"message\":");
  AppendString(verdicts_, message);
  EndVerdict(notes);
}

// AppendRow() adds a row to the current chunk, or starts a new chunk when the current one is full.
void Report::AppendRow(std::string_view row) {
  if (chunks_.empty() || chunks_.back().length + row.size() + 2 > kMaxRowChunkBytes) {
    if (!chunks_.empty()) rows_.push_back(']');
    chunks_.push_back({static_cast<uint32_t>(rows_.size()), 0, row_count_});
    rows_.push_back('[');
  } else {
    rows_.push_back(',');
  }
  rows_.append(row);
  chunks_.back().length = static_cast<uint32_t>(rows_.size() + 1 - chunks_.back().offset);  // with its ']'
  ++row_count_;
}

void Report::CountRejection(const catalogue::ProductSpec* product, const catalogue::EventSpec* spec, Status code,
                            std::string_view version, std::string_view shape) {
  for (RejectionCount& counted : rejection_counts_) {
    if (counted.spec == spec && counted.code == code && counted.version == version && counted.shape == shape) {
      ++counted.count;
      return;
    }
  }
  rejection_counts_.push_back({product, spec, code, std::string(version), std::string(shape), 1});
}

void Report::AppendRejectionCounts() {
  rejections_json_.assign(1, '[');
  for (size_t i = 0; i < rejection_counts_.size(); ++i) {
    const RejectionCount& r = rejection_counts_[i];
    if (i > 0) rejections_json_.push_back(',');
    rejections_json_.append("{\"product\":");
    AppendString(rejections_json_, r.product->name);
    rejections_json_.append(",\"event\":");
    AppendString(rejections_json_, r.spec->name);
    rejections_json_.append(",\"code\":");
    AppendString(rejections_json_, StatusName(r.code));
    rejections_json_.append(",\"version\":");
    AppendString(rejections_json_, r.version);
    rejections_json_.append(",\"count\":");
    AppendInt(rejections_json_, r.count);
    if (!r.shape.empty()) {
      rejections_json_.append(",\"shape\":");
      AppendString(rejections_json_, r.shape);
    }
    rejections_json_.push_back('}');
  }
  rejections_json_.push_back(']');
}

// AppendInstallCounts() writes {"key": rows, …}, one entry per install of the stored rows.
void Report::AppendInstallCounts() {
  std::sort(install_keys_.begin(), install_keys_.end());
  install_counts_.assign(1, '{');
  for (size_t i = 0; i < install_keys_.size();) {
    size_t run = i;
    while (run < install_keys_.size() && install_keys_[run] == install_keys_[i]) ++run;
    if (i > 0) install_counts_.push_back(',');
    install_counts_.push_back('"');
    AppendHex64(install_counts_, install_keys_[i]);
    install_counts_.append("\":");
    AppendInt(install_counts_, static_cast<int64_t>(run - i));
    i = run;
  }
  install_counts_.push_back('}');
}

IngestResult Report::Refuse(uint32_t event_count, Status code, std::string_view message) {
  IngestResult result;
  result.event_count = event_count;
  AppendRejectionCounts();
  result.rejections_json = rejections_json_;
  response_.assign("{\"error\":{\"code\":");
  AppendString(response_, StatusName(code));
  response_.append(",\"message\":");
  AppendString(response_, message);
  response_.append("}}");
  result.outcome = code;
  result.response_json = response_;
  return result;
}

IngestResult Report::Finish(uint32_t event_count) {
  IngestResult result;
  result.event_count = event_count;
  AppendRejectionCounts();
  result.rejections_json = rejections_json_;
  const bool stored_any = row_count_ > 0 || duplicate_count_ > 0;
  result.outcome = stored_any ? Status::ok : Status::all_rejected;
  if (stored_any) {
    response_.assign("{\"results\":[");
  } else {
    response_.assign(
        "{\"error\":{\"code\":\"all_rejected\",\"message\":\"every event of the request was rejected\"},"
        "\"results\":[");
  }
  const auto prefix = static_cast<uint32_t>(response_.size());
  response_.append(verdicts_);
  response_.append("]}");
  for (uint32_t& offset : accepted_offsets_) offset += prefix;
  if (row_count_ > 0) rows_.push_back(']');
  result.rows_json = rows_;
  row_installs_.append(row_installs_.empty() ? "[]" : "]");
  result.row_installs_json = row_installs_;
  AppendInstallCounts();
  result.install_counts_json = install_counts_;
  result.row_count = row_count_;
  result.chunk_count = static_cast<uint32_t>(chunks_.size());
  static_assert(sizeof(RowChunk) == 3 * sizeof(uint32_t));
  result.chunks = reinterpret_cast<const uint32_t*>(chunks_.data());
  result.response_json = response_;
  result.accepted_offsets = accepted_offsets_.data();
  return result;
}

}  // namespace phonehome
