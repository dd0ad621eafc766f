#pragma once
// A Kubernetes API client on libcurl + OpenSSL: connection reuse (a pool of easy handles), gzip, per-request
// timeouts, retries with jittered backoff, a client-side QPS/burst limit, and counters per verb, resource and code.
// Thread-safe: the applier calls it from its worker threads.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string_view>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gitmoor/applier/kubeconfig.hpp"
#include "gitmoor/core/error.hpp"
#include "gitmoor/core/object.hpp"

namespace gitmoor::applier {

struct ClientOptions {
  // Sustained requests per second (<= 0 disables the limit). High: servers protect themselves with priority and
  // fairness; this only stops a runaway loop. A bulk apply of 1,000 objects must not be throttled to seconds.
  double qps = 1000;
  int burst = 2000;
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};  // per request attempt
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  int max_retries = 5;  // for idempotent requests: connection errors, 429, 5xx
  std::chrono::milliseconds backoff_base{100};
  std::chrono::milliseconds backoff_max{std::chrono::seconds(5)};
  std::string user_agent = "gitmoor";
};

struct HttpRequest {
  std::string method = "GET";
  std::string path;  // path and query, e.g. /api/v1/namespaces/x
  std::string body;
  std::string content_type = "application/json";
  // Retried on connection errors, 429 and 5xx. GET, PUT, DELETE and server-side apply are; POST is not.
  bool idempotent = true;
  std::chrono::milliseconds timeout{0};  // 0: ClientOptions::timeout
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased
  [[nodiscard]] core::Json json() const;
};

// A request the server refused (a Status body) or that never got an answer (status 0). what() names the subject
// (method and path) and the server's message, never a credential.
class ApiError : public core::EnvironmentError {
 public:
  ApiError(long status, std::string reason, const std::string& message)
      : core::EnvironmentError(message), status_(status), reason_(std::move(reason)) {}
  [[nodiscard]] long status() const { return status_; }
  [[nodiscard]] const std::string& reason() const { return reason_; }  // NotFound, Conflict, Invalid, ...
 private:
  long status_;
  std::string reason_;
};

struct RequestStat {
  std::string verb;      // get, list, watch, create, patch, update, delete
  std::string resource;  // "deployments.apps", "configmaps"
  long code = 0;
  std::uint64_t count = 0;
  std::chrono::microseconds total_latency{0};
};

class Client {
 public:
  explicit Client(ClusterConfig cluster, ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Sends with retries; returns any HTTP answer (also 4xx/5xx after retries); throws ApiError(0) when the server
  // could not be reached at all. A 401 is tried once more when the token comes from a file (rotation) or an exec
  // plugin (revocation), with the credential read again.
  HttpResponse send(const HttpRequest& request);
  // A streaming GET (a watch): `on_line` gets each newline-terminated line of a 2xx body as it arrives and returns
  // false to stop; `cancelled` is polled about every 100 ms while the stream is idle. Not retried (the caller
  // resumes from its resourceVersion). Returns the status (0 when the connection failed or was cancelled); a
  // non-2xx body is returned in `error_body`.
  long stream(const std::string& path, const std::function<bool(std::string_view line)>& on_line,
              const std::function<bool()>& cancelled, std::chrono::milliseconds timeout,
              std::string* error_body = nullptr);
  // send() that throws ApiError for any status >= 400 and returns the body as JSON.
  core::Json request_json(const HttpRequest& request);

  [[nodiscard]] std::vector<RequestStat> stats() const;
  [[nodiscard]] const ClusterConfig& cluster() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// The ApiError for a response: reason and message from its Status body, prefixed with `subject: `.
ApiError api_error(const HttpResponse& response, const std::string& subject);

}  // namespace gitmoor::applier
