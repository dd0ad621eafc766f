#include "remote_callbacks.hpp"

#include <cstdlib>
#include <string>


#include "git_tls_trust.hpp"
#include "known_hosts.hpp"

namespace gitmoor::engine {

namespace {

std::string_view ssh_key_type(git_cert_ssh_raw_type_t type) {
  switch (type) {
    case GIT_CERT_SSH_RAW_TYPE_RSA: return "ssh-rsa";
    case GIT_CERT_SSH_RAW_TYPE_DSS: return "ssh-dss";
    case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_256: return "ecdsa-sha2-nistp256";
    case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_384: return "ecdsa-sha2-nistp384";
    case GIT_CERT_SSH_RAW_TYPE_KEY_ECDSA_521: return "ecdsa-sha2-nistp521";
    case GIT_CERT_SSH_RAW_TYPE_KEY_ED25519: return "ssh-ed25519";
    default: return "unknown";
  }
}

std::filesystem::path default_known_hosts() {
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr ? home : "/") / ".ssh" / "known_hosts";
}

}  // namespace

git_remote_callbacks RemoteCallbacks::callbacks() {
  git_remote_callbacks callbacks = GIT_REMOTE_CALLBACKS_INIT;
  callbacks.credentials = &RemoteCallbacks::on_credentials;
  callbacks.certificate_check = &RemoteCallbacks::on_certificate;
  callbacks.transfer_progress = &RemoteCallbacks::on_transfer;
  callbacks.sideband_progress = &RemoteCallbacks::on_sideband;
  callbacks.payload = this;
  return callbacks;
}

int RemoteCallbacks::on_credentials(git_credential** out, const char* /*url*/, const char* username_from_url,
                                    unsigned int allowed_types, void* payload) {
  auto* self = static_cast<RemoteCallbacks*>(payload);
  const RepositoryCredentials& c = self->repository_.credentials;
  // libgit2 asks again after a rejection: answering again would loop (and lock accounts); one offer only.
  if (self->auth_.offered > 0) {
    ++self->auth_.offered;
    git_error_set_str(GIT_ERROR_NET, "authentication failed");
    return GIT_EAUTH;
  }
  if ((allowed_types & GIT_CREDENTIAL_SSH_KEY) != 0 && !c.ssh_private_key.empty()) {
    ++self->auth_.offered;
    const std::string user = username_from_url != nullptr ? username_from_url
                             : c.username.empty()         ? std::string("git")
                                                          : c.username;
    const std::string public_key = c.ssh_public_key.string();
    return git_credential_ssh_key_new(out, user.c_str(), public_key.empty() ? nullptr : public_key.c_str(),
                                      c.ssh_private_key.c_str(),
                                      c.ssh_passphrase.empty() ? nullptr : c.ssh_passphrase.c_str());
  }
  if ((allowed_types & GIT_CREDENTIAL_USERPASS_PLAINTEXT) != 0 && !c.password.empty()) {
    ++self->auth_.offered;
    const std::string user = !c.username.empty()          ? c.username
                             : username_from_url != nullptr ? username_from_url
                                                            : "x-access-token";
    return git_credential_userpass_plaintext_new(out, user.c_str(), c.password.c_str());
  }
  self->auth_.missing = true;
  git_error_set_str(GIT_ERROR_NET, "credentials required");
  return GIT_EAUTH;
}

int RemoteCallbacks::on_certificate(git_cert* cert, int valid, const char* host, void* payload) {
  auto* self = static_cast<RemoteCallbacks*>(payload);
  if (cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2) return self->check_tls_certificate(cert, valid != 0, host);
  const RepositoryCredentials& c = self->repository_.credentials;
  if (c.insecure_skip_host_key_check) return 0;
  const auto* key = reinterpret_cast<const git_cert_hostkey*>(cert);
  if ((key->type & GIT_CERT_SSH_RAW) == 0) {
    self->auth_.host_key_rejected = true;
    self->auth_.host_key_detail = "the SSH server's host key cannot be checked (no raw key available)";
    return GIT_ECERTIFICATE;
  }
  // The URL's port is not passed here; parse it from the repository URL (ssh://host:port/...).
  int port = 22;
  const std::string& url = self->repository_.url;
  if (url.starts_with("ssh://")) {
    const auto authority = url.substr(6, url.find('/', 6) - 6);
    const auto colon = authority.rfind(':');
    if (colon != std::string::npos && authority.find(']') == std::string::npos) {
      port = std::atoi(authority.substr(colon + 1).c_str());
    }
  }
  const auto known_hosts = c.known_hosts.empty() ? default_known_hosts() : c.known_hosts;
  const auto type = ssh_key_type(key->raw_type);
  const auto match = check_known_host(known_hosts, host, port, type,
                                      std::string_view(key->hostkey, key->hostkey_len));
  if (match == HostKeyMatch::Match) return 0;
  self->auth_.host_key_rejected = true;
  self->auth_.host_key_detail = std::string(match == HostKeyMatch::Mismatch
                                                ? "the SSH host key of " + std::string(host) +
                                                      " does not match known_hosts (possible man-in-the-middle)"
                                                : "the SSH host " + std::string(host) + " (" + std::string(type) +
                                                      ") is not in " + known_hosts.string());
  return GIT_ECERTIFICATE;
}

int RemoteCallbacks::check_tls_certificate(git_cert* cert, bool valid, const std::string& host) {
  if (valid) return 0;  // libgit2 verified it against the system's certificate authorities
  // A repository marked insecure (Argo CD's `insecure: "true"`) is used whatever certificate it shows.
  if (repository_.credentials.insecure_skip_host_key_check) return 0;
  const auto& ca_file = repository_.credentials.ca_file;
  std::string reason = "it is not signed by a certificate authority the system trusts, and no CA file is configured";
  if (cert->cert_type == GIT_CERT_X509 && !ca_file.empty()) {
    const auto* x509 = reinterpret_cast<const git_cert_x509*>(cert);
    reason = certificate_untrusted_reason({static_cast<const char*>(x509->data), x509->len}, ca_file, host);
    if (reason.empty()) return 0;
    reason += " (checked against " + ca_file.string() + ")";
  }
  auth_.host_key_rejected = true;
  auth_.host_key_detail = "the TLS certificate of " + host + " is not trusted: " + reason;
  return GIT_ECERTIFICATE;
}

int RemoteCallbacks::on_transfer(const git_indexer_progress* /*stats*/, void* payload) {
  auto* self = static_cast<RemoteCallbacks*>(payload);
  if (std::chrono::steady_clock::now() > self->deadline_) {
    git_error_set_str(GIT_ERROR_NET, "the operation passed its deadline");
    return -1;
  }
  return 0;
}

int RemoteCallbacks::on_sideband(const char* /*text*/, int /*length*/, void* payload) {
  return on_transfer(nullptr, payload);
}

}  // namespace gitmoor::engine
