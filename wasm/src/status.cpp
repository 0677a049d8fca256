// status.cpp: names and scopes of the codes in status.def.
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
#define PH_STATUS(name, scope, meaning) {#name, scope},
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

}  // namespace phonehome
