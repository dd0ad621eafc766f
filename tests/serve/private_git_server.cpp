// See private_git_server.hpp.
#include "private_git_server.hpp"

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "test_paths.hpp"

namespace gitmoor::test {

namespace fs = std::filesystem;

PrivateGitServer::PrivateGitServer(const fs::path& dir, const std::string& username, const std::string& password) {
  repo_ = std::make_unique<GitRemote>(dir / "served", "tetris.git");
  fs::copy(source_dir() / "examples/tetris", repo_->work(),
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  commit_ = repo_->commit("tetris: app and chart");
  http_ = std::make_unique<GitHttpServer>(dir / "served", username, password);
  ca_ = std::make_unique<TestCertificateAuthority>(dir / "pki", "gitmoor-private-git-ca");
  std::ifstream in(ca_->certificate());
  std::ostringstream pem;
  pem << in.rdbuf();
  ca_pem_ = pem.str();
  https_ = std::make_unique<GitHttpsServer>(*http_, ca_->issue("private-git", "IP:127.0.0.1"));
}

std::string PrivateGitServer::prefix() const { return https_->url(""); }

std::string repository_secret_yaml(const RepositorySecret& secret) {
  // JSON is YAML: every value quoted and escaped (a PEM's newlines included).
  nlohmann::json string_data{{"url", secret.url}};
  if (!secret.username.empty()) string_data["username"] = secret.username;
  if (!secret.password.empty()) string_data["password"] = secret.password;
  if (!secret.ca_pem.empty()) string_data["caData"] = secret.ca_pem;
  const nlohmann::json object{
      {"apiVersion", "v1"},
      {"kind", "Secret"},
      {"metadata", {{"name", secret.name}, {"namespace", secret.ns}, {"labels", {{secret.label, secret.type}}}}},
      {"type", "Opaque"},
      {"stringData", string_data}};
  return object.dump();
}

}  // namespace gitmoor::test
