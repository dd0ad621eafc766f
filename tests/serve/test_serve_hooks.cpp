// Sync waves and hooks through `gitmoor serve`: PreSync Job → wave -1 ConfigMap → wave 0 Deployment → PostSync Job,
// each after the previous is healthy; a failing PreSync hook runs the SyncFail hook and stops the sync.
#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>

#include "serve_env.hpp"

using namespace gitmoor::test;

namespace {

std::string job(const std::string& name, const std::string& hook, const std::string& command) {
  return "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: " + name +
         "\n  annotations:\n    argocd.argoproj.io/hook: " + hook +
         "\n    argocd.argoproj.io/hook-delete-policy: BeforeHookCreation\nspec:\n  backoffLimit: 0\n  template:\n"
         "    spec:\n      restartPolicy: Never\n      containers:\n        - name: run\n          image: busybox:1.36\n"
         "          command: " + command + "\n";
}

const std::string kConfigMap =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  annotations:\n"
    "    argocd.argoproj.io/sync-wave: \"-1\"\ndata:\n  level: \"1\"\n";
const std::string kDeployment =
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  selector:\n"
    "    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n"
    "      containers:\n        - name: web\n          image: nginx:1.27\n";

const std::string kPolicy = "    automated:\n      prune: true\n    syncOptions:\n      - CreateNamespace=true\n";

// The syncResult entry of `name` (kind `kind`).
Json result_of(const Json& app, const std::string& kind, const std::string& name) {
  for (const auto& r : app["status"]["operationState"]["syncResult"]["resources"]) {
    if (r.value("kind", "") == kind && r.value("name", "") == name) return r;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("PreSync hook, wave -1, wave 0 and PostSync hook run in order, each after the previous is healthy",
          "[serve]") {
  ServeEnv env;
  env.install_crd();
  env.repo().write("app/presync.yaml", job("migrate", "PreSync", "[\"sh\", \"-c\", \"echo migrate\"]"));
  env.repo().write("app/settings.yaml", kConfigMap);
  env.repo().write("app/web.yaml", kDeployment);
  env.repo().write("app/postsync.yaml", job("smoke", "PostSync", "[\"sh\", \"-c\", \"echo smoke\"]"));
  const std::string commit = env.repo().commit("waves and hooks");
  env.start_serve();
  env.kubectl_apply(application_yaml("waves", env.repo_url(), "app", "waves", kPolicy));

  auto app = env.wait_app("waves", [&](const Json& a) {
    const auto op = a["status"].value("operationState", Json::object());
    return op.value("phase", "") == "Succeeded" && sync_status(a) == "Synced" && health_status(a) == "Healthy";
  });
  CHECK(result_of(app, "Job", "migrate").value("hookPhase", "") == "Succeeded");
  CHECK(result_of(app, "Job", "smoke").value("hookPhase", "") == "Succeeded");
  CHECK(result_of(app, "ConfigMap", "settings").value("status", "") == "Synced");
  CHECK(result_of(app, "Deployment", "web").value("status", "") == "Synced");

  // The cluster's own order of writes: replaying each type's watch from the start gives every event with the
  // resourceVersion it happened at (one counter for the whole sandbox, as etcd's revision).
  const auto events = [&](const std::string& path) {
    std::vector<Json> out;
    std::stringstream lines(env.kubectl({"get", "--raw", path + "?watch=true&resourceVersion=1&timeoutSeconds=1"}));
    for (std::string line; std::getline(lines, line);) {
      if (!line.empty()) out.push_back(Json::parse(line));
    }
    return out;
  };
  const auto rv = [](const Json& event) { return std::stoll(event["object"]["metadata"].value("resourceVersion", "0")); };
  // The first event of `name` satisfying `when`.
  const auto first = [&](const std::vector<Json>& stream, const std::string& name,
                         const std::function<bool(const Json&)>& when) -> long long {
    for (const auto& e : stream) {
      if (e["object"]["metadata"].value("name", "") == name && when(e["object"])) return rv(e);
    }
    return -1;
  };
  const auto any = [](const Json&) { return true; };
  const auto complete = [](const Json& o) { return o.value("status", Json::object()).value("succeeded", 0) >= 1; };
  const auto available = [](const Json& o) {
    return o.value("status", Json::object()).value("availableReplicas", 0) >= 1;
  };
  const auto jobs = events("/apis/batch/v1/namespaces/waves/jobs");
  const auto configmaps = events("/api/v1/namespaces/waves/configmaps");
  const auto deployments = events("/apis/apps/v1/namespaces/waves/deployments");
  const long long migrate_done = first(jobs, "migrate", complete);
  const long long settings_created = first(configmaps, "settings", any);
  const long long web_created = first(deployments, "web", any);
  const long long web_available = first(deployments, "web", available);
  const long long smoke_created = first(jobs, "smoke", any);
  REQUIRE(migrate_done > 0);
  REQUIRE(settings_created > 0);
  REQUIRE(web_available > 0);
  REQUIRE(smoke_created > 0);
  CHECK(migrate_done < settings_created);   // the PreSync Job completed before wave -1 began
  CHECK(settings_created < web_created);    // wave -1 before wave 0
  CHECK(web_available < smoke_created);     // wave 0 healthy before the PostSync hook
  // syncResult lists them in execution order.
  std::vector<std::string> order;
  for (const auto& r : app["status"]["operationState"]["syncResult"]["resources"]) order.push_back(r.value("name", ""));
  const auto pos = [&](const std::string& n) { return std::find(order.begin(), order.end(), n) - order.begin(); };
  CHECK(pos("migrate") < pos("settings"));
  CHECK(pos("settings") < pos("web"));
  CHECK(pos("web") < pos("smoke"));
  CHECK(revision(app) == commit);
}

TEST_CASE("a failing PreSync hook runs the SyncFail hook and stops the sync", "[serve]") {
  ServeEnv env;
  env.install_crd();
  env.repo().write("app/presync.yaml", job("migrate", "PreSync", "[\"sh\", \"-c\", \"exit 1\"]"));
  env.repo().write("app/syncfail.yaml", job("notify", "SyncFail", "[\"sh\", \"-c\", \"echo failed\"]"));
  env.repo().write("app/web.yaml", kDeployment);
  env.repo().commit("a migration that fails");
  env.start_serve();
  env.kubectl_apply(application_yaml("failing", env.repo_url(), "app", "failing", kPolicy));

  auto app = env.wait_app("failing", [](const Json& a) {
    return a["status"].value("operationState", Json::object()).value("phase", "") == "Failed";
  });
  CHECK_THAT(app["status"]["operationState"].value("message", ""), Catch::Contains("migrate"));
  CHECK(result_of(app, "Job", "migrate").value("hookPhase", "") == "Failed");
  CHECK(has_condition(app, "SyncError"));
  // The SyncFail hook ran to completion; the Deployment of the Sync phase was never created.
  CHECK(eventually([&] {
    auto notify = env.kubectl_json({"get", "job", "notify", "-n", "failing"});
    return notify && (*notify)["status"].value("succeeded", 0) == 1;
  }));
  CHECK_FALSE(env.kubectl_json({"get", "deployment", "web", "-n", "failing"}));
}
