// Drift: a managed Deployment changed by hand (kubectl scale, kubectl patch) is restored with selfHeal and reported
// OutOfSync without it; replicas changed the way an HPA changes them are not drift.
#include <catch2/catch.hpp>

#include "serve_env.hpp"

using namespace gitmoor::test;

namespace {

long replicas(ServeEnv& env, const std::string& ns, const std::string& name) {
  auto json = env.kubectl_json({"get", "deployment", name, "-n", ns});
  return json ? (*json)["spec"].value("replicas", -1L) : -1;
}

std::string env_value(ServeEnv& env, const std::string& ns, const std::string& name, const std::string& variable) {
  auto json = env.kubectl_json({"get", "deployment", name, "-n", ns});
  if (!json) return "<missing>";
  for (const auto& e : (*json)["spec"]["template"]["spec"]["containers"][0].value("env", Json::array())) {
    if (e.value("name", "") == variable) return e.value("value", "");
  }
  return "";
}

std::string reconciled_at(const Json& app) { return app["status"].value("reconciledAt", ""); }

}  // namespace

TEST_CASE("drift by kubectl scale and kubectl patch is healed with selfHeal and reported without it", "[serve]") {
  ServeEnv env;
  env.install_crd();
  const std::string commit = env.commit_example();
  env.start_serve();
  env.kubectl_apply(application_yaml("healed", env.repo_url(), "helm/tetris", "heal",
                                     "    automated:\n      prune: true\n      selfHeal: true\n"
                                     "    syncOptions:\n      - CreateNamespace=true\n"));
  env.kubectl_apply(application_yaml("reported", env.repo_url(), "helm/tetris", "report",
                                     "    automated:\n      prune: true\n"
                                     "    syncOptions:\n      - CreateNamespace=true\n"));
  for (const auto* name : {"healed", "reported"}) {
    env.wait_app(name, [&](const Json& a) {
      return sync_status(a) == "Synced" && health_status(a) == "Healthy" && revision(a) == commit;
    });
  }
  REQUIRE(replicas(env, "heal", "game-frontend") == 2);

  SECTION("kubectl scale of a Deployment gitmoor owns the replicas of") {
    env.kubectl({"scale", "deployment", "game-frontend", "-n", "heal", "--replicas=5"});
    env.kubectl({"scale", "deployment", "game-frontend", "-n", "report", "--replicas=5"});
    CHECK(eventually([&] { return replicas(env, "heal", "game-frontend") == 2; }));
    auto reported = env.wait_app("reported", [](const Json& a) { return sync_status(a) == "OutOfSync"; });
    bool frontend_out_of_sync = false;
    for (const auto& r : reported["status"]["resources"]) {
      if (r.value("name", "") == "game-frontend" && r.value("kind", "") == "Deployment") {
        frontend_out_of_sync = r.value("status", "") == "OutOfSync";
      }
    }
    CHECK(frontend_out_of_sync);
    CHECK(replicas(env, "report", "game-frontend") == 5);  // without selfHeal nobody touched it
    env.wait_app("healed", [](const Json& a) { return sync_status(a) == "Synced"; });
  }

  SECTION("kubectl patch of a container's environment") {
    const std::string patch =
        R"({"spec":{"template":{"spec":{"containers":[{"name":"backend","env":[{"name":"REDIS_URL","value":"redis://evil:6379"}]}]}}}})";
    const auto before = env_value(env, "heal", "game-backend", "REDIS_URL");
    REQUIRE_FALSE(before.empty());
    env.kubectl({"patch", "deployment", "game-backend", "-n", "heal", "--type=strategic", "-p", patch});
    env.kubectl({"patch", "deployment", "game-backend", "-n", "report", "--type=strategic", "-p", patch});
    CHECK(eventually([&] { return env_value(env, "heal", "game-backend", "REDIS_URL") == before; }));
    env.wait_app("reported", [](const Json& a) { return sync_status(a) == "OutOfSync"; });
    CHECK(env_value(env, "report", "game-backend", "REDIS_URL") == "redis://evil:6379");
  }

  SECTION("replicas of the backend changed as its HPA would change them are not drift") {
    // The backend's Pods at their HPA's 70% target: the sandbox's HPA controller keeps whatever size they have.
    REQUIRE(env.sandbox_admin("POST", "/sandbox/load", R"({"namespace":"heal","cpu":"70%"})").status == 200);
    env.kubectl({"scale", "deployment", "game-backend", "-n", "heal", "--replicas=4"});
    // A compare after the change (a refresh, then reconciledAt moving) still says Synced, and nothing was undone.
    const auto before = reconciled_at(env.app("healed"));
    REQUIRE(http_request(env.api(), "POST", "/api/v1/applications/healed/refresh").status == 202);
    auto app = env.wait_app("healed", [&](const Json& a) { return reconciled_at(a) != before; });
    CHECK(sync_status(app) == "Synced");
    CHECK(replicas(env, "heal", "game-backend") == 4);
  }
}
