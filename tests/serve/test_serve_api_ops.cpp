// The application operations through `gitmoor serve`'s API, end to end (sandbox, git daemon, kubectl): sync with
// dryRun (changes nothing), prune and force (an immutable Job template); rollback refused with auto-sync on and
// redeploying the earlier commit with it off; delete with cascade (reverse wave order, Delete=false kept), without
// cascade (everything orphaned) and by kubectl with the finalizer on; terminate as DELETE .../operation.
#include <catch2/catch.hpp>

#include "serve_env.hpp"

using namespace gitmoor::test;

namespace {

const std::string kManual = "    syncOptions:\n      - CreateNamespace=true\n";
const std::string kAutomated = "    automated:\n      prune: true\n    syncOptions:\n      - CreateNamespace=true\n";

std::string configmap(const std::string& name, const std::string& value, const std::string& metadata_extra = {}) {
  return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n" + metadata_extra + "data:\n  value: \"" +
         value + "\"\n";
}

std::string job(const std::string& name, const std::string& script) {
  return "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: " + name +
         "\nspec:\n  backoffLimit: 0\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n"
         "        - name: run\n          image: busybox:1.36\n          command: [\"sh\", \"-c\", \"" + script + "\"]\n";
}

Json operation(const Json& app) { return app.value("status", Json::object()).value("operationState", Json::object()); }
std::string phase(const Json& app) { return operation(app).value("phase", ""); }

std::string value_of(ServeEnv& env, const std::string& ns, const std::string& name) {
  auto cm = env.kubectl_json({"get", "configmap", name, "-n", ns});
  return cm ? (*cm)["data"].value("value", "") : "<missing>";
}

HttpReply post(ServeEnv& env, const std::string& target, const std::string& body) {
  return http_request(env.api(), "POST", target, body);
}

}  // namespace

TEST_CASE("API sync: dryRun changes nothing, prune deletes, force replaces a Job whose template changed", "[serve]") {
  ServeEnv env;
  env.install_crd();
  env.repo().write("app/settings.yaml", configmap("settings", "1"));
  env.repo().write("app/extra.yaml", configmap("extra", "x"));
  env.repo().write("app/job.yaml", job("migrate", "echo one"));
  const std::string first = env.repo().commit("first");
  env.start_serve();
  env.kubectl_apply(application_yaml("ops", env.repo_url(), "app", "ops", kManual));
  env.wait_app("ops", [&](const Json& a) { return sync_status(a) == "OutOfSync" && revision(a) == first; });

  // A manual app syncs when asked; the answer is the Application (Argo CD's shape).
  auto reply = post(env, "/api/v1/applications/ops/sync", "{}");
  REQUIRE(reply.status == 200);
  CHECK(reply.json()["metadata"]["name"] == "ops");
  env.wait_app("ops", [&](const Json& a) { return phase(a) == "Succeeded" && sync_status(a) == "Synced"; });
  REQUIRE(value_of(env, "ops", "settings") == "1");

  env.repo().write("app/settings.yaml", configmap("settings", "2"));
  env.repo().remove("app/extra.yaml");
  const std::string second = env.repo().commit("second: settings 2, no extra");
  env.wait_app("ops", [&](const Json& a) { return revision(a) == second && sync_status(a) == "OutOfSync"; });

  REQUIRE(post(env, "/api/v1/applications/ops/sync", R"({"dryRun":true,"prune":true})").status == 200);
  auto dry = env.wait_app("ops", [&](const Json& a) {
    return phase(a) == "Succeeded" && operation(a)["operation"]["sync"].value("dryRun", false);
  });
  CHECK(value_of(env, "ops", "settings") == "1");
  CHECK(value_of(env, "ops", "extra") == "x");
  CHECK(sync_status(dry) == "OutOfSync");

  REQUIRE(post(env, "/api/v1/applications/ops/sync", R"({"prune":true})").status == 200);
  env.wait_app("ops", [&](const Json& a) {
    return phase(a) == "Succeeded" && !operation(a)["operation"]["sync"].value("dryRun", false) &&
           sync_status(a) == "Synced" && revision(a) == second;
  });
  CHECK(value_of(env, "ops", "settings") == "2");
  CHECK(eventually([&] { return value_of(env, "ops", "extra") == "<missing>"; }));

  // A Job's template is immutable: a plain sync fails on it, a forced one deletes and recreates the Job.
  env.repo().write("app/job.yaml", job("migrate", "echo two"));
  const std::string third = env.repo().commit("third: migrate runs echo two");
  env.wait_app("ops", [&](const Json& a) { return revision(a) == third && sync_status(a) == "OutOfSync"; });
  REQUIRE(post(env, "/api/v1/applications/ops/sync", "{}").status == 200);
  auto failed = env.wait_app("ops", [&](const Json& a) { return phase(a) == "Failed" || phase(a) == "Error"; });
  CHECK_THAT(operation(failed).value("message", ""), Catch::Contains("immutable"));

  REQUIRE(post(env, "/api/v1/applications/ops/sync", R"({"strategy":{"apply":{"force":true}}})").status == 200);
  env.wait_app("ops", [&](const Json& a) { return phase(a) == "Succeeded" && sync_status(a) == "Synced"; });
  auto live = env.kubectl_json({"get", "job", "migrate", "-n", "ops"});
  REQUIRE(live);
  CHECK((*live)["spec"]["template"]["spec"]["containers"][0]["command"].dump().find("echo two") != std::string::npos);
}

TEST_CASE("API rollback: refused while auto-sync is on, redeploys the earlier commit once it is off", "[serve]") {
  ServeEnv env;
  env.install_crd();
  env.repo().write("app/settings.yaml", configmap("settings", "1"));
  const std::string first = env.repo().commit("first");
  env.start_serve();
  env.kubectl_apply(application_yaml("back", env.repo_url(), "app", "back", kAutomated));
  env.wait_app("back", [&](const Json& a) { return sync_status(a) == "Synced" && revision(a) == first; });
  env.repo().write("app/settings.yaml", configmap("settings", "2"));
  const std::string second = env.repo().commit("second");
  auto app = env.wait_app("back", [&](const Json& a) {
    return sync_status(a) == "Synced" && revision(a) == second && a["status"].value("history", Json::array()).size() == 2;
  });
  const auto first_id = app["status"]["history"][0]["id"].get<long long>();
  REQUIRE(app["status"]["history"][0]["revision"] == first);
  REQUIRE(value_of(env, "back", "settings") == "2");

  auto refused = post(env, "/api/v1/applications/back/rollback", R"({"id":)" + std::to_string(first_id) + "}");
  CHECK(refused.status == 409);
  CHECK_THAT(refused.body, Catch::Contains("rollback cannot be initiated when auto-sync is enabled"));

  env.kubectl_apply(application_yaml("back", env.repo_url(), "app", "back", kManual));
  // The engine sees the spec change through its watch; until then the rollback is still refused.
  CHECK(eventually([&] {
    return post(env, "/api/v1/applications/back/rollback", R"({"id":)" + std::to_string(first_id) + "}").status == 200;
  }));
  app = env.wait_app("back", [&](const Json& a) {
    return phase(a) == "Succeeded" && operation(a)["syncResult"].value("revision", "") == first;
  });
  CHECK(value_of(env, "back", "settings") == "1");
  // Git still says 2: the app is OutOfSync until the next sync, as in Argo CD.
  env.wait_app("back", [&](const Json& a) { return sync_status(a) == "OutOfSync"; });
  CHECK(app["status"]["history"].back()["revision"] == first);
  // An id that is not in the history is a bad request naming it (checked once auto-sync is off, as Argo CD does).
  auto unknown = post(env, "/api/v1/applications/back/rollback", R"({"id":99})");
  CHECK(unknown.status == 400);
  CHECK_THAT(unknown.body, Catch::Contains("id 99"));
}

TEST_CASE("API delete: cascade removes resources highest wave first and keeps Delete=false, no cascade orphans",
          "[serve]") {
  ServeEnv env;
  env.install_crd();
  env.repo().write("app/settings.yaml", configmap("settings", "1"));
  // Wave 5 goes first; its finalizer holds it until the test lets go, so wave 0 must still be there meanwhile.
  env.repo().write("app/late.yaml", configmap("late", "1",
                                              "  annotations:\n    argocd.argoproj.io/sync-wave: \"5\"\n"
                                              "  finalizers:\n    - example.com/hold\n"));
  env.repo().write("app/keep.yaml", configmap("keep", "1",
                                              "  annotations:\n    argocd.argoproj.io/sync-options: Delete=false\n"));
  env.repo().write("app/keep-helm.yaml", configmap("keep-helm", "1", "  annotations:\n    helm.sh/resource-policy: keep\n"));
  env.repo().commit("four configmaps");
  env.start_serve();
  env.kubectl_apply(application_yaml("doomed", env.repo_url(), "app", "doomed", kAutomated));
  env.kubectl_apply(application_yaml("orphaned", env.repo_url(), "app", "orphans", kAutomated));
  for (const auto* name : {"doomed", "orphaned"}) {
    env.wait_app(name, [&](const Json& a) { return sync_status(a) == "Synced" && health_status(a) == "Healthy"; });
  }

  // Without cascade: the Application goes, every resource stays.
  REQUIRE(http_request(env.api(), "DELETE", "/api/v1/applications/orphaned?cascade=false").status == 200);
  CHECK(eventually([&] { return !env.kubectl_json({"get", "applications.gitmoor.dev", "orphaned", "-n", "gitmoor"}); }));
  for (const auto* name : {"settings", "late", "keep", "keep-helm"}) CHECK(value_of(env, "orphans", name) == "1");

  // Cascade (the default).
  REQUIRE(http_request(env.api(), "DELETE", "/api/v1/applications/doomed").status == 200);
  CHECK(eventually([&] {
    auto late = env.kubectl_json({"get", "configmap", "late", "-n", "doomed"});
    return late && (*late)["metadata"].contains("deletionTimestamp");
  }));
  auto settings = env.kubectl_json({"get", "configmap", "settings", "-n", "doomed"});
  REQUIRE(settings);
  CHECK_FALSE((*settings)["metadata"].contains("deletionTimestamp"));
  auto cr = env.kubectl_json({"get", "applications.gitmoor.dev", "doomed", "-n", "gitmoor"});
  REQUIRE(cr);  // held by its finalizer until the resources are gone
  CHECK((*cr)["metadata"]["finalizers"].dump().find("resources-finalizer.gitmoor.dev") != std::string::npos);

  env.kubectl({"patch", "configmap", "late", "-n", "doomed", "--type=merge", "-p", R"({"metadata":{"finalizers":null}})"});
  CHECK(eventually([&] { return value_of(env, "doomed", "settings") == "<missing>"; }));
  CHECK(eventually([&] { return !env.kubectl_json({"get", "applications.gitmoor.dev", "doomed", "-n", "gitmoor"}); }));
  CHECK(value_of(env, "doomed", "late") == "<missing>");
  CHECK(value_of(env, "doomed", "keep") == "1");
  CHECK(value_of(env, "doomed", "keep-helm") == "1");
  CHECK(http_request(env.api(), "DELETE", "/api/v1/applications/doomed").status == 404);
}

TEST_CASE("kubectl delete of an Application with the resources finalizer cascades like the API", "[serve]") {
  ServeEnv env;
  env.install_crd();
  env.repo().write("app/settings.yaml", configmap("settings", "1"));
  env.repo().commit("one configmap");
  env.start_serve();
  auto yaml = application_yaml("byhand", env.repo_url(), "app", "byhand", kAutomated);
  const std::string ns_line = "  namespace: gitmoor\n";
  yaml.replace(yaml.find(ns_line), ns_line.size(), ns_line + "  finalizers:\n    - resources-finalizer.gitmoor.dev\n");
  env.kubectl_apply(yaml);
  env.wait_app("byhand", [&](const Json& a) { return sync_status(a) == "Synced"; });
  REQUIRE(value_of(env, "byhand", "settings") == "1");
  env.kubectl({"delete", "applications.gitmoor.dev", "byhand", "-n", "gitmoor", "--wait=false"});
  CHECK(eventually([&] { return value_of(env, "byhand", "settings") == "<missing>"; }));
  CHECK(eventually([&] { return !env.kubectl_json({"get", "applications.gitmoor.dev", "byhand", "-n", "gitmoor"}); }));
}

TEST_CASE("DELETE .../operation terminates a running sync", "[serve]") {
  ServeEnv env;
  env.install_crd();
  // A crash-looping Deployment never becomes healthy: the sync waits on its wave until terminated.
  env.repo().write("app/web.yaml",
                   "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  selector:\n"
                   "    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n"
                   "      containers:\n        - name: web\n          image: busybox:1.36\n          command: [\"false\"]\n");
  env.repo().commit("a web that never starts");
  env.start_serve();
  env.kubectl_apply(application_yaml("stuck", env.repo_url(), "app", "stuck", kManual));
  env.wait_app("stuck", [&](const Json& a) { return sync_status(a) == "OutOfSync"; });
  CHECK(http_request(env.api(), "DELETE", "/api/v1/applications/stuck/operation").status == 409);  // none runs

  REQUIRE(post(env, "/api/v1/applications/stuck/sync", "{}").status == 200);
  env.wait_app("stuck", [&](const Json& a) {
    return phase(a) == "Running" && operation(a).value("message", "").find("waiting") != std::string::npos;
  });
  auto stopped = http_request(env.api(), "DELETE", "/api/v1/applications/stuck/operation");
  CHECK(stopped.status == 200);
  auto app = env.wait_app("stuck", [&](const Json& a) { return phase(a) == "Failed"; });
  CHECK_THAT(operation(app).value("message", ""), Catch::Contains("terminated"));
}
