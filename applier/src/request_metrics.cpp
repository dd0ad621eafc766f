#include "request_metrics.hpp"

#include <string>

#include "gitmoor/core/metrics.hpp"

namespace gitmoor::applier {

void record_request_metrics(const RequestKind& kind, long code, std::chrono::steady_clock::duration latency,
                            bool streamed) {
  namespace metrics = core::metrics;
  static auto& requests = metrics::registry().counter(
      "gitmoor_kube_requests_total", "Requests to the Kubernetes API server, by verb, resource and HTTP status code "
      "(\"error\" when no answer came).", {"verb", "resource", "code"});
  static auto& durations = metrics::registry().histogram(
      "gitmoor_kube_request_duration_seconds",
      "Duration of requests to the Kubernetes API server (streams, watches and pod logs, are left out).", {"verb", "resource"},
      metrics::fast_buckets());
  const bool discovery = kind.verb == "discovery";
  const std::string verb = discovery ? std::string("get") : kind.verb;
  const std::string resource = discovery ? std::string() : kind.resource;
  requests.labels({verb, resource, code > 0 ? std::to_string(code) : std::string("error")}).inc();
  if (!streamed) durations.labels({verb, resource}).observe(std::chrono::duration<double>(latency).count());
}

}  // namespace gitmoor::applier
