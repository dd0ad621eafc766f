// Restart safety: `kill -9` of the engine in the middle of a 1,000-object sync, then a restart: the app converges
// with exactly one object per manifest (server-side apply by name is idempotent; nothing is created twice).
#include <catch2/catch.hpp>

#include <signal.h>

#include "serve_env.hpp"

using namespace gitmoor::test;

namespace {

std::size_t configmaps(ServeEnv& env, const std::string& ns) {
  auto json = env.kubectl_json({"get", "configmaps", "-n", ns, "-l", "gitmoor.dev/app=bulk"});
  return json ? (*json)["items"].size() : 0;
}

}  // namespace

TEST_CASE("kill -9 during a 1,000-object sync, then a restart: the app converges with no duplicates", "[serve]") {
  ServeEnv env;
  env.install_crd();
  std::string manifests;
  for (int i = 0; i < 1000; ++i) {
    manifests += "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: item-" + std::to_string(i) +
                 "\ndata:\n  index: \"" + std::to_string(i) + "\"\n";
  }
  env.repo().write("bulk/items.yaml", manifests);
  const std::string commit = env.repo().commit("1,000 ConfigMaps");
  // Slow every ConfigMap write down so the sync is still running when the engine is killed.
  REQUIRE(env.sandbox_admin("POST", "/sandbox/faults",
                            R"({"verb":"patch","resource":"configmaps","latencyMs":15,"code":0})").status < 300);
  env.start_serve();
  env.kubectl_apply(application_yaml("bulk", env.repo_url(), "bulk", "bulk",
                                     "    automated:\n      prune: true\n    syncOptions:\n"
                                     "      - CreateNamespace=true\n"));
  REQUIRE(eventually([&] { return configmaps(env, "bulk") >= 100; }));
  const auto partial = configmaps(env, "bulk");
  INFO("ConfigMaps when killed: " << partial);
  CHECK(partial < 1000);
  env.serve(0).kill9();
  // The custom resource still says a sync is running: nobody finished it.
  CHECK(env.app_resource("bulk")["status"]["operationState"].value("phase", "") == "Running");

  REQUIRE(env.sandbox_admin("DELETE", "/sandbox/faults").status < 300);
  const auto restarted = env.start_serve();
  auto app = env.wait_app(
      "bulk", [&](const Json& a) { return sync_status(a) == "Synced" && revision(a) == commit; },
      std::chrono::seconds(120), restarted);
  CHECK(configmaps(env, "bulk") == 1000);
  CHECK(app["status"]["operationState"].value("phase", "") == "Succeeded");
  CHECK(app["status"]["resources"].size() == 1000);
}

TEST_CASE("SIGTERM during a sync stops cleanly and the next start resumes the sync", "[serve]") {
  ServeEnv env;
  env.install_crd();
  std::string manifests;
  // Ten waves: a graceful stop ends the sync between steps, and this leaves many steps to interrupt.
  for (int i = 0; i < 300; ++i) {
    manifests += "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: item-" + std::to_string(i) +
                 "\n  annotations:\n    argocd.argoproj.io/sync-wave: \"" + std::to_string(i / 30) +
                 "\"\ndata:\n  index: \"" + std::to_string(i) + "\"\n";
  }
  env.repo().write("bulk/items.yaml", manifests);
  const std::string commit = env.repo().commit("300 ConfigMaps");
  REQUIRE(env.sandbox_admin("POST", "/sandbox/faults",
                            R"({"verb":"patch","resource":"configmaps","latencyMs":30,"code":0})").status < 300);
  env.start_serve();
  // Manual sync only: nothing but the resumed operation can finish the job after the restart.
  env.kubectl_apply(application_yaml("bulk", env.repo_url(), "bulk", "bulk",
                                     "    syncOptions:\n      - CreateNamespace=true\n"));
  env.wait_app("bulk", [](const Json& a) { return sync_status(a) == "OutOfSync"; });
  REQUIRE(http_request(env.api(), "POST", "/api/v1/applications/bulk/sync", R"({"prune": true})").status == 200);
  REQUIRE(eventually([&] { return configmaps(env, "bulk") >= 20; }));
  env.serve(0).signal(SIGTERM);
  CHECK(env.serve(0).wait() == 0);
  // A graceful stop finishes the step in progress (here: a wave being applied) and records nothing more: the
  // operation stays Running in the custom resource, for the next start to pick up.
  INFO("ConfigMaps when stopped: " << configmaps(env, "bulk"));
  CHECK(env.app_resource("bulk")["status"]["operationState"].value("phase", "") == "Running");

  REQUIRE(env.sandbox_admin("DELETE", "/sandbox/faults").status < 300);
  const auto restarted = env.start_serve();
  // Nobody asks again: the restarted engine resumes the operation the custom resource says is running.
  auto app = env.wait_app(
      "bulk",
      [&](const Json& a) {
        return sync_status(a) == "Synced" && revision(a) == commit &&
               a["status"]["operationState"].value("phase", "") == "Succeeded";
      },
      std::chrono::seconds(120), restarted);
  CHECK(configmaps(env, "bulk") == 300);
}
