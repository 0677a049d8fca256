// phonehome/core.h: the public interface of phonehome's core.
//
// The core turns one HTTP request body into per-event verdicts and the rows to store. It knows
// nothing of HTTP, D1 or JavaScript: bytes in, bytes out, no I/O, no clock, no randomness (the
// caller passes the receive time and a per-request nonce). The same code runs natively (tests,
// fuzzing, benchmarks) and in WebAssembly (the Worker), and must give byte-identical output.
#ifndef PHONEHOME_CORE_H
#define PHONEHOME_CORE_H

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace phonehome {

namespace catalogue {
struct Catalogue;  // catalogue.h: the tables Load() builds from a compiled catalogue
}

// Status: request outcomes and per-event rejection codes, from status.def.
enum class Status : int32_t {
#define PH_STATUS(name, scope, http, meaning) name,
#include "phonehome/status.def"
#undef PH_STATUS
  count_  // sentinel: the number of codes
};

// StatusName() is the stable wire name of a code ("malformed_json"); "" when out of range.
std::string_view StatusName(Status status);

// IsRequestStatus() is true for codes that describe a whole request (scope "request").
bool IsRequestStatus(Status status);

// Limits the core enforces on every request; served to SDK authors in /v1/schema.
inline constexpr uint32_t kMaxEventsPerRequest = 1000;
inline constexpr uint32_t kMaxNestingDepth = 32;   // objects and arrays, the batch array included
inline constexpr uint32_t kMaxEventBytes = 32768;  // one event's stored row, once normalized
inline constexpr uint32_t kMaxDroppedNames = 16;   // undeclared field names listed per verdict
// Rows are handed over in JSON arrays of at most this many bytes, each bound as one statement
// parameter (D1 takes up to 1 MB per value) and, in queue mode, sent as one queue message (at
// most 128 KB). A row is at most kMaxEventBytes, so every chunk holds at least one.
inline constexpr uint32_t kMaxRowChunkBytes = 96 * 1024;

// LimitsJson() is the limits above as a JSON object.
std::string_view LimitsJson();

// The columns of a stored row, in the order the core writes them. schema.sql defines the same
// columns; a test checks that both lists agree.
inline constexpr std::string_view kRowColumns[] = {
    "event_id", "product",  "event",           "install_id",  "session_id",
    "version",  "os",       "arch",            "runtime",     "runtime_version",
    "occurred_at", "received_at", "time_source", "properties",
};

struct IngestRequest {
  // From the URL path, as sent. An empty product means POST /v1/batch: the body is an envelope
  // {"sent_at": …, "events": [ {"product": …, "event": …, …fields} ]} whose events name their own.
  std::string_view product;
  std::string_view event;
  std::string_view body;     // the request body, already decompressed
  double received_at_ms = 0; // server time the request arrived, UTC milliseconds
  uint64_t nonce = 0;        // random per request: names events that declare no dedup key
  // The client's clock when it sent the request (epoch seconds or milliseconds, or RFC 3339), from
  // the X-Sent-At header; empty when absent. Event times are shifted by received - sent.
  std::string_view sent_at;
  // True for a query string read as an object (GET /v1/{product}/{event}?…): every value arrives
  // as a string, and a boolean or numeric field reads it as its kind ("true", "3", "1.5").
  bool values_are_text = false;
};

// IngestResult views buffers owned by the Ingestor; they stay valid until its next Ingest().
struct IngestResult {
  Status outcome = Status::internal_error;
  uint32_t event_count = 0;  // events found in the body (0 when the body was not readable)
  // Rows to store: JSON arrays of objects keyed by kRowColumns, each ready to bind as one SQL
  // parameter (INSERT … SELECT … FROM json_each(?)). A large request is split into chunks of
  // at most kMaxRowChunkBytes: `chunks` holds chunk_count triples (offset in rows_json, length, index of the
  // chunk's first row).
  std::string_view rows_json;
  uint32_t row_count = 0;
  uint32_t chunk_count = 0;
  const uint32_t* chunks = nullptr;
  // The response body. Each stored row's verdict holds the 11-byte token `"accepted" ` at
  // accepted_offsets[row]; the caller overwrites it with `"duplicate"` for rows the
  // database already held, so the body never has to be parsed or rebuilt.
  std::string_view response_json;
  const uint32_t* accepted_offsets = nullptr;
  // Rejected events counted by product, event, code, version (when readable) and shape: a JSON array
  // of {"product","event","code","version","count","shape"}, for the rejection counters. "shape" (a
  // JSON object's text: top-level keys and JSON types, event_shape.h) is absent for an event that
  // is no object and a request refused whole. Holds no event data.
  std::string_view rejections_json;
  // The daily per-install counters' input (install_key.h): for each stored row, in order,
  // ["event_id", "install key"] (null without an install id), a JSON array; and the rows per
  // install key, a JSON object. Both "[]"/"{}" when nothing is stored.
  std::string_view row_installs_json = "[]";
  std::string_view install_counts_json = "{}";
};

inline constexpr std::string_view kAcceptedToken = "\"accepted\" ";
inline constexpr std::string_view kDuplicateToken = "\"duplicate\"";
static_assert(kAcceptedToken.size() == kDuplicateToken.size());

class Ingestor {
 public:
  // The Ingestor checks events against `catalogue`, which must outlive it.
  explicit Ingestor(const catalogue::Catalogue& catalogue);
  ~Ingestor();
  Ingestor(const Ingestor&) = delete;
  Ingestor& operator=(const Ingestor&) = delete;

  // Ingest() validates and normalizes every event of the body against the catalogue and writes
  // the verdicts and rows. It never throws and never aborts on any input.
  IngestResult Ingest(const IngestRequest& request);

  struct State;  // opaque: the parse state and reused buffers

 private:
  State* state_;
};

}  // namespace phonehome

#endif  // PHONEHOME_CORE_H
