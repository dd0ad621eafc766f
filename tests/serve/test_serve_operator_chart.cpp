// An operator chart as common charts ship them, through `gitmoor serve`: CRDs with a custom resource of them in the
// same sync, admission webhook configurations, a pre-install hook Job, RBAC, a PodDisruptionBudget, a
// PriorityClass and a NetworkPolicy. Then a cert job patches the webhooks' caBundle as its own field manager:
// that is not drift, and gitmoor does not undo it.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "serve_env.hpp"
#include "test_paths.hpp"

using namespace gitmoor::test;

namespace {

const std::string kPolicy = "    automated:\n      prune: true\n      selfHeal: true\n"
                            "    syncOptions:\n      - CreateNamespace=true\n";

// Copies the chart fixture into the deploy repository under `into`.
void write_chart(ServeEnv& env, const std::string& into) {
  const auto chart = testdata_dir() / "serve" / "widget-operator";
  for (const auto& entry : std::filesystem::recursive_directory_iterator(chart)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    env.repo().write(into + "/" + std::filesystem::relative(entry.path(), chart).string(), text.str());
  }
}

// How many requests of `verb` on `resource` the sandbox has answered.
std::uint64_t count(ServeEnv& env, const std::string& verb, const std::string& resource) {
  std::uint64_t n = 0;
  for (const auto& c : env.sandbox_admin("GET", "/sandbox/counters").json()["counters"]) {
    if (c.value("verb", "") == verb && c.value("resource", "") == resource) n += c.value("count", 0ULL);
  }
  return n;
}

std::string ca_bundle(ServeEnv& env, const std::string& kind, const std::string& name) {
  auto live = env.kubectl_json({"get", kind, name});
  if (!live) return {};
  return (*live)["webhooks"][0]["clientConfig"].value("caBundle", "");
}

}  // namespace

TEST_CASE("an operator chart with CRDs, custom resources, webhooks and a pre-install hook syncs Synced and Healthy",
          "[serve]") {
  ServeEnv env;
  env.install_crd();
  write_chart(env, "charts/widget-operator");
  const std::string commit = env.repo().commit("widget operator chart");
  env.start_serve();
  env.kubectl_apply(application_yaml("widgets", env.repo_url(), "charts/widget-operator", "ops", kPolicy));

  auto app = env.wait_app("widgets", [&](const Json& a) {
    const auto op = a["status"].value("operationState", Json::object());
    return op.value("phase", "") == "Succeeded" && sync_status(a) == "Synced" && health_status(a) == "Healthy" &&
           revision(a) == commit;
  });
  // The hook ran first and succeeded; every other object is in the cluster and Synced.
  bool hook_succeeded = false;
  for (const auto& r : app["status"]["operationState"]["syncResult"]["resources"]) {
    if (r.value("kind", "") == "Job" && r.value("name", "") == "widget-prepare") {
      hook_succeeded = r.value("hookPhase", "") == "Succeeded";
    }
  }
  CHECK(hook_succeeded);
  for (const auto& r : app["status"]["resources"]) {
    INFO(r.dump());
    CHECK(r.value("status", "") == "Synced");
  }
  auto widget = env.kubectl_json({"get", "widgets.example.dev", "default-widget", "-n", "ops"});
  REQUIRE(widget);
  CHECK((*widget)["spec"]["size"] == 3);
  CHECK(env.kubectl_json({"get", "crd", "widgets.example.dev"}));
  CHECK(env.kubectl_json({"get", "priorityclass", "widget-critical"}));
  auto budget = env.kubectl_json({"get", "pdb", "widget-webhook", "-n", "ops"});
  REQUIRE(budget);
  CHECK(eventually([&] {
    auto b = env.kubectl_json({"get", "pdb", "widget-webhook", "-n", "ops"});
    return b && (*b)["status"].value("currentHealthy", 0) == 2 && (*b)["status"].value("disruptionsAllowed", 0) == 1;
  }));
  CHECK(ca_bundle(env, "validatingwebhookconfiguration", "widget-validator").empty());

  // A cert job writes the caBundle into both configurations, as cert-manager's cainjector would.
  const std::string bundle = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t";
  const std::string patch =
      R"([{"op":"add","path":"/webhooks/0/clientConfig/caBundle","value":")" + bundle + R"("}])";
  env.kubectl({"patch", "validatingwebhookconfiguration", "widget-validator", "--type=json", "-p", patch});
  env.kubectl({"patch", "mutatingwebhookconfiguration", "widget-defaulter", "--type=json", "-p", patch});
  const auto patches_before = count(env, "patch", "validatingwebhookconfigurations.admissionregistration.k8s.io") +
                              count(env, "patch", "mutatingwebhookconfigurations.admissionregistration.k8s.io");

  // A compare after the patch (a refresh, then reconciledAt moving) still says Synced, and nothing was undone.
  const auto before = app["status"].value("reconciledAt", "");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // reconciledAt has one-second resolution
  REQUIRE(http_request(env.api(), "POST", "/api/v1/applications/widgets/refresh").status == 202);
  app = env.wait_app("widgets", [&](const Json& a) { return a["status"].value("reconciledAt", "") != before; });
  CHECK(sync_status(app) == "Synced");
  CHECK(ca_bundle(env, "validatingwebhookconfiguration", "widget-validator") == bundle);
  CHECK(ca_bundle(env, "mutatingwebhookconfiguration", "widget-defaulter") == bundle);
  CHECK(count(env, "patch", "validatingwebhookconfigurations.admissionregistration.k8s.io") +
            count(env, "patch", "mutatingwebhookconfigurations.admissionregistration.k8s.io") ==
        patches_before);
}
