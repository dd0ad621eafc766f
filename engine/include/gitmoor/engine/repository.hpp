#pragma once
// A Git repository as an Application names it: its URL and how to authenticate (Argo CD's repository secret).
#include <filesystem>
#include <string>

namespace gitmoor::engine {

struct RepositoryCredentials {
  // HTTP(S): basic auth. A GitHub token goes in `password` (any non-empty username, e.g. `x-access-token`).
  std::string username;
  std::string password;
  // SSH: a private key file (and its public key when the key needs it), checked against known_hosts.
  std::filesystem::path ssh_private_key;
  std::filesystem::path ssh_public_key;
  std::string ssh_passphrase;
  std::filesystem::path known_hosts;  // empty: ~/.ssh/known_hosts
  bool insecure_skip_host_key_check = false;  // also skips the TLS certificate check (Argo CD's `insecure`)
  // HTTPS: PEM certificates of the certificate authorities trusted for this repository besides the system's (a
  // private Git host; Argo CD's argocd-tls-certs-cm entry for the host). Empty: the system's only.
  std::filesystem::path ca_file;
  // Where these came from (`Secret gitmoor/private-repo`), named in errors so a user knows what to fix; never secret.
  std::string source;
  // Set when `source` asks for what the Git client cannot do (a TLS client certificate): every remote operation on
  // the repository fails with this message (naming `source`, never a value) before connecting.
  std::string unsupported;

  bool operator==(const RepositoryCredentials&) const = default;
};

struct Repository {
  std::string url;  // file://, git://, http(s)://, ssh:// or scp-style user@host:path
  RepositoryCredentials credentials;
};

}  // namespace gitmoor::engine
