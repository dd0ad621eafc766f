// `gitmoor serve` and repository credentials from labelled Secrets, end to end: the tetris example on an https Git
// server that requires basic auth (its CA trusted through a Secret's caData), Secrets created, changed and deleted
// with kubectl while serve runs, and no password anywhere: not in the Application (API or custom resource), its
// events, serve's log or serve's cache folder.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "private_git_server.hpp"
#include "serve_env.hpp"

using namespace gitmoor::test;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

const std::string kPassword = "s3cret-password-value";
const std::string kWrongPassword = "wrong-password-value";
const std::string kSecretText = "password-value";  // in both: what must never show

std::function<bool(const Json&)> comparison_error_naming(const std::string& text) {
  return [text](const Json& app) {
    return has_condition(app, "ComparisonError") && condition_message(app, "ComparisonError").find(text) != std::string::npos;
  };
}

bool synced_at(const Json& app, const std::string& commit) {
  return sync_status(app) == "Synced" && revision(app) == commit && !has_condition(app, "ComparisonError");
}

// Every file below `dir` whose content holds `text`.
std::vector<std::string> files_holding(const fs::path& dir, const std::string& text) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec || !it->is_regular_file(ec)) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    if (content.str().find(text) != std::string::npos) out.push_back(it->path().string());
  }
  return out;
}

void check_no_secret_shown(ServeEnv& env) {
  INFO("serve log:\n" << env.serve().output());
  CHECK(env.serve().output().find(kSecretText) == std::string::npos);
  CHECK(env.app("tetris").dump().find(kSecretText) == std::string::npos);
  CHECK(env.app_resource("tetris").dump().find(kSecretText) == std::string::npos);
  const auto events = http_request(env.api(), "GET", "/api/v1/applications/tetris/events");
  CHECK(events.status == 200);
  CHECK(events.body.find(kSecretText) == std::string::npos);
  CHECK(env.kubectl({"get", "events", "-A", "-o", "json"}).find(kSecretText) == std::string::npos);
  CHECK(files_holding(env.dir() / "cache-0", kSecretText).empty());
}

}  // namespace

TEST_CASE("serve: credentials from a labelled Secret reach a basic-auth https repository, applied live, never shown",
          "[serve][credentials]") {
  ServeEnv env;
  env.install_crd();
  PrivateGitServer git(env.dir() / "private-git", "deployer", kPassword);
  // The CA alone, for every repository on the host (a template without credentials): the server is trusted and
  // answers 401, as a private GitHub repository does.
  env.kubectl_apply(repository_secret_yaml(
      {.name = "private-git-ca", .type = "repo-creds", .url = git.prefix(), .ca_pem = git.ca_pem()}));
  env.kubectl_apply(application_yaml("tetris", git.url(), "helm/tetris", "game",
                                     "    automated:\n      prune: true\n"
                                     "    syncOptions:\n      - CreateNamespace=true\n"));
  env.start_serve();

  // No credentials: an authentication failure that says so.
  auto app = env.wait_app("tetris", comparison_error_naming("none are configured for this repository"));
  CHECK_THAT(condition_message(app, "ComparisonError"), Contains("authentication failed"));
  CHECK(git.rejected() >= 1);

  // The Secret created: the app syncs, without a restart.
  env.kubectl_apply(repository_secret_yaml({.name = "tetris-repo",
                                            .url = git.url(),
                                            .username = "deployer",
                                            .password = kPassword,
                                            .ca_pem = git.ca_pem()}));
  app = env.wait_app("tetris", [&](const Json& a) { return synced_at(a, git.commit()); }, std::chrono::seconds(90));
  check_no_secret_shown(env);

  // The password changed to a wrong one: an error naming the Secret, not the value.
  env.kubectl_apply(repository_secret_yaml({.name = "tetris-repo",
                                            .url = git.url(),
                                            .username = "deployer",
                                            .password = kWrongPassword,
                                            .ca_pem = git.ca_pem()}));
  app = env.wait_app("tetris", comparison_error_naming("Secret gitmoor/tetris-repo"));
  CHECK_THAT(condition_message(app, "ComparisonError"), Contains("rejected the configured credentials"));
  check_no_secret_shown(env);

  // gitmoor's Secrets gone, an Argo CD repo-creds Secret in their place (a new commit shows it is used): synced.
  env.kubectl({"delete", "secret", "tetris-repo", "private-git-ca", "-n", "gitmoor"});
  env.kubectl_apply(repository_secret_yaml({.name = "argocd-repo-creds",
                                            .label = "argocd.argoproj.io/secret-type",
                                            .type = "repo-creds",
                                            .url = git.prefix(),
                                            .username = "deployer",
                                            .password = kPassword,
                                            .ca_pem = git.ca_pem()}));
  git.repo().write("PRIVATE.md", "tetris, from a private repository\n");
  const std::string second = git.repo().commit("tetris: notes");
  app = env.wait_app("tetris", [&](const Json& a) { return synced_at(a, second); }, std::chrono::seconds(90));
  check_no_secret_shown(env);
  CHECK(env.serve().running());
}
