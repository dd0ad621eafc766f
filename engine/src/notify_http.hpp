#pragma once
// One HTTP POST to a notification receiver (libcurl): a per-request timeout, and a cancel flag checked while it
// waits, so shutting down is never held by a receiver that does not answer.
#include <atomic>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace gitmoor::engine {

struct HttpPost {
  std::string url;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(5)};
};

struct HttpOutcome {
  long status = 0;            // 0: no answer (see error)
  std::string body;           // the first KiB of the answer
  std::string error;          // the transport error (timeout, refused, ...)
};

HttpOutcome http_post(const HttpPost& request, const std::atomic<bool>& cancelled);

}  // namespace gitmoor::engine
