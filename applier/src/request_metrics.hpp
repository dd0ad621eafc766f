#pragma once
// The Kubernetes API client's Prometheus metrics: gitmoor_kube_requests_total{verb,resource,code} and
// gitmoor_kube_request_duration_seconds{verb,resource}, one sample per attempt (a retry counts again).
#include <chrono>

#include "request_path.hpp"

namespace gitmoor::applier {

// `code`: the HTTP status, 0 when no answer came (counted as code="error"). `streamed`: a watch or a followed log,
// counted when it ends but kept out of the duration histogram (it lasts as long as it is open, not as the server is
// slow). Discovery (/api, /apis, /version) counts as verb "get" with resource "".
void record_request_metrics(const RequestKind& kind, long code, std::chrono::steady_clock::duration latency,
                            bool streamed);

}  // namespace gitmoor::applier
