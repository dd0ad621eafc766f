#pragma once
// The sandbox's Kubernetes API as a plain function: a parsed HTTP request in, a response out, no sockets. The HTTP
// server (server.cpp) adapts Beast to it; tests call handle() directly. Watches return a WatchStream the server
// pulls event lines from.
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace gitmoor::sandbox {

using Json = nlohmann::json;

struct Request {
  std::string method;  // GET, POST, PUT, PATCH, DELETE
  std::string target;  // path and query, as sent
  // Names lower-cased; a repeated Impersonate-* header (one per group or extra value) has its values one per line.
  std::map<std::string, std::string> headers;
  std::string body;
  // Set by the HTTPS server from a client certificate that verified against a client CA: the CN and the O entries.
  std::string user;
  std::vector<std::string> groups;

  [[nodiscard]] std::string header(const std::string& lower_name) const;
};

// A watch in progress: newline-terminated JSON event lines, pulled by the server until end.
class WatchStream {
 public:
  enum class Next { Data, Idle, End };
  virtual ~WatchStream() = default;
  // Waits up to `wait` for the next line; Idle when none came in time, End when the stream is over.
  virtual Next next(std::string& line, std::chrono::milliseconds wait) = 0;
  // Ends the stream (client gone, server stopping).
  virtual void cancel() = 0;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::shared_ptr<WatchStream> watch;  // set for a watch: the body is streamed (chunked) from it
  bool close = false;                  // close the connection after this response
};

// Who may do what: AlwaysAllow (any authenticated request may do anything) or RBAC as kube-apiserver enforces it
// (Roles, ClusterRoles and their bindings; the admin token and certificate are in group system:masters).
enum class Authorization { AlwaysAllow, Rbac };

struct ApiOptions {
  bool controllers = true;
  // How long a simulated Pod stays Pending/not-Ready before the controllers make it Running and Ready.
  std::chrono::milliseconds pod_ready_delay{300};
  // How often the HPA controller syncs each HorizontalPodAutoscaler (kube-controller-manager's
  // --horizontal-pod-autoscaler-sync-period).
  std::chrono::milliseconds hpa_sync_period{std::chrono::seconds(15)};
  std::size_t event_history = 10000;  // watch events kept for resuming; older resourceVersions get 410
  std::chrono::milliseconds bookmark_interval{std::chrono::seconds(5)};
  std::chrono::seconds max_watch_timeout{1800};
  // The admin token (user sandbox-admin, group system:masters). With AlwaysAllow and a token, every request but
  // /healthz needs it (or a client certificate or a ServiceAccount token); with RBAC a request without credentials
  // is system:anonymous.
  std::string token;
  // A verified client certificate (Request::user) authenticates; with this set, a request with neither such a
  // certificate nor the token is 401.
  bool client_certificates = false;
  Authorization authorization = Authorization::AlwaysAllow;
};

// Request counters, by verb, resource and code: what the engine's reliability tests count writes with.
struct RequestCount {
  std::string verb;      // get, list, watch, create, update, patch, delete, deletecollection
  std::string resource;  // "deployments.apps", "configmaps", "namespaces/status"...
  int code = 0;
  std::uint64_t count = 0;
};

class ApiServer {
 public:
  explicit ApiServer(ApiOptions options = {});
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Never throws: every failure is a Status response.
  Response handle(const Request& request);

  [[nodiscard]] std::vector<RequestCount> counters() const;
  // Ends every open watch and stops the controllers (before the HTTP server stops).
  void shutdown();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace gitmoor::sandbox
