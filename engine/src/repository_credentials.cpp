// See repository_credentials.hpp.
#include "gitmoor/engine/repository_credentials.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cctype>
#include <cstdio>
#include <functional>

#include "base64.hpp"
#include "gitmoor/core/error.hpp"

namespace gitmoor::engine {

namespace fs = std::filesystem;
using core::Json;

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(first, last - first + 1));
}

// Argo CD's IsSSHURL: `[ssh://]user@rest` with no `/` or `:` before the `@` and no second `@`.
bool is_ssh_url(const std::string& url) {
  const std::string_view rest = url.starts_with("ssh://") ? std::string_view(url).substr(6) : std::string_view(url);
  const auto at = rest.find('@');
  if (at == std::string_view::npos || rest.find('@', at + 1) != std::string_view::npos) return false;
  return rest.substr(0, at).find_first_of("/:") == std::string_view::npos;
}

// A value of the Secret: `data` (base64, as the API server returns it), else `stringData` (as written).
std::string value_of(const Json& secret, const char* key) {
  if (const auto data = secret.find("data"); data != secret.end() && data->is_object()) {
    if (const auto it = data->find(key); it != data->end() && it->is_string()) {
      return base64_decode(it->get<std::string>());
    }
  }
  if (const auto data = secret.find("stringData"); data != secret.end() && data->is_object()) {
    if (const auto it = data->find(key); it != data->end() && it->is_string()) return it->get<std::string>();
  }
  return {};
}

// Written to a temporary file and renamed over `path`, 0600 from creation: a Git operation reading it meanwhile
// sees the old content or the new, never half of one, and nobody else ever reads it.
void write_private_file(const fs::path& path, const std::string& content) {
  const fs::path tmp = path.string() + ".tmp";
  ::unlink(tmp.c_str());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw core::Error("cannot write " + path.string());
  std::size_t written = 0;
  while (written < content.size()) {
    const auto n = ::write(fd, content.data() + written, content.size() - written);
    if (n <= 0) {
      ::close(fd);
      ::unlink(tmp.c_str());
      throw core::Error("cannot write " + path.string());
    }
    written += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    throw core::Error("cannot write " + path.string());
  }
}

void create_private_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec) throw core::Error("cannot create " + dir.string() + ": " + ec.message());
}

const fs::path kSshKeyFile = "ssh-private-key";
const fs::path kCaFile = "ca.pem";
const fs::path kKnownHostsFile = "ssh_known_hosts";

}  // namespace

std::string CredentialSecret::subject() const { return "Secret " + ns + "/" + name; }

std::optional<CredentialSecret> parse_credential_secret(const Json& secret) {
  const Json metadata = secret.value("metadata", Json::object());
  const Json labels = metadata.value("labels", Json::object());
  // gitmoor's own label decides when both are present.
  std::string type;
  for (const auto label : {kSecretTypeLabel, kArgoSecretTypeLabel}) {
    if (const auto it = labels.find(std::string(label)); it != labels.end() && it->is_string()) {
      type = it->get<std::string>();
      break;
    }
  }
  if (type != "repository" && type != "repo-creds") return std::nullopt;
  CredentialSecret out;
  out.ns = metadata.value("namespace", "");
  out.name = metadata.value("name", "");
  out.is_template = type == "repo-creds";
  out.url = trim(value_of(secret, "url"));
  if (out.url.empty()) {
    throw core::InvalidInput(out.subject() + " is labelled as " + type + " credentials but has no url: ignored");
  }
  out.username = value_of(secret, "username");
  out.password = value_of(secret, "password");
  out.ssh_private_key = value_of(secret, "sshPrivateKey");
  out.tls_client_cert_data = value_of(secret, "tlsClientCertData");
  out.tls_client_cert_key = value_of(secret, "tlsClientCertKey");
  out.ca_data = value_of(secret, "caData");
  out.insecure = lower(trim(value_of(secret, "insecure"))) == "true";
  return out;
}

std::string credential_url_key(std::string_view url, bool exact) {
  std::string out = lower(trim(url));
  if (is_ssh_url(out) && !out.starts_with("ssh://")) {
    // `git@host:org/repo`: the first colon separates the host from the path, as the slash of an ssh:// URL does.
    if (const auto colon = out.find(':'); colon != std::string::npos) out[colon] = '/';
  } else if (out.starts_with("ssh://")) {
    out.erase(0, 6);
  }
  if (exact) {
    while (out.size() > 1 && out.back() == '/') out.pop_back();
  }
  if (out.ends_with(".git")) out.resize(out.size() - 4);
  return out;
}

const CredentialSecret* match_credentials(const std::vector<CredentialSecret>& secrets, std::string_view url) {
  const std::string key = credential_url_key(url);
  if (key.empty()) return nullptr;
  for (const auto& secret : secrets) {
    if (!secret.is_template && credential_url_key(secret.url) == key) return &secret;
  }
  const CredentialSecret* best = nullptr;
  std::size_t best_length = 0;
  for (const auto& secret : secrets) {
    if (!secret.is_template) continue;
    const std::string prefix = credential_url_key(secret.url, false);
    if (!prefix.empty() && key.starts_with(prefix) && prefix.size() > best_length) {
      best = &secret;
      best_length = prefix.size();
    }
  }
  return best;
}

RepositoryCredentialStore::RepositoryCredentialStore(const fs::path& parent) {
  static std::atomic<unsigned> instances{0};
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(parent, ec)) {
    const pid_t pid = static_cast<pid_t>(std::atol(entry.path().filename().c_str()));
    if (pid > 0 && pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH) fs::remove_all(entry.path(), ec);
  }
  dir_ = parent / (std::to_string(::getpid()) + "-" + std::to_string(instances++));
  fs::remove_all(dir_, ec);
  create_private_dir(parent);
  create_private_dir(dir_);
}

RepositoryCredentialStore::~RepositoryCredentialStore() {
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

fs::path RepositoryCredentialStore::folder_of(const CredentialSecret& secret) const {
  char hash[17];
  std::snprintf(hash, sizeof hash, "%016zx", std::hash<std::string>{}(secret.ns + "/" + secret.name));
  return dir_ / hash;
}

void RepositoryCredentialStore::write_files(const CredentialSecret& secret) const {
  const fs::path folder = folder_of(secret);
  create_private_dir(folder);
  std::error_code ec;
  if (secret.ssh_private_key.empty()) {
    fs::remove(folder / kSshKeyFile, ec);
  } else {
    // OpenSSH's format wants its final newline; a key pasted into a Secret often lost it.
    std::string key = secret.ssh_private_key;
    if (!key.ends_with('\n')) key += '\n';
    write_private_file(folder / kSshKeyFile, key);
  }
  if (secret.ca_data.empty()) {
    fs::remove(folder / kCaFile, ec);
  } else {
    write_private_file(folder / kCaFile, secret.ca_data);
  }
}

CredentialChange RepositoryCredentialStore::update(std::vector<CredentialSecret> secrets,
                                                   std::optional<std::string> known_hosts) {
  std::sort(secrets.begin(), secrets.end(), [](const CredentialSecret& a, const CredentialSecret& b) {
    return std::tie(a.ns, a.name) < std::tie(b.ns, b.name);
  });
  CredentialChange change;
  std::lock_guard lock(mutex_);
  const auto find = [](const std::vector<CredentialSecret>& in, const CredentialSecret& s) {
    return std::find_if(in.begin(), in.end(), [&](const CredentialSecret& x) { return x.ns == s.ns && x.name == s.name; });
  };
  for (const auto& secret : secrets) {
    const auto old = find(secrets_, secret);
    if (old != secrets_.end() && *old == secret) continue;
    write_files(secret);
    change.secrets.insert(secret.subject());
  }
  for (const auto& old : secrets_) {
    if (find(secrets, old) != secrets.end()) continue;
    std::error_code ec;
    fs::remove_all(folder_of(old), ec);
    change.secrets.insert(old.subject());
  }
  secrets_ = std::move(secrets);
  if (known_hosts != known_hosts_) {
    change.known_hosts = true;
    std::error_code ec;
    if (known_hosts) {
      write_private_file(dir_ / kKnownHostsFile, *known_hosts);
    } else {
      fs::remove(dir_ / kKnownHostsFile, ec);
    }
    known_hosts_ = std::move(known_hosts);
  }
  return change;
}

RepositoryCredentials RepositoryCredentialStore::credentials_for(std::string_view url) const {
  RepositoryCredentials out;
  std::lock_guard lock(mutex_);
  if (known_hosts_) out.known_hosts = dir_ / kKnownHostsFile;
  const CredentialSecret* secret = match_credentials(secrets_, url);
  if (secret == nullptr) return out;
  out.source = secret->subject();
  out.username = secret->username;
  out.password = secret->password;
  const fs::path folder = folder_of(*secret);
  if (!secret->ssh_private_key.empty()) out.ssh_private_key = folder / kSshKeyFile;
  if (!secret->ca_data.empty()) out.ca_file = folder / kCaFile;
  out.insecure_skip_host_key_check = secret->insecure;
  if (!secret->tls_client_cert_data.empty() || !secret->tls_client_cert_key.empty()) {
    out.unsupported = out.source +
                      " holds a TLS client certificate (tlsClientCertData/tlsClientCertKey): client certificates are "
                      "not supported by gitmoor's Git client (libgit2 1.5 cannot present one); use a username and "
                      "password or token, or an SSH key";
  }
  return out;
}

}  // namespace gitmoor::engine
