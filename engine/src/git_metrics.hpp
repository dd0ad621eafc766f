#pragma once
// Git's Prometheus metrics: gitmoor_git_requests_total{repo,request_type} and
// gitmoor_git_request_duration_seconds{repo,request_type}. request_type is ls-remote (the remote check of every
// poll) or fetch; repo is the repository URL without user information (never a credential in a label).
#include <chrono>
#include <string>
#include <string_view>

namespace gitmoor::engine {

// Counts one request to a remote and observes its duration when it goes out of scope, failed or not.
class GitRequestMetrics {
 public:
  GitRequestMetrics(std::string_view repo_url, std::string_view request_type);
  ~GitRequestMetrics();
  GitRequestMetrics(const GitRequestMetrics&) = delete;
  GitRequestMetrics& operator=(const GitRequestMetrics&) = delete;

 private:
  std::string repo_;
  std::string request_type_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace gitmoor::engine
