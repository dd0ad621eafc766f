// `gitmoor serve` with an Application whose source is a chart in a Helm chart repository (spec.source.chart), as the
// reference user installs kube-prometheus-stack: a repository made with `helm package` and `helm repo index`, behind
// basic auth with its credentials in a labelled repository Secret; the chart's CRD and subchart synced; a version
// range following a newly published version; a bad constraint a ComparisonError that prunes nothing.
#include <catch2/catch.hpp>

#include "chart_repository_server.hpp"
#include "private_git_server.hpp"
#include "serve_env.hpp"

using namespace gitmoor::test;
using Catch::Matchers::Contains;

namespace {

std::string chart_application(const std::string& repo_url, const std::string& version) {
  return "apiVersion: gitmoor.dev/v1alpha1\nkind: Application\nmetadata:\n  name: demo\n  namespace: gitmoor\n"
         "spec:\n  source:\n    repoURL: " + repo_url + "\n    chart: demo\n    targetRevision: \"" + version +
         "\"\n    helm:\n      values: |\n        message: from-the-application\n"
         "  destination:\n    server: https://kubernetes.default.svc\n    namespace: charts\n"
         "  syncPolicy:\n    automated:\n      prune: true\n    syncOptions:\n      - CreateNamespace=true\n";
}

std::string configmap_data(ServeEnv& env, const std::string& name, const std::string& key) {
  const auto object = env.kubectl_json({"get", "configmap", name, "-n", "charts", "-o", "json"});
  return object ? (*object)["data"].value(key, "") : "";
}

}  // namespace

TEST_CASE("serve: a chart from a basic-auth Helm repository syncs with its CRD and subchart, follows a version range, "
          "and a bad constraint prunes nothing",
          "[serve][helm-repo]") {
  ServeEnv env;
  env.install_crd();
  ChartRepositoryServer repo(env.dir() / "chart-repo", "charts-user", "charts-password-value");
  repo.add_chart(write_test_chart(env.dir() / "chart-src",
                                  {.name = "demo", .version = "1.0.0", .with_crd = true, .with_dependency = true}));
  env.kubectl_apply(repository_secret_yaml({.name = "charts",
                                            .type = "repo-creds",
                                            .url = repo.url(),
                                            .username = "charts-user",
                                            .password = "charts-password-value"}));
  env.kubectl_apply(chart_application(repo.url(), "^1.0.0"));
  env.start_serve();

  auto app = env.wait_app("demo", [](const Json& a) { return sync_status(a) == "Synced" && revision(a) == "1.0.0"; });
  CHECK(configmap_data(env, "demo-settings", "message") == "from-the-application");
  CHECK(configmap_data(env, "demo-sub", "from") == "subchart");
  CHECK(env.kubectl_json({"get", "crd", "gadgets.example.com", "-o", "json"}).has_value());
  CHECK(app["status"]["sync"]["comparedTo"]["source"].value("chart", "") == "demo");

  // A new version in the repository: the range follows it and auto-sync deploys it.
  repo.add_chart(write_test_chart(env.dir() / "chart-src", {.name = "demo", .version = "1.1.0", .with_crd = true,
                                                             .with_dependency = true}));
  app = env.wait_app("demo", [](const Json& a) { return sync_status(a) == "Synced" && revision(a) == "1.1.0"; });
  CHECK(configmap_data(env, "demo-settings", "chartVersion") == "1.1.0");

  // A constraint nothing matches: a ComparisonError naming the chart and the versions there, and nothing pruned.
  env.kubectl_apply(chart_application(repo.url(), ">=2.0.0"));
  app = env.wait_app("demo", [](const Json& a) {
    return has_condition(a, "ComparisonError") &&
           condition_message(a, "ComparisonError").find("no version of chart \"demo\"") != std::string::npos;
  });
  CHECK_THAT(condition_message(app, "ComparisonError"), Contains("(newest: 1.1.0, 1.0.0)"));
  CHECK(configmap_data(env, "demo-settings", "chartVersion") == "1.1.0");
  CHECK(configmap_data(env, "demo-sub", "from") == "subchart");
  CHECK(env.serve().output().find("charts-password-value") == std::string::npos);
  CHECK(env.serve().running());
}
