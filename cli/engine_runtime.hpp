#pragma once
// The running engine as `gitmoor serve` and `gitmoor demo` wire it: the Controller, its HTTP endpoints and, when
// asked, leader election deciding whether this replica reconciles. Wiring only; the work is in engine/ and web/.
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "gitmoor/applier/client.hpp"
#include "gitmoor/engine/controller.hpp"
#include "gitmoor/engine/leader_election.hpp"
#include "gitmoor/web/auth.hpp"
#include "gitmoor/web/http_server.hpp"
#include "listen_address.hpp"

namespace gitmoor::cli {

struct EngineRuntimeOptions {
  engine::ControllerOptions controller;
  web::HttpServerOptions http;
  std::optional<engine::LeaderElectionOptions> leader_election;  // nullopt: this replica always leads
  std::size_t webhook_max_payload_bytes = std::size_t{1} << 20;  // --webhook-max-payload-size
  std::optional<web::AuthOptions> auth;  // nullopt: no authentication (`--auth=none`)
  web::UiOptions ui;  // --ui-dir: the web UI from a folder instead of the embedded files
};

class EngineRuntime {
 public:
  EngineRuntime(applier::ClusterConfig cluster, EngineRuntimeOptions options);
  ~EngineRuntime();

  // Serves HTTP first (so /healthz answers while caches fill), then starts the controller and the elector.
  void start();
  // SIGTERM: stop electing (hand the Lease back), stop the controller (a running sync stops at its next step and is
  // resumed by the next start), stop HTTP.
  void stop();

  [[nodiscard]] std::string url() const;
  [[nodiscard]] engine::Controller& controller() { return *controller_; }
  // Built-in authentication (nullptr with `--auth=none`).
  [[nodiscard]] const std::shared_ptr<web::AuthService>& auth() const { return auth_; }

 private:
  EngineRuntimeOptions options_;
  std::unique_ptr<applier::Client> client_;
  std::shared_ptr<web::AuthService> auth_;  // uses client_: declared after it, so it stops first
  std::unique_ptr<engine::Controller> controller_;
  std::unique_ptr<web::HttpServer> http_;
  std::unique_ptr<engine::LeaderElector> elector_;
};

// Parses `host:port` (`:8080` = every address) into the HTTP options; throws core::InvalidInput naming the flag.
web::HttpServerOptions parse_listen(const std::string& listen, const std::string& flag);

// `gitmoor serve`'s TLS and limit flags, as written.
struct HttpFlags {
  std::string tls_cert;
  std::string tls_key;
  std::string max_request_body;  // a quantity: 1Mi, 512Ki, 1000000
  std::string max_header_size;
  std::size_t max_connections = 1024;
  std::string idle_timeout;      // a duration: 30s
  std::string stream_keepalive;
};
// Sets them on `options`; throws core::InvalidInput naming the flag.
void apply_http_limits(web::HttpServerOptions& options, const HttpFlags& flags);
// --ui-dir as given: "" stays empty (the embedded UI); otherwise the folder's absolute path, checked to hold an
// index.html (throws core::InvalidInput naming the flag), so a typo fails at start, not on the first page load.
std::filesystem::path ui_folder(const std::string& dir);
// Whether `host` (from --listen) is a loopback address: 127.0.0.0/8, ::1 or localhost (`--auth=none` needs one).
bool is_loopback_host(const std::string& host);


}  // namespace gitmoor::cli
