// status.cpp: names and scopes of the codes in status.def.
#include <string>

#include "json_out.h"
#include "phonehome/core.h"

namespace phonehome {
namespace {

struct StatusInfo {
  std::string_view name;
  bool request_scope;
};

constexpr bool request = true;
constexpr bool event = false;

constexpr StatusInfo kStatusInfo[] = {
#define PH_STATUS(name, scope, http, meaning) {#name, scope},
#include "phonehome/status.def"
#undef PH_STATUS
};
static_assert(sizeof kStatusInfo / sizeof kStatusInfo[0] == static_cast<size_t>(Status::count_));

}  // namespace

std::string_view StatusName(Status status) {
  const auto index = static_cast<size_t>(status);
  return index < static_cast<size_t>(Status::count_) ? kStatusInfo[index].name : std::string_view();
}

bool IsRequestStatus(Status status) {
  const auto index = static_cast<size_t>(status);
  return index < static_cast<size_t>(Status::count_) && kStatusInfo[index].request_scope;
}

std::string_view LimitsJson() {
  static const std::string json = [] {
    std::string out = "{\"max_events_per_request\":";
    json_out::AppendUint(out, kMaxEventsPerRequest);
    out.append(",\"max_nesting_depth\":");
    json_out::AppendUint(out, kMaxNestingDepth);
    out.append(",\"max_event_bytes\":");
    json_out::AppendUint(out, kMaxEventBytes);
    out.append(",\"max_dropped_names\":");
    json_out::AppendUint(out, kMaxDroppedNames);
    out.push_back('}');
    return out;
  }();
  return json;
}

}  // namespace phonehome
