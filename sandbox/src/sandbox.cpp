#include "gitmoor/sandbox/sandbox.hpp"

#include <fstream>
#include <random>

#include "defaults.hpp"
#include "gitmoor/core/error.hpp"
#include "server.hpp"
#include "tls.hpp"

namespace gitmoor::sandbox {

namespace {
std::string random_token() {
  std::random_device rd;
  std::string out;
  const char* digits = "0123456789abcdef";
  for (int i = 0; i < 32; ++i) out += digits[rd() % 16];
  return out;
}
}  // namespace

struct Sandbox::Impl {
  SandboxOptions options;
  std::unique_ptr<ApiServer> api;
  std::unique_ptr<HttpServer> server;
  TlsMaterial tls;
  CertificateAuthority client_ca;  // the sandbox's own, with client_certificates
  ClientCertificate admin;         // signed by client_ca, presented by kubeconfig()
  bool stopped = false;
};

Sandbox::Sandbox(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Sandbox::~Sandbox() { stop(); }

std::unique_ptr<Sandbox> Sandbox::start(SandboxOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  bool client_certificates = options.client_certificates || !options.client_ca_pem.empty();
  if (client_certificates && !options.tls) {
    throw core::InvalidInput("sandbox: client certificates need TLS (set tls)");
  }
  if (options.authorization == Authorization::Rbac && options.token.empty() && !client_certificates) {
    impl->options.token = options.token = random_token();  // RBAC needs an admin identity for kubeconfig()
  }
  impl->api = std::make_unique<ApiServer>(ApiOptions{.controllers = options.controllers,
                                                     .pod_ready_delay = options.pod_ready_delay,
                                                     .hpa_sync_period = options.hpa_sync_period,
                                                     .event_history = options.event_history,
                                                     .token = options.token,
                                                     .client_certificates = client_certificates,
                                                     .authorization = options.authorization});
  ServerOptions server_options{.host = options.host,
                               .port = options.port,
                               .max_connections = options.max_connections,
                               .idle_timeout = options.idle_timeout};
  if (options.tls) {
    impl->tls = generate_tls(options.host);
    server_options.cert_pem = impl->tls.cert_pem;
    server_options.key_pem = impl->tls.key_pem;
    if (!options.client_ca_pem.empty()) server_options.client_ca_pems.push_back(options.client_ca_pem);
    if (options.client_certificates) {
      impl->client_ca = generate_client_ca();
      impl->admin = sandbox::issue_client_certificate(impl->client_ca, "sandbox-admin", {"system:masters"});
      server_options.client_ca_pems.push_back(impl->client_ca.cert_pem);
    }
  }
  impl->server = std::make_unique<HttpServer>(*impl->api, server_options);
  return std::unique_ptr<Sandbox>(new Sandbox(std::move(impl)));
}

std::string Sandbox::url() const {
  std::string host = impl_->options.host;
  if (host == "0.0.0.0" || host.empty()) host = "127.0.0.1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return std::string(impl_->options.tls ? "https" : "http") + "://" + host + ":" + std::to_string(port());
}

std::uint16_t Sandbox::port() const { return impl_->server ? impl_->server->port() : 0; }

const std::string& Sandbox::ca_pem() const { return impl_->tls.ca_pem; }

const std::string& Sandbox::client_ca_pem() const { return impl_->client_ca.cert_pem; }

ClientCertificate Sandbox::issue_client_certificate(const std::string& user,
                                                    const std::vector<std::string>& groups) const {
  if (impl_->client_ca.key_pem.empty()) {
    throw core::InvalidInput("sandbox: issue_client_certificate needs the client_certificates option");
  }
  return sandbox::issue_client_certificate(impl_->client_ca, user, groups);
}

std::string Sandbox::kubeconfig() const {
  std::string out = "apiVersion: v1\nkind: Config\nclusters:\n- name: sandbox\n  cluster:\n    server: " + url() + "\n";
  if (impl_->options.tls) out += "    certificate-authority-data: " + base64_encode(impl_->tls.ca_pem) + "\n";
  out += "users:\n- name: sandbox\n  user:";
  std::string user;
  if (!impl_->admin.cert_pem.empty()) {
    user += "\n    client-certificate-data: " + base64_encode(impl_->admin.cert_pem);
    user += "\n    client-key-data: " + base64_encode(impl_->admin.key_pem);
  }
  if (!impl_->options.token.empty()) user += "\n    token: \"" + impl_->options.token + "\"";
  out += user.empty() ? " {}\n" : user + "\n";
  out += "contexts:\n- name: sandbox\n  context:\n    cluster: sandbox\n    user: sandbox\n    namespace: default\n";
  out += "current-context: sandbox\npreferences: {}\n";
  return out;
}

std::string Sandbox::write_kubeconfig(const std::filesystem::path& path) const {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::trunc);
  out << kubeconfig();
  out.close();
  if (!out) throw core::EnvironmentError("sandbox: cannot write kubeconfig " + path.string());
  std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  return path.string();
}

ApiServer& Sandbox::api() { return *impl_->api; }

void Sandbox::stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  impl_->api->shutdown();
  if (impl_->server) impl_->server->stop();
}

}  // namespace gitmoor::sandbox
