// Bad input never costs the cluster anything: a helm error, an invalid-YAML commit and an unreachable Git server are
// conditions with a clear message, nothing is pruned and the last good state stays; an empty render prunes nothing
// without allowEmpty.
#include <catch2/catch.hpp>

#include "serve_env.hpp"

using namespace gitmoor::test;

namespace {

const std::string kPolicy = "    automated:\n      prune: true\n      selfHeal: true\n"
                            "    syncOptions:\n      - CreateNamespace=true\n";

bool exists(ServeEnv& env, const std::string& kind, const std::string& name, const std::string& ns) {
  return env.kubectl_json({"get", kind, name, "-n", ns}).has_value();
}

}  // namespace

TEST_CASE("a helm error, an invalid-YAML commit and an unreachable Git server keep the last good state", "[serve]") {
  ServeEnv env;
  env.install_crd();
  env.commit_example();
  env.repo().write("config/settings.yaml",
                   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  level: \"1\"\n---\n"
                   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  a: b\n");
  const std::string good = env.repo().commit("chart and config");
  env.start_serve();
  env.kubectl_apply(application_yaml("chart", env.repo_url(), "helm/tetris", "game", kPolicy));
  env.kubectl_apply(application_yaml("config", env.repo_url(), "config", "config", kPolicy));
  for (const auto* name : {"chart", "config"}) {
    env.wait_app(name, [&](const Json& a) { return sync_status(a) == "Synced" && revision(a) == good; });
  }

  // A template helm cannot render, and a manifest that is not YAML, in one commit.
  env.repo().write("helm/tetris/templates/broken.yaml", "{{ .Values.does.not.exist }}\n");
  env.repo().write("config/settings.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n"
                                           "data:\n  level: [unclosed\n");
  env.repo().commit("broken");

  auto chart = env.wait_app("chart", [](const Json& a) { return has_condition(a, "ComparisonError"); });
  CHECK_THAT(condition_message(chart, "ComparisonError"), Catch::Contains("broken.yaml"));
  CHECK(revision(chart) == good);  // the last good comparison stays
  auto config = env.wait_app("config", [](const Json& a) { return has_condition(a, "ComparisonError"); });
  CHECK_THAT(condition_message(config, "ComparisonError"), Catch::Contains("settings.yaml:"));  // file:line
  // Nothing was pruned, nothing was changed.
  CHECK(exists(env, "deployment", "game-backend", "game"));
  CHECK(exists(env, "configmap", "settings", "config"));
  CHECK(exists(env, "configmap", "extra", "config"));

  // The Git server goes away: a condition naming the repository; still nothing pruned.
  env.repo().remove("helm/tetris/templates/broken.yaml");
  env.repo().commit("fix the chart");
  env.stop_git_daemon();
  REQUIRE(http_request(env.api(), "POST", "/api/v1/applications/chart/refresh").status == 202);
  chart = env.wait_app("chart", [](const Json& a) {
    return has_condition(a, "ComparisonError") && condition_message(a, "ComparisonError").find("127.0.0.1") != std::string::npos;
  });
  CHECK(exists(env, "deployment", "game-backend", "game"));
  CHECK(exists(env, "deployment", "game-frontend", "game"));
  // The engine keeps serving.
  CHECK(http_request(env.api(), "GET", "/healthz").status == 200);
}

TEST_CASE("an empty render prunes nothing without allowEmpty", "[serve]") {
  ServeEnv env;
  env.install_crd();
  env.repo().write("config/a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n");
  const std::string good = env.repo().commit("config");
  env.start_serve();
  env.kubectl_apply(application_yaml("config", env.repo_url(), "config", "config", kPolicy));
  env.wait_app("config", [&](const Json& a) { return sync_status(a) == "Synced" && revision(a) == good; });

  env.repo().remove("config/a.yaml");
  env.repo().write("config/README.md", "nothing here any more\n");
  const std::string empty = env.repo().commit("empty the folder");
  auto app = env.wait_app("config", [&](const Json& a) { return revision(a) == empty && has_condition(a, "SyncError"); });
  CHECK(sync_status(app) == "OutOfSync");
  CHECK_THAT(condition_message(app, "SyncError"), Catch::Contains("allowEmpty"));
  CHECK(exists(env, "configmap", "a", "config"));
}
