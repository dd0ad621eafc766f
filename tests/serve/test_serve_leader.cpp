// Two `gitmoor serve` replicas against one cluster: only the Lease holder reconciles and writes; kill it and the
// standby takes over within the lease duration.
#include <catch2/catch.hpp>

#include "serve_env.hpp"

using namespace gitmoor::test;

namespace {

std::string holder(ServeEnv& env) {
  auto lease = env.kubectl_json({"get", "lease", "gitmoor-leader", "-n", "gitmoor"});
  return lease ? (*lease)["spec"].value("holderIdentity", "") : "";
}

long replicas(ServeEnv& env) {
  auto json = env.kubectl_json({"get", "deployment", "game-frontend", "-n", "game"});
  return json ? (*json)["spec"].value("replicas", -1L) : -1;
}

}  // namespace

TEST_CASE("only the leader writes, when it dies the standby takes over", "[serve]") {
  ServeEnv env;
  env.install_crd();
  const std::string commit = env.commit_example();
  const std::vector<std::string> election{"--leader-elect=true", "--lease-duration=2s", "--renew-deadline=1500ms",
                                          "--retry-period=250ms"};
  auto flags = [&](const std::string& identity) {
    auto f = election;
    f.push_back("--identity=" + identity);
    return f;
  };
  const auto a = env.start_serve(flags("replica-a"));
  REQUIRE(eventually([&] { return holder(env) == "replica-a"; }));
  const auto b = env.start_serve(flags("replica-b"));
  env.kubectl_apply(application_yaml("tetris", env.repo_url(), "helm/tetris", "game",
                                     "    automated:\n      prune: true\n      selfHeal: true\n"
                                     "    syncOptions:\n      - CreateNamespace=true\n"));
  env.wait_app("tetris", [&](const Json& app) { return sync_status(app) == "Synced" && revision(app) == commit; },
               std::chrono::seconds(60), a);
  // The standby compares nothing and writes nothing: its view of the app was never reconciled.
  auto standby = env.app("tetris", b);
  CHECK(standby["status"].value("reconciledAt", "") == "");
  CHECK(holder(env) == "replica-a");

  env.serve(a).kill9();  // no release: the standby must wait for the lease to expire
  REQUIRE(eventually([&] { return holder(env) == "replica-b"; }, std::chrono::seconds(30)));
  env.wait_app("tetris", [&](const Json& app) { return sync_status(app) == "Synced"; }, std::chrono::seconds(60), b);
  // The new leader heals drift: it writes.
  env.kubectl({"scale", "deployment", "game-frontend", "-n", "game", "--replicas=5"});
  CHECK(eventually([&] { return replicas(env) == 2; }));
}
