// `gitmoor serve` end to end: an Application in the cluster is synced from a git daemon through helm; CI's image
// bump rolls the Deployment; a template deleted in Git is pruned (or reported as requiring pruning).
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "serve_env.hpp"

using namespace gitmoor::test;

namespace {

const std::string kAutomatedPruneHeal = "    automated:\n      prune: true\n      selfHeal: true\n"
                                        "    syncOptions:\n      - CreateNamespace=true\n";

std::string image_of(ServeEnv& env, const std::string& ns, const std::string& deployment) {
  auto json = env.kubectl_json({"get", "deployment", deployment, "-n", ns});
  if (!json) return {};
  return (*json)["spec"]["template"]["spec"]["containers"][0].value("image", "");
}

std::size_t history_size(const Json& app) {
  return app.value("status", Json::object()).value("history", Json::array()).size();
}

}  // namespace

TEST_CASE("a new Application is synced and healthy at the commit, and CI's image.tag bump rolls it out", "[serve]") {
  ServeEnv env;
  env.install_crd();
  const std::string first = env.commit_example();
  env.start_serve();
  env.kubectl_apply(application_yaml("tetris", env.repo_url(), "helm/tetris", "game", kAutomatedPruneHeal));

  auto app = env.wait_app("tetris", [&](const Json& a) {
    return sync_status(a) == "Synced" && health_status(a) == "Healthy" && revision(a) == first;
  });
  // Every object the chart renders exists, carries the tracking id and is listed in status.resources.
  for (const auto& [kind, name] : std::vector<std::pair<std::string, std::string>>{
           {"deployment", "game-backend"}, {"deployment", "game-frontend"}, {"service", "game-backend"},
           {"horizontalpodautoscaler", "game-backend-hpa"}, {"ingress", "game-ingress"}}) {
    auto live = env.kubectl_json({"get", kind, name, "-n", "game"});
    INFO(kind << "/" << name);
    REQUIRE(live);
    CHECK((*live)["metadata"]["annotations"].value("gitmoor.dev/tracking-id", "").rfind("tetris:", 0) == 0);
  }
  const auto resources = app["status"]["resources"];
  CHECK(resources.size() >= 8);
  for (const auto& r : resources) CHECK(r.value("status", "") == "Synced");
  CHECK(history_size(app) == 1);
  CHECK(app["status"]["history"][0].value("revision", "") == first);
  // The status subresource of the custom resource says the same (printer columns read it).
  auto resource = env.app_resource("tetris");
  CHECK(resource["status"]["sync"].value("status", "") == "Synced");
  CHECK(resource["status"]["sync"].value("revision", "") == first);
  CHECK(image_of(env, "game", "game-backend") == "docker.io/tetris/game-backend:0.1.0");

  // CI: set image.tag to the build's commit SHA and push.
  auto values = [&] {
    std::ifstream in(env.repo().work() / "helm/tetris/values.yaml");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }();
  const std::string old_tag = "image:\n  repository: docker.io/tetris/game-backend\n  tag: \"0.1.0\"";
  REQUIRE(values.find(old_tag) != std::string::npos);
  values.replace(values.find(old_tag), old_tag.size(),
                 "image:\n  repository: docker.io/tetris/game-backend\n  tag: \"4f2a9c1\"");
  env.repo().write("helm/tetris/values.yaml", values);
  const std::string second = env.repo().commit("ci: image.tag 4f2a9c1");

  app = env.wait_app("tetris", [&](const Json& a) {
    return revision(a) == second && sync_status(a) == "Synced" && health_status(a) == "Healthy" &&
           history_size(a) == 2;
  });
  CHECK(image_of(env, "game", "game-backend") == "docker.io/tetris/game-backend:4f2a9c1");
  CHECK(app["status"]["history"][1].value("revision", "") == second);
  const auto images = app["status"]["summary"]["images"];
  CHECK(std::find(images.begin(), images.end(), "docker.io/tetris/game-backend:4f2a9c1") != images.end());
  // The rollout happened: a second ReplicaSet generation, all new pods ready (Healthy above waited for it).
  auto deployment = env.kubectl_json({"get", "deployment", "game-backend", "-n", "game"});
  REQUIRE(deployment);
  CHECK((*deployment)["metadata"].value("generation", 0) >= 2);
}

TEST_CASE("a template deleted in Git is pruned with prune on, and shown as requiring pruning with prune off",
          "[serve]") {
  ServeEnv env;
  env.install_crd();
  const std::string first = env.commit_example();
  env.start_serve();
  env.kubectl_apply(application_yaml("pruned", env.repo_url(), "helm/tetris", "game-a", kAutomatedPruneHeal));
  env.kubectl_apply(application_yaml("kept", env.repo_url(), "helm/tetris", "game-b",
                                     "    automated:\n      prune: false\n    syncOptions:\n"
                                     "      - CreateNamespace=true\n"));
  for (const auto* name : {"pruned", "kept"}) {
    env.wait_app(name, [&](const Json& a) { return sync_status(a) == "Synced" && revision(a) == first; });
  }
  REQUIRE(env.kubectl_json({"get", "deployment", "game-redis", "-n", "game-a"}));
  REQUIRE(env.kubectl_json({"get", "deployment", "game-redis", "-n", "game-b"}));

  env.repo().remove("helm/tetris/templates/redis.yaml");
  const std::string second = env.repo().commit("drop redis");

  env.wait_app("pruned", [&](const Json& a) { return revision(a) == second && sync_status(a) == "Synced"; });
  CHECK(eventually([&] { return !env.kubectl_json({"get", "deployment", "game-redis", "-n", "game-a"}); }));
  CHECK_FALSE(env.kubectl_json({"get", "service", "game-redis", "-n", "game-a"}));

  auto kept = env.wait_app("kept", [&](const Json& a) { return revision(a) == second && sync_status(a) == "OutOfSync"; });
  bool requires_pruning = false;
  for (const auto& r : kept["status"]["resources"]) {
    if (r.value("name", "") == "game-redis" && r.value("kind", "") == "Deployment") {
      requires_pruning = r.value("requiresPruning", false);
    }
  }
  CHECK(requires_pruning);
  CHECK(env.kubectl_json({"get", "deployment", "game-redis", "-n", "game-b"}));
}
