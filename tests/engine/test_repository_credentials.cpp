// Repository credentials from labelled Secrets: which Secret a URL gets (exact `repository` over `repo-creds`
// templates, longest prefix, Argo CD's label, URLs compared as Argo CD compares them), the files an SSH key and CA
// certificates become (0600, rewritten on change, removed with the Secret), and an SSH fetch through them.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "git_fixtures.hpp"
#include "gitmoor/engine/git_source.hpp"
#include "gitmoor/engine/repository_credentials.hpp"

using namespace gitmoor;
using engine::CredentialSecret;
using Json = nlohmann::json;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

std::string b64(const std::string& data) {
  static const char* chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8) |
                       static_cast<unsigned char>(data[i + 2]);
    for (int s : {18, 12, 6, 0}) out += chars[(v >> s) & 63];
  }
  if (i + 1 == data.size()) {
    const unsigned v = static_cast<unsigned char>(data[i]) << 16;
    out += chars[(v >> 18) & 63];
    out += chars[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == data.size()) {
    const unsigned v = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8);
    out += chars[(v >> 18) & 63];
    out += chars[(v >> 12) & 63];
    out += chars[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

// A Secret as the API server returns it: labels, and every value base64 under `data`.
Json secret(const std::string& name, const std::string& label, const std::string& type,
            const std::map<std::string, std::string>& values) {
  Json data = Json::object();
  for (const auto& [key, value] : values) data[key] = b64(value);
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", {{"name", name}, {"namespace", "gitmoor"}, {"labels", {{label, type}}}}},
          {"data", data}};
}

CredentialSecret credential(const Json& object) {
  auto parsed = engine::parse_credential_secret(object);
  REQUIRE(parsed);
  return *parsed;
}

CredentialSecret exact(const std::string& name, const std::string& url) {
  return credential(secret(name, "gitmoor.dev/secret-type", "repository", {{"url", url}, {"password", name}}));
}

CredentialSecret prefix(const std::string& name, const std::string& url) {
  return credential(secret(name, "gitmoor.dev/secret-type", "repo-creds", {{"url", url}, {"password", name}}));
}

std::string matched(const std::vector<CredentialSecret>& secrets, const std::string& url) {
  const auto* found = engine::match_credentials(secrets, url);
  return found == nullptr ? "" : found->name;
}

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

unsigned mode(const fs::path& path) {
  struct stat st{};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

}  // namespace

TEST_CASE("repository credentials: URLs compare as Argo CD compares them", "[engine][credentials]") {
  using engine::credential_url_key;
  // Case, a .git suffix and a trailing slash do not make another repository.
  CHECK(credential_url_key("https://GitHub.com/Acme/Tetris.git") == credential_url_key("https://github.com/acme/tetris"));
  CHECK(credential_url_key("https://github.com/acme/tetris/") == credential_url_key("https://github.com/acme/tetris"));
  CHECK(credential_url_key("  https://github.com/acme/tetris\n") == "https://github.com/acme/tetris");
  // scp-like and ssh:// spell the same SSH repository.
  CHECK(credential_url_key("git@github.com:acme/tetris.git") == credential_url_key("ssh://git@github.com/acme/tetris"));
  CHECK(credential_url_key("git@github.com:acme/tetris.git") == "git@github.com/acme/tetris");
  // The scheme is kept: http:// and https:// are different servers.
  CHECK(credential_url_key("http://github.com/acme/tetris") != credential_url_key("https://github.com/acme/tetris"));
  // A template keeps its trailing slash, so it only covers what lies below it.
  CHECK(credential_url_key("https://github.com/acme/", false) == "https://github.com/acme/");
}

TEST_CASE("repository credentials: an exact repository wins over templates, the longest template prefix wins",
          "[engine][credentials]") {
  const std::vector<CredentialSecret> secrets{
      prefix("org", "https://github.com/acme/"), prefix("host", "https://github.com/"),
      exact("tetris", "https://github.com/acme/tetris.git"), prefix("team", "https://github.com/acme/games/"),
      exact("ssh-tetris", "git@github.com:acme/tetris.git")};
  CHECK(matched(secrets, "https://github.com/acme/tetris") == "tetris");
  CHECK(matched(secrets, "https://github.com/ACME/Tetris.git/") == "tetris");
  CHECK(matched(secrets, "https://github.com/acme/snake") == "org");
  CHECK(matched(secrets, "https://github.com/acme/games/pong.git") == "team");
  CHECK(matched(secrets, "https://github.com/acme-other/x") == "host");  // `acme/` does not cover `acme-other`
  CHECK(matched(secrets, "https://gitlab.com/acme/tetris") == "");
  CHECK(matched(secrets, "ssh://git@github.com/acme/tetris") == "ssh-tetris");
  CHECK(matched(secrets, "http://github.com/acme/tetris") == "");
  CHECK(matched(secrets, "") == "");
}

TEST_CASE("repository credentials: Argo CD's label and keys are read, other Secrets are not credentials",
          "[engine][credentials]") {
  const auto argo = credential(secret("argo-repo", "argocd.argoproj.io/secret-type", "repo-creds",
                                      {{"url", "https://github.com/acme"},
                                       {"type", "git"},
                                       {"name", "acme"},
                                       {"project", "default"},
                                       {"username", "x-access-token"},
                                       {"password", "ghp_token-value"},
                                       {"sshPrivateKey", "KEY"},
                                       {"caData", "CA"},
                                       {"insecure", "True"}}));
  CHECK(argo.is_template);
  CHECK(argo.url == "https://github.com/acme");
  CHECK(argo.username == "x-access-token");
  CHECK(argo.password == "ghp_token-value");
  CHECK(argo.ssh_private_key == "KEY");
  CHECK(argo.ca_data == "CA");
  CHECK(argo.insecure);
  CHECK(argo.subject() == "Secret gitmoor/argo-repo");

  // Argo CD's cluster Secrets, unlabelled Secrets and unknown types are not credentials.
  CHECK_FALSE(engine::parse_credential_secret(secret("c", "argocd.argoproj.io/secret-type", "cluster", {})));
  CHECK_FALSE(engine::parse_credential_secret(secret("c", "app", "repository", {{"url", "https://x"}})));
  // gitmoor's label decides when a Secret has both.
  auto both = secret("both", "gitmoor.dev/secret-type", "repository", {{"url", "https://x/y"}});
  both["metadata"]["labels"]["argocd.argoproj.io/secret-type"] = "cluster";
  CHECK_FALSE(credential(both).is_template);
  // stringData (as written, before the API server folds it into data) is read too.
  Json written = secret("w", "gitmoor.dev/secret-type", "repository", {});
  written["stringData"] = {{"url", "https://x/z"}, {"password", "p"}};
  CHECK(credential(written).password == "p");

  // A labelled Secret without a url is an error naming the Secret, and nothing of its data.
  try {
    (void)engine::parse_credential_secret(
        secret("no-url", "gitmoor.dev/secret-type", "repository", {{"password", "password-value"}}));
    FAIL("expected an error");
  } catch (const std::exception& e) {
    CHECK_THAT(e.what(), Contains("Secret gitmoor/no-url") && Contains("no url"));
    CHECK_THAT(e.what(), !Contains("password-value"));
  }
}

TEST_CASE("repository credentials: the store writes 0600 files, rewrites them on change, removes them with the Secret",
          "[engine][credentials]") {
  test::ScratchDir dir;
  auto store = std::make_unique<engine::RepositoryCredentialStore>(dir.path() / "credentials");
  CHECK(mode(store->dir()) == 0700);
  auto key_secret = credential(secret("deploy-key", "gitmoor.dev/secret-type", "repository",
                                      {{"url", "git@github.com:acme/tetris.git"}, {"sshPrivateKey", "KEY-ONE"}}));
  auto ca_secret = credential(secret("private-ca", "argocd.argoproj.io/secret-type", "repo-creds",
                                     {{"url", "https://git.example/"}, {"caData", "PEM"}, {"username", "u"},
                                      {"password", "password-value"}, {"insecure", "false"}}));
  auto change = store->update({key_secret, ca_secret}, std::string("github.com ssh-ed25519 AAAA\n"));
  CHECK(change.secrets == std::set<std::string>{"Secret gitmoor/deploy-key", "Secret gitmoor/private-ca"});
  CHECK(change.known_hosts);

  auto ssh = store->credentials_for("ssh://git@github.com/acme/tetris");
  CHECK(ssh.source == "Secret gitmoor/deploy-key");
  REQUIRE_FALSE(ssh.ssh_private_key.empty());
  CHECK(read(ssh.ssh_private_key) == "KEY-ONE\n");  // OpenSSH's final newline restored
  CHECK(mode(ssh.ssh_private_key) == 0600);
  CHECK(mode(ssh.ssh_private_key.parent_path()) == 0700);
  CHECK(read(ssh.known_hosts) == "github.com ssh-ed25519 AAAA\n");

  auto https = store->credentials_for("https://git.example/team/app.git");
  CHECK(https.source == "Secret gitmoor/private-ca");
  CHECK(https.username == "u");
  CHECK(https.password == "password-value");
  CHECK(read(https.ca_file) == "PEM");
  CHECK(mode(https.ca_file) == 0600);
  CHECK_FALSE(https.insecure_skip_host_key_check);
  CHECK(https.known_hosts == ssh.known_hosts);  // known_hosts serves every repository

  // Unchanged: nothing to refresh.
  CHECK(store->update({key_secret, ca_secret}, std::string("github.com ssh-ed25519 AAAA\n")).empty());

  // The key rotated: same path, new content. The CA Secret deleted and the ConfigMap gone: files removed.
  key_secret.ssh_private_key = "KEY-TWO\n";
  change = store->update({key_secret}, std::nullopt);
  CHECK(change.secrets == std::set<std::string>{"Secret gitmoor/deploy-key", "Secret gitmoor/private-ca"});
  CHECK(change.known_hosts);
  CHECK(read(ssh.ssh_private_key) == "KEY-TWO\n");
  CHECK_FALSE(fs::exists(https.ca_file));
  CHECK_FALSE(fs::exists(https.ca_file.parent_path()));
  CHECK_FALSE(fs::exists(ssh.known_hosts));
  CHECK(store->credentials_for("https://git.example/team/app.git") == engine::RepositoryCredentials{});

  // The store's folder goes with it.
  const auto folder = store->dir();
  store.reset();
  CHECK_FALSE(fs::exists(folder));
}

TEST_CASE("repository credentials: a TLS client certificate is refused with an error naming the Secret, not its data",
          "[engine][credentials]") {
  test::ScratchDir dir;
  test::GitRemote remote(dir.path() / "served", "tetris.git");
  remote.commit("first");
  test::GitHttpServer server(dir.path() / "served", "deployer", "password-value");
  engine::RepositoryCredentialStore store(dir.path() / "credentials");
  store.update({credential(secret("client-cert", "gitmoor.dev/secret-type", "repository",
                                  {{"url", server.url("tetris.git")},
                                   {"username", "deployer"},
                                   {"password", "password-value"},
                                   {"tlsClientCertData", "CERT-DATA"},
                                   {"tlsClientCertKey", "KEY-DATA"}}))},
               std::nullopt);
  engine::GitSource source({.cache_dir = dir.path() / "cache"});
  const engine::Repository repository{.url = server.url("tetris.git"),
                                      .credentials = store.credentials_for(server.url("tetris.git"))};
  try {
    (void)source.resolve(repository, "main");
    FAIL("expected a GitError");
  } catch (const engine::GitError& e) {
    CHECK(e.kind() == engine::GitErrorKind::AuthenticationFailed);
    CHECK_THAT(e.what(), Contains("Secret gitmoor/client-cert") && Contains("client certificates are not supported"));
    for (const char* secret_text : {"password-value", "CERT-DATA", "KEY-DATA"}) CHECK_THAT(e.what(), !Contains(secret_text));
  }
  CHECK(server.ref_advertisements() == 0);  // refused before connecting
}

TEST_CASE("repository credentials: an SSH key and known_hosts given as data fetch over ssh://", "[engine][credentials]") {
  test::ScratchDir dir;
  test::GitRemote remote(dir.path() / "served", "tetris.git");
  const std::string first = remote.commit("first");
  test::GitSshServer server(dir.path() / "served", dir.path() / "sshd");
  engine::RepositoryCredentialStore store(dir.path() / "credentials");
  store.update({credential(secret("deploy-key", "gitmoor.dev/secret-type", "repo-creds",
                                  {{"url", server.url("")}, {"sshPrivateKey", read(server.client_key())}}))},
               read(server.known_hosts()));
  engine::GitSource source({.cache_dir = dir.path() / "cache"});
  const engine::Repository repository{.url = server.url("tetris.git"),
                                      .credentials = store.credentials_for(server.url("tetris.git"))};
  CHECK(repository.credentials.source == "Secret gitmoor/deploy-key");
  INFO("sshd log:\n" << server.log());
  CHECK(source.resolve(repository, "main") == first);

  // Without the ConfigMap's host keys (and none in ~/.ssh for this port) the host is refused.
  store.update({credential(secret("deploy-key", "gitmoor.dev/secret-type", "repo-creds",
                                  {{"url", server.url("")}, {"sshPrivateKey", read(server.client_key())}}))},
               std::string("github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n"));
  remote.write("f", "x");
  remote.commit("second");
  try {
    (void)source.resolve(repository, "main");
    FAIL("expected a GitError");
  } catch (const engine::GitError& e) {
    CHECK(e.kind() == engine::GitErrorKind::AuthenticationFailed);
    CHECK_THAT(e.what(), Contains("is not in"));
  }
}
