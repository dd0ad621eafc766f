#include "git_metrics.hpp"

#include "gitmoor/core/metrics.hpp"
#include "gitmoor/engine/git_error.hpp"

namespace gitmoor::engine {

GitRequestMetrics::GitRequestMetrics(std::string_view repo_url, std::string_view request_type)
    : repo_(url_without_userinfo(repo_url)), request_type_(request_type), started_(std::chrono::steady_clock::now()) {}

GitRequestMetrics::~GitRequestMetrics() {
  namespace metrics = core::metrics;
  static auto& requests = metrics::registry().counter(
      "gitmoor_git_requests_total", "Requests to Git remotes (ls-remote or fetch), failed ones included.",
      {"repo", "request_type"});
  static auto& durations = metrics::registry().histogram(
      "gitmoor_git_request_duration_seconds", "Duration of requests to Git remotes (ls-remote or fetch).",
      {"repo", "request_type"}, metrics::slow_buckets());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  requests.labels({repo_, request_type_}).inc();
  durations.labels({repo_, request_type_}).observe(seconds);
}

}  // namespace gitmoor::engine
