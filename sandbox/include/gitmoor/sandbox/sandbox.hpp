#pragma once
// An in-memory Kubernetes API server that real kubectl accepts: what tests, benchmarks and `gitmoor demo` run
// against. Start it, point a kubeconfig at url(), stop it (or let it go out of scope).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "gitmoor/sandbox/api_server.hpp"

namespace gitmoor::sandbox {

struct SandboxOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port
  bool tls = false;        // HTTPS with a generated CA and server certificate
  std::string token;       // bearer token required on every request when set
  bool controllers = true;
  std::chrono::milliseconds pod_ready_delay{300};
  std::size_t event_history = 10000;
  std::size_t max_connections = 1024;
  std::chrono::seconds idle_timeout{120};  // a connection idle (or a request unfinished) this long is closed
};

class Sandbox {
 public:
  // Binds and starts serving; throws core::EnvironmentError when it cannot bind.
  static std::unique_ptr<Sandbox> start(SandboxOptions options = {});
  ~Sandbox();
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  [[nodiscard]] std::string url() const;  // http(s)://127.0.0.1:<port>
  [[nodiscard]] std::uint16_t port() const;
  [[nodiscard]] const std::string& ca_pem() const;  // empty without TLS
  // A kubeconfig (context "sandbox") for url(), with the CA and token when set.
  [[nodiscard]] std::string kubeconfig() const;
  // Writes kubeconfig() to path (creating parent folders) and returns the path as a string.
  std::string write_kubeconfig(const std::filesystem::path& path) const;

  ApiServer& api();
  // Stops accepting, ends watches and connections, joins threads. Idempotent.
  void stop();

  struct Impl;

 private:
  explicit Sandbox(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace gitmoor::sandbox
