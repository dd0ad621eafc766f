#pragma once
// An in-memory Kubernetes API server that real kubectl accepts: what tests, benchmarks and `gitmoor demo` run
// against. Start it, point a kubeconfig at url(), stop it (or let it go out of scope).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gitmoor/sandbox/api_server.hpp"

namespace gitmoor::sandbox {

// A TLS client certificate and its key, PEM.
struct ClientCertificate {
  std::string cert_pem;
  std::string key_pem;
};

struct SandboxOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port
  bool tls = false;        // HTTPS with a generated CA and server certificate
  std::string token;       // bearer token required on every request when set
  // TLS client-certificate authentication, as kube-apiserver's --client-ca-file: a certificate signed by
  // client_ca_pem authenticates as the user its CN names (groups from its O entries).
  std::string client_ca_pem;
  // Also make a client CA of the sandbox's own (issue_client_certificate() signs with it) and an admin certificate
  // (CN sandbox-admin, O system:masters) that kubeconfig() presents as client-certificate-data/client-key-data.
  bool client_certificates = false;
  // RBAC (kube's --authorization-mode=RBAC) or AlwaysAllow. With RBAC and neither a token nor client certificates,
  // the sandbox makes a random admin token (kubeconfig() carries it).
  Authorization authorization = Authorization::AlwaysAllow;
  bool controllers = true;
  std::chrono::milliseconds pod_ready_delay{300};
  std::chrono::milliseconds hpa_sync_period{std::chrono::seconds(15)};  // kube's HPA sync period
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
  // The sandbox's own client CA (with client_certificates), else empty.
  [[nodiscard]] const std::string& client_ca_pem() const;
  // A certificate for `user` in `groups` signed by the sandbox's own client CA; throws core::InvalidInput without
  // client_certificates.
  [[nodiscard]] ClientCertificate issue_client_certificate(const std::string& user,
                                                           const std::vector<std::string>& groups = {}) const;
  // A kubeconfig (context "sandbox") for url(), with the CA, token and admin client certificate when set.
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
