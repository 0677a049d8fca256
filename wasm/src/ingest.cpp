// ingest.cpp: the request path's entry (core.h). A request is read in one pass of the JSON
// scanner over its body, driving the walker (walker.h), which hands values to the field checks,
// events to the event builder and verdicts to the report: no DOM, no per-event allocation once
// the buffers are warm. This file starts a request and answers it.
#include "envelope.h"
#include "json_out.h"
#include "json_scan.h"
#include "normalize.h"
#include "phonehome/core.h"
#include "walker.h"

namespace phonehome {
// The Ingestor's state is the walker and the stages it drives.
struct Ingestor::State : Walker {};

void Walker::Reset(const IngestRequest& req) {
  request = req;
  event.Start(nullptr, nullptr);
  event.NewRequest();
  clock = {req.received_at_ms, req.nonce, false, 0};
  frames.clear();
  pending = kNoField;
  stop = Status::ok;
  stop_message.clear();
  envelope = req.product.empty();
  envelope_key = EnvelopeKey::None;
  saw_events = false;
  event_count = 0;
  shape.StartRequest(req.body);
  for (std::string* buffer : {&scratch, &tape_text, &scan_scratch}) json_out::ReleaseIfLarge(*buffer);
  report.Reset();
}

void Walker::Stop(Status status, std::string_view message) {
  if (stop != Status::ok) return;
  stop = status;
  stop_message.assign(message);
}

IngestResult Walker::Finish() {
  if (stop == Status::ok) return report.Finish(event_count);
  // Nothing of the request is stored; on a named route the whole request counts as one
  // rejection of its event.
  report.ForgetRejections();
  if (!envelope && event.spec() != nullptr) report.CountRejection(event.product(), event.spec(), stop, "");
  return report.Refuse(event_count, stop, stop_message);
}

namespace {

// ScanHandler hands the scanner's tokens (json_scan.h) to the walker. Returning false stops the scan.
class ScanHandler {
 public:
  explicit ScanHandler(Walker& walker) : walker_(walker) {}

  bool null() { return walker_.OnScalar(JsonScalar()); }
  bool boolean(bool value) {
    JsonScalar v;
    v.type = JsonScalar::Type::Bool;
    v.boolean = value;
    return walker_.OnScalar(v);
  }
  bool number_integer(int64_t value) {
    JsonScalar v;
    v.type = JsonScalar::Type::Integer;
    v.integer = value;
    return walker_.OnScalar(v);
  }
  bool number_unsigned(uint64_t value) {
    JsonScalar v;
    v.type = JsonScalar::Type::Unsigned;
    v.unsigned_integer = value;
    return walker_.OnScalar(v);
  }
  bool number_float(double value) {
    JsonScalar v;
    v.type = JsonScalar::Type::Float;
    v.floating = value;
    return walker_.OnScalar(v);
  }
  bool string(std::string_view value) {
    JsonScalar v;
    v.type = JsonScalar::Type::String;
    v.text = value;
    return walker_.OnScalar(v);
  }
  bool start_object() { return walker_.OnStartContainer(true); }
  bool key(std::string_view name) { return walker_.OnKeyEvent(name); }
  bool end_object() { return walker_.OnEndContainer(); }
  bool start_array() { return walker_.OnStartContainer(false); }
  bool end_array() { return walker_.OnEndContainer(); }
  bool parse_error(std::size_t position, json_scan::ScanError error) {
    walker_.OnParseError(position, error == json_scan::ScanError::number_overflow ? Status::number_overflow
                                   : error == json_scan::ScanError::invalid_utf8  ? Status::invalid_utf8
                                                                                  : Status::malformed_json);
    return false;
  }

 private:
  Walker& walker_;
};

}  // namespace

Ingestor::Ingestor(const catalogue::Catalogue& catalogue) : state_(new State()) {
  state_->declared = &catalogue;
  state_->frames.reserve(kMaxNestingDepth + 1);
  state_->event.Size(catalogue.max_field_count);
  state_->key_after.assign(catalogue.max_field_count, kNoField);
  state_->first_key.assign(catalogue.max_field_count, kNoField);
}

Ingestor::~Ingestor() { delete state_; }

IngestResult Ingestor::Ingest(const IngestRequest& request) {
  State& s = *state_;
  s.Reset(request);
  std::string_view sent_at = request.sent_at;
  bool sent_at_from_body = false;
  if (s.envelope) {
    // The envelope's own sent_at wins over the header; one that is not a plain string or number
    // is refused like any unreadable time.
    std::string_view envelope_sent_at;
    if (envelope::FindSentAt(request.body, envelope_sent_at)) {
      sent_at = envelope_sent_at.empty() ? "?" : envelope_sent_at;
      sent_at_from_body = true;
    }
  } else {
    const catalogue::ProductSpec* product = catalogue::FindProduct(*s.declared, request.product);
    if (product == nullptr) {
      s.Stop(Status::unknown_product, "no product of that name is declared in the catalogue");
      return s.Finish();
    }
    const catalogue::EventSpec* spec = catalogue::FindEvent(*product, request.event);
    if (spec == nullptr) {
      s.Stop(Status::unknown_event, "the product declares no event of that name");
      return s.Finish();
    }
    s.event.Start(product, spec);
  }
  constexpr std::string_view kBadSentAt =
      "sent_at (the X-Sent-At header or the envelope's) must be epoch seconds, epoch milliseconds or RFC 3339 "
      "within 2000-2099";
  bool bad_sent_at = false;
  if (!sent_at.empty()) {
    bad_sent_at = normalize::TimestampFromHeader(sent_at, s.clock.sent_at_ms) != Status::ok;
    s.clock.has_sent_at = !bad_sent_at;
    // A bad header refuses the request at once; a bad envelope sent_at only once the body has
    // parsed, so a body that is not JSON is still called that.
    if (bad_sent_at && !sent_at_from_body) {
      s.Stop(Status::invalid_sent_at, kBadSentAt);
      return s.Finish();
    }
  }
  ScanHandler handler(s);
  json_scan::Scan(request.body, handler, s.scan_scratch);
  if (bad_sent_at) s.Stop(Status::invalid_sent_at, kBadSentAt);
  return s.Finish();
}

}  // namespace phonehome
