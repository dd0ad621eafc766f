#pragma once
// A private Git host for end-to-end tests of repository credentials: `git http-backend` behind basic auth and TLS
// (a certificate a private CA signed, for 127.0.0.1), serving the tetris example (examples/tetris) as `tetris.git`.
// No credentials, wrong ones: 401. The CA is not trusted by the system: a client needs it (a Secret's caData).
//
//   PrivateGitServer git(env.dir() / "private-git", "deployer", "s3cret-password-value");
//   git.url()      https://127.0.0.1:PORT/tetris.git
//   git.prefix()   https://127.0.0.1:PORT/ (a repo-creds template's url)
//   git.ca_pem()   the CA certificate, PEM
//   env.kubectl_apply(repository_secret_yaml({.name = "tetris-repo", .url = git.url(), .username = "deployer",
//                                             .password = "s3cret-password-value", .ca_pem = git.ca_pem()}));
#include <filesystem>
#include <memory>
#include <string>

#include "git_fixtures.hpp"

namespace gitmoor::test {

class PrivateGitServer {
 public:
  PrivateGitServer(const std::filesystem::path& dir, const std::string& username, const std::string& password);

  [[nodiscard]] std::string url() const { return https_->url("tetris.git"); }
  [[nodiscard]] std::string prefix() const;
  [[nodiscard]] const std::string& ca_pem() const { return ca_pem_; }
  [[nodiscard]] const std::string& commit() const { return commit_; }  // of the tetris example
  GitRemote& repo() { return *repo_; }
  [[nodiscard]] std::size_t rejected() const { return http_->rejected(); }      // 401 answers
  [[nodiscard]] std::size_t upload_packs() const { return http_->upload_packs(); }

 private:
  std::unique_ptr<GitRemote> repo_;
  std::string commit_;
  std::unique_ptr<GitHttpServer> http_;
  std::unique_ptr<TestCertificateAuthority> ca_;
  std::string ca_pem_;
  std::unique_ptr<GitHttpsServer> https_;
};

// A repository credential Secret as a user writes it (stringData), for `kubectl apply`.
struct RepositorySecret {
  std::string name;
  std::string ns = "gitmoor";
  std::string label = "gitmoor.dev/secret-type";  // or argocd.argoproj.io/secret-type
  std::string type = "repository";                 // or repo-creds
  std::string url;
  std::string username;
  std::string password;
  std::string ca_pem;  // caData
};
std::string repository_secret_yaml(const RepositorySecret& secret);

}  // namespace gitmoor::test
