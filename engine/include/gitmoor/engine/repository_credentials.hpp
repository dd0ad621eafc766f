#pragma once
// Repository credentials from labelled Secrets, the way Argo CD's declarative setup keeps them, so existing Argo CD
// Secrets work unchanged. A Secret labelled `gitmoor.dev/secret-type` (or Argo CD's `argocd.argoproj.io/secret-type`)
//   `repository`  holds the credentials of the one repository named in its `url`;
//   `repo-creds`  is a template for every repository whose URL starts with its `url`.
// An exact `repository` wins over any template; among templates the longest prefix wins (Argo CD's rules). URLs are
// compared as Argo CD compares them (see credential_url_key).
//
// Secret values stay in memory and in 0600 files under a private folder; they never reach a log, a status, an event
// or an error message (errors name the Secret, `Secret <namespace>/<name>`, never its data).
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "gitmoor/core/object.hpp"
#include "gitmoor/engine/repository.hpp"

namespace gitmoor::engine {

inline constexpr std::string_view kSecretTypeLabel = "gitmoor.dev/secret-type";
inline constexpr std::string_view kArgoSecretTypeLabel = "argocd.argoproj.io/secret-type";
// The label selectors the engine lists and watches Secrets with (one per label: selectors AND their terms).
inline constexpr std::string_view kSecretTypeSelector = "gitmoor.dev/secret-type in (repository,repo-creds)";
inline constexpr std::string_view kArgoSecretTypeSelector = "argocd.argoproj.io/secret-type in (repository,repo-creds)";
// SSH host keys for ssh:// repositories (Argo CD's argocd-ssh-known-hosts-cm format: OpenSSH known_hosts lines).
inline constexpr std::string_view kKnownHostsConfigMap = "gitmoor-ssh-known-hosts";
inline constexpr std::string_view kKnownHostsKey = "ssh_known_hosts";

// One credential Secret, decoded. Argo CD's `type`, `name` and `project` keys are read past.
struct CredentialSecret {
  std::string ns;
  std::string name;
  bool is_template = false;  // repo-creds
  std::string url;
  std::string username;
  std::string password;  // a password or a token (a GitHub personal access token)
  std::string ssh_private_key;
  std::string tls_client_cert_data;
  std::string tls_client_cert_key;
  std::string ca_data;  // PEM certificates trusted for the server besides the system's
  bool insecure = false;  // `insecure: "true"`: no SSH host key or TLS certificate check (Argo CD's meaning)

  // `Secret <namespace>/<name>`: how errors and logs name it.
  [[nodiscard]] std::string subject() const;
  bool operator==(const CredentialSecret&) const = default;
};

// The Secret as a credential: std::nullopt when it is not labelled as one (or labelled with another type, such as
// Argo CD's `cluster`). Throws core::InvalidInput naming the Secret when it is labelled but has no `url`.
std::optional<CredentialSecret> parse_credential_secret(const core::Json& secret);

// Argo CD's NormalizeGitURL: trimmed, lower-cased, scp-like `git@host:path` read as `host/path` (the first colon a
// slash, as ssh:// URLs become), a `.git` suffix and the `ssh://` scheme dropped. `exact` also drops trailing
// slashes (so `https://host/org/repo/` is the repository `https://host/org/repo`); a template's URL keeps them, so
// `https://host/org/` does not match `https://host/org-other/x`.
[[nodiscard]] std::string credential_url_key(std::string_view url, bool exact = true);

// The Secret whose credentials apply to `url` (nullptr: none): an exact `repository` first, else the template with
// the longest matching prefix. Ties go to the first in namespace/name order.
[[nodiscard]] const CredentialSecret* match_credentials(const std::vector<CredentialSecret>& secrets,
                                                        std::string_view url);

// What an update changed: the Secrets (by subject) added, changed or removed, and whether known_hosts did.
struct CredentialChange {
  std::set<std::string> secrets;
  bool known_hosts = false;
  [[nodiscard]] bool empty() const { return secrets.empty() && !known_hosts; }
};

// The credentials known now, and their files: an SSH key and CA certificates arrive as data, and libgit2 reads them
// from files, so each Secret gets a folder below `dir` (0700; named by a hash of the Secret's namespace/name) with
// 0600 files, rewritten (atomically, by rename) when the Secret changes and removed when it goes. Thread-safe.
class RepositoryCredentialStore {
 public:
  // Keeps its files in `parent`/<pid>-<n> (0700), its own however many stores share a cache folder; removes the
  // folders of processes that are gone (killed before they could clean up) and, when destroyed, its own.
  explicit RepositoryCredentialStore(const std::filesystem::path& parent);
  ~RepositoryCredentialStore();
  RepositoryCredentialStore(const RepositoryCredentialStore&) = delete;
  RepositoryCredentialStore& operator=(const RepositoryCredentialStore&) = delete;

  // Replaces everything known: the credential Secrets and the known_hosts text (std::nullopt: no ConfigMap).
  CredentialChange update(std::vector<CredentialSecret> secrets, std::optional<std::string> known_hosts);

  // What a Git operation on `url` uses: the matching Secret's credentials (username, password, SSH key and CA
  // files, insecure) naming it as `source`, and the ConfigMap's known_hosts for every repository when it exists.
  [[nodiscard]] RepositoryCredentials credentials_for(std::string_view url) const;

  [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

 private:
  [[nodiscard]] std::filesystem::path folder_of(const CredentialSecret& secret) const;
  void write_files(const CredentialSecret& secret) const;

  std::filesystem::path dir_;
  mutable std::mutex mutex_;
  std::vector<CredentialSecret> secrets_;  // sorted by namespace/name
  std::optional<std::string> known_hosts_;
};

}  // namespace gitmoor::engine
