// The controller's metric labels: gitmoor_app_info of an app record (no credential from its repoURL, the running
// operation, automated sync on or off) and url_without_userinfo, which keeps credentials out of every label.
#include <catch2/catch.hpp>

#include "controller_impl.hpp"
#include "controller_metrics.hpp"
#include "gitmoor/engine/git_error.hpp"

using namespace gitmoor::engine;
using gitmoor::core::Json;

namespace {

AppRecord record_of(const std::string& yaml_sync_policy_json, const std::string& repo_url) {
  Json manifest{{"apiVersion", "gitmoor.dev/v1alpha1"},
                {"kind", "Application"},
                {"metadata", {{"name", "tetris"}, {"namespace", "gitmoor"}}},
                {"spec",
                 {{"project", "games"},
                  {"source", {{"repoURL", repo_url}, {"path", "helm/tetris"}, {"targetRevision", "main"}}},
                  {"destination", {{"server", "https://kubernetes.default.svc"}, {"namespace", "game"}}},
                  {"syncPolicy", Json::parse(yaml_sync_policy_json)}}}};
  AppRecord record;
  record.app = parse_application(manifest, ApplicationOrigin::Cluster, "test");
  record.status.sync_status = "OutOfSync";
  record.status.health = {gitmoor::differ::HealthStatus::Degraded, "backend: 0/2 ready"};
  return record;
}

}  // namespace

TEST_CASE("app_info labels: the app's place and state, its repository without credentials", "[metrics]") {
  auto record = record_of(R"({"automated": {"selfHeal": true}})", "https://x-access-token:ghp_secret@github.com/org/repo.git");
  CHECK(app_info_labels(record) == std::vector<std::string>{"tetris", "gitmoor", "games", "https://github.com/org/repo.git",
                                                            "https://kubernetes.default.svc", "game", "OutOfSync",
                                                            "Degraded", "", "true"});
  // A sync asked for and not finished: operation "sync". Automated sync off (also `enabled: false`): "false".
  record.requested_sync = SyncRequest{};
  CHECK(app_info_labels(record)[8] == "sync");
  auto manual = record_of(R"({"automated": {"enabled": false}})", "git@github.com:org/repo.git");
  CHECK(app_info_labels(manual)[3] == "git@github.com:org/repo.git");
  CHECK(app_info_labels(manual)[9] == "false");
}

TEST_CASE("url_without_userinfo drops user and password of scheme URLs and leaves the rest", "[metrics]") {
  CHECK(url_without_userinfo("https://user:token@git.example.com:8443/org/repo") == "https://git.example.com:8443/org/repo");
  CHECK(url_without_userinfo("https://token@github.com/org/repo") == "https://github.com/org/repo");
  CHECK(url_without_userinfo("ssh://git@github.com/org/repo.git") == "ssh://github.com/org/repo.git");
  CHECK(url_without_userinfo("https://github.com/org/repo@v1") == "https://github.com/org/repo@v1");  // '@' in the path
  CHECK(url_without_userinfo("git://127.0.0.1:9418/deploy") == "git://127.0.0.1:9418/deploy");
  CHECK(url_without_userinfo("git@github.com:org/repo.git") == "git@github.com:org/repo.git");
}
