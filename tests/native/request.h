// request.h: an IngestRequest for one route, filled the way the Worker fills it. The native tests'
// one way to build a request (header-only, so the custom-catalogue test can use it too).
#ifndef PHONEHOME_TESTS_REQUEST_H
#define PHONEHOME_TESTS_REQUEST_H

#include <cstdint>
#include <string_view>

#include "phonehome/core.h"

namespace phonehome::testing {

// The receive time of the shared vectors: 2026-11-21T06:01:40Z.
constexpr double kVectorReceivedAtMs = 1795240900000;

inline IngestRequest MakeRequest(std::string_view product, std::string_view event, std::string_view body,
                                 double received_at_ms = kVectorReceivedAtMs, uint64_t nonce = 0) {
  IngestRequest request;
  request.product = product;
  request.event = event;
  request.body = body;
  request.received_at_ms = received_at_ms;
  request.nonce = nonce;
  return request;
}

}  // namespace phonehome::testing

#endif  // PHONEHOME_TESTS_REQUEST_H
