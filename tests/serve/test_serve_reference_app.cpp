// The reference user's Argo CD Application works unchanged: as an argoproj.io resource in the cluster
// (--argocd-applications) and as a file (--apps), which is also re-read when files change.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "serve_env.hpp"
#include "test_paths.hpp"

using namespace gitmoor::test;

namespace {

// tetris-app.yaml with the user's repository placeholder pointing at our git daemon.
std::string reference_app(const std::string& repo_url) {
  std::ifstream in(testdata_dir() / "serve/tetris-app.yaml");
  std::stringstream text;
  text << in.rdbuf();
  std::string yaml = text.str();
  const std::string placeholder = "https://github.com/<owner>/<repo>";
  const auto at = yaml.find(placeholder);
  REQUIRE(at != std::string::npos);
  yaml.replace(at, placeholder.size(), repo_url);
  return yaml;
}

long replicas(ServeEnv& env) {
  auto json = env.kubectl_json({"get", "deployment", "game-frontend", "-n", "game"});
  return json ? (*json)["spec"].value("replicas", -1L) : -1;
}

}  // namespace

TEST_CASE("the reference user's argoproj.io Application on helm/tetris syncs and self-heals", "[serve]") {
  ServeEnv env;
  env.kubectl({"apply", "--server-side", "-f", (testdata_dir() / "serve/argocd-applications-crd.yaml").string()});
  env.kubectl({"create", "namespace", "argocd"});
  env.kubectl({"create", "namespace", "game"});  // the manifest has no CreateNamespace: the user made it
  const std::string commit = env.commit_example();
  env.start_serve({"--apps-namespace=argocd", "--argocd-applications", "--cluster-apps=true"});
  env.kubectl({"apply", "-f", "-"}, reference_app(env.repo_url()));

  auto app = env.wait_app("tetris", [&](const Json& a) {
    return sync_status(a) == "Synced" && health_status(a) == "Healthy" && revision(a) == commit;
  });
  CHECK(app.value("apiVersion", "") == "argoproj.io/v1alpha1");
  auto resource = env.kubectl_json({"get", "applications.argoproj.io", "tetris", "-n", "argocd"});
  REQUIRE(resource);
  CHECK((*resource)["status"]["sync"].value("status", "") == "Synced");
  CHECK((*resource)["status"]["health"].value("status", "") == "Healthy");

  env.kubectl({"scale", "deployment", "game-frontend", "-n", "game", "--replicas=7"});
  CHECK(eventually([&] { return replicas(env) == 2; }));
}

TEST_CASE("Applications from --apps files are synced, and a file added later is picked up", "[serve]") {
  ServeEnv env;
  env.kubectl({"create", "namespace", "game"});
  const std::string commit = env.commit_example();
  const auto apps = env.dir() / "apps";
  std::filesystem::create_directories(apps);
  std::ofstream(apps / "tetris.yaml") << reference_app(env.repo_url());
  env.start_serve({"--apps", apps.string(), "--cluster-apps=false"});
  auto app = env.wait_app("tetris", [&](const Json& a) { return sync_status(a) == "Synced" && revision(a) == commit; });
  CHECK(app.value("apiVersion", "") == "argoproj.io/v1alpha1");

  env.repo().write("extra/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  a: b\n");
  const std::string second = env.repo().commit("extra config");
  std::ofstream(apps / "extra.yaml") << application_yaml("extra", env.repo_url(), "extra", "game",
                                                         "    automated:\n      prune: true\n");
  env.wait_app("extra", [&](const Json& a) { return sync_status(a) == "Synced" && revision(a) == second; });
  CHECK(env.kubectl_json({"get", "configmap", "extra", "-n", "game"}));
  // A broken file next to them is reported and hides nothing.
  std::ofstream(apps / "broken.yaml") << "apiVersion: gitmoor.dev/v1alpha1\nkind: Application\nmetadata: [\n";
  CHECK(eventually([&] { return env.logs().find("broken.yaml") != std::string::npos; }));
  CHECK(sync_status(env.app("tetris")) == "Synced");
  CHECK(sync_status(env.app("extra")) == "Synced");
}
