// Applications in a cluster: the CRD manifest applied with real kubectl to a sandbox, Applications listed through the
// store, status written through the status subresource and read back.
#include <catch2/catch.hpp>

#include "../e2e/kubectl_env.hpp"
#include "gitmoor/applier/kubeconfig.hpp"
#include "gitmoor/core/yaml.hpp"
#include "gitmoor/engine/application_store.hpp"

using namespace gitmoor;
using Catch::Matchers::Contains;

namespace {

const std::string kCrd = (test::source_dir() / "docker" / "install" / "applications.gitmoor.dev.yaml").string();

std::string app_yaml(const std::string& name, const std::string& ns) {
  return "apiVersion: gitmoor.dev/v1alpha1\nkind: Application\nmetadata:\n  name: " + name + "\n  namespace: " + ns +
         "\nspec:\n  source:\n    repoURL: https://github.com/acme/" + name +
         ".git\n    path: helm/" + name +
         "\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: game\n"
         "  syncPolicy:\n    automated:\n      prune: true\n      selfHeal: true\n";
}

// A sandbox without controllers (nothing else writes), the gitmoor namespace and the CRD applied by kubectl.
struct Cluster {
  test::KubectlEnv env{sandbox::SandboxOptions{.controllers = false}};
  applier::Client client{applier::load_kubeconfig({.paths = {env.kubeconfig()}, .context = {}})};

  Cluster() {
    auto ns = env.kubectl({"create", "namespace", "gitmoor"});
    REQUIRE(ns.exit_code == 0);
  }
  void apply_crd() {
    auto r = env.kubectl({"apply", "--server-side", "-f", kCrd});
    INFO(r.stderr_data);
    REQUIRE(r.exit_code == 0);
  }
};

engine::ApplicationStatus synced_status() {
  engine::ApplicationStatus s;
  s.sync_status = "Synced";
  s.sync_revision = "0123456789abcdef0123456789abcdef01234567";
  s.health = {differ::HealthStatus::Healthy, ""};
  s.resources.push_back({.key = {"apps", "Deployment", "game", "backend"}, .version = "v1"});
  s.set_condition("OrphanedResourceWarning", "1 orphaned resource", "2026-11-26T18:00:00Z");
  s.reconciled_at = "2026-11-26T18:00:01Z";
  s.images = {"acme/backend:0123456"};
  return s;
}

}  // namespace

TEST_CASE("Application store: the CRD installs with kubectl and declares the status subresource and columns",
          "[engine][application][store]") {
  Cluster cluster;
  cluster.apply_crd();
  auto crd = cluster.env.json({"get", "crd", "applications.gitmoor.dev"});
  CHECK(crd["spec"]["group"] == "gitmoor.dev");
  CHECK(crd["spec"]["scope"] == "Namespaced");
  CHECK(crd["spec"]["names"]["kind"] == "Application");
  CHECK(crd["spec"]["names"]["shortNames"] == core::Json{"gapp", "gapps"});
  const auto& version = crd["spec"]["versions"][0];
  CHECK(version["name"] == "v1alpha1");
  CHECK(version["subresources"].contains("status"));
  std::vector<std::pair<std::string, std::string>> columns;
  for (const auto& c : version["additionalPrinterColumns"]) {
    columns.emplace_back(c["name"].get<std::string>(), c["jsonPath"].get<std::string>());
  }
  CHECK(columns == std::vector<std::pair<std::string, std::string>>{{"Sync", ".status.sync.status"},
                                                                     {"Health", ".status.health.status"},
                                                                     {"Revision", ".status.sync.revision"},
                                                                     {"Age", ".metadata.creationTimestamp"}});
  // The schema names every top-level spec field the parser reads.
  const auto& spec = version["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"];
  for (const char* field : {"project", "source", "destination", "syncPolicy", "ignoreDifferences",
                            "revisionHistoryLimit"}) {
    CHECK(spec.contains(field));
  }
  // The short name resolves through discovery.
  auto r = cluster.env.kubectl({"get", "gapps", "-n", "gitmoor"});
  INFO(r.stderr_data);
  CHECK(r.exit_code == 0);
}

TEST_CASE("Application store: without the CRD there are no Applications and nothing to watch",
          "[engine][application][store]") {
  Cluster cluster;
  engine::ApplicationStore store(cluster.client, {.argocd_applications = true});
  CHECK(store.list("gitmoor").empty());
  CHECK(store.watch_targets("gitmoor").empty());
}

TEST_CASE("Application store: list, write status through the subresource, read it back",
          "[engine][application][store]") {
  Cluster cluster;
  cluster.apply_crd();
  auto created = cluster.env.kubectl({"apply", "-f", "-"}, app_yaml("tetris", "gitmoor"));
  INFO(created.stderr_data);
  REQUIRE(created.exit_code == 0);

  engine::ApplicationStore store(cluster.client);
  auto apps = store.list("gitmoor");
  REQUIRE(apps.size() == 1);
  const auto& app = apps[0];
  CHECK(app.name == "tetris");
  CHECK(app.ns == "gitmoor");
  CHECK(app.origin == engine::ApplicationOrigin::Cluster);
  CHECK(app.api_version == "gitmoor.dev/v1alpha1");
  CHECK_FALSE(app.uid.empty());
  CHECK(app.spec_errors.empty());
  CHECK(app.source.path == "helm/tetris");
  REQUIRE(app.sync_policy.automated.has_value());
  CHECK(app.sync_policy.automated->self_heal);
  CHECK(store.list("other").empty());

  auto status = synced_status();
  REQUIRE(store.write_status(app, status));
  auto live = cluster.env.json({"get", "applications.gitmoor.dev", "tetris", "-n", "gitmoor"});
  CHECK(live["status"] == status.to_json());
  CHECK(live["spec"] == app.manifest["spec"]);  // the status write left the spec alone
  auto back = engine::ApplicationStatus::from_json(live["status"]);
  CHECK(back.to_json() == status.to_json());
  // After a restart the status comes back with the list, in the manifest.
  auto relisted = store.list("gitmoor");
  REQUIRE(relisted.size() == 1);
  CHECK(engine::ApplicationStatus::from_json(relisted[0].manifest["status"]).to_json() == status.to_json());

  // The sandbox serves no server-side Table, so kubectl cannot show the CRD's printer columns itself; kubectl's own
  // JSONPath over the CRD's column paths shows what a real API server's table would.
  auto crd = cluster.env.json({"get", "crd", "applications.gitmoor.dev"});
  std::string columns = "NAME:.metadata.name";
  for (const auto& c : crd["spec"]["versions"][0]["additionalPrinterColumns"]) {
    columns += "," + c["name"].get<std::string>() + ":" + c["jsonPath"].get<std::string>();
  }
  auto table = cluster.env.kubectl({"get", "gapps", "-n", "gitmoor", "-o", "custom-columns=" + columns});
  INFO(table.stdout_data << table.stderr_data);
  REQUIRE(table.exit_code == 0);
  CHECK(test::has_row(table.stdout_data, {"NAME", "Sync", "Health", "Revision", "Age"}));
  CHECK(test::has_row(table.stdout_data,
                      {"tetris", "Synced", "Healthy", "0123456789abcdef0123456789abcdef01234567"}));

  // A second write removes what the new status no longer has (merge patch nulls), and changes the rest.
  status.sync_status = "OutOfSync";
  status.clear_condition("OrphanedResourceWarning");
  status.health = {differ::HealthStatus::Progressing, "Waiting for rollout"};
  engine::OperationState op;
  op.phase = engine::OperationPhase::Running;
  op.started_at = "2026-11-26T18:01:00Z";
  status.operation_state = op;
  REQUIRE(store.write_status(app, status));
  live = cluster.env.json({"get", "applications.gitmoor.dev", "tetris", "-n", "gitmoor"});
  CHECK(live["status"] == status.to_json());
  CHECK(live["status"]["conditions"].empty());

  status.operation_state.reset();
  status.health = {differ::HealthStatus::Healthy, ""};
  REQUIRE(store.write_status(app, status));
  live = cluster.env.json({"get", "applications.gitmoor.dev", "tetris", "-n", "gitmoor"});
  CHECK(live["status"] == status.to_json());
  CHECK_FALSE(live["status"].contains("operationState"));
  CHECK_FALSE(live["status"]["health"].contains("message"));

  // Unchanged status: nothing is written.
  auto patches = cluster.env.count("patch");
  REQUIRE(store.write_status(app, status));
  CHECK(cluster.env.count("patch") == patches);

  // A spec change by the user meanwhile (a new resourceVersion) does not stop the status write.
  REQUIRE(cluster.env.kubectl({"patch", "applications.gitmoor.dev", "tetris", "-n", "gitmoor", "--type=merge", "-p",
                               R"({"spec":{"source":{"targetRevision":"v2"}}})"})
              .exit_code == 0);
  status.sync_status = "Synced";
  REQUIRE(store.write_status(app, status));
  live = cluster.env.json({"get", "applications.gitmoor.dev", "tetris", "-n", "gitmoor"});
  CHECK(live["status"]["sync"]["status"] == "Synced");
  CHECK(live["spec"]["source"]["targetRevision"] == "v2");

  REQUIRE(cluster.env.kubectl({"delete", "applications.gitmoor.dev", "tetris", "-n", "gitmoor"}).exit_code == 0);
  CHECK_FALSE(store.write_status(app, status));
}

TEST_CASE("Application store: a status write retries on 409 Conflict", "[engine][application][store]") {
  Cluster cluster;
  cluster.apply_crd();
  REQUIRE(cluster.env.kubectl({"apply", "-f", "-"}, app_yaml("web", "gitmoor")).exit_code == 0);
  engine::ApplicationStore store(cluster.client, {.conflict_retries = 3});
  auto apps = store.list("gitmoor");
  REQUIRE(apps.size() == 1);

  // Two conflicts, then the write goes through.
  auto fault = cluster.env.call("POST", "/sandbox/faults",
                                R"({"verb":"patch","resource":"applications.gitmoor.dev","code":409,"times":2})");
  REQUIRE(fault.status < 300);
  REQUIRE(store.write_status(apps[0], synced_status()));
  auto live = cluster.env.json({"get", "applications.gitmoor.dev", "web", "-n", "gitmoor"});
  CHECK(live["status"]["sync"]["status"] == "Synced");

  // Conflicts beyond the retries: an error naming the app.
  REQUIRE(cluster.env.call("POST", "/sandbox/faults",
                           R"({"verb":"patch","resource":"applications.gitmoor.dev","code":409,"times":10})")
              .status < 300);
  auto changed = synced_status();
  changed.sync_status = "OutOfSync";
  CHECK_THROWS_WITH(store.write_status(apps[0], changed), Contains("gitmoor/web"));
}

TEST_CASE("Application store: argoproj.io Applications are listed only when asked", "[engine][application][store]") {
  Cluster cluster;
  cluster.apply_crd();
  // Argo CD's CRD, reduced to what the API needs to serve the resource.
  auto argo_crd = R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: applications.argoproj.io
spec:
  group: argoproj.io
  scope: Namespaced
  names: {kind: Application, plural: applications, singular: application}
  versions:
    - name: v1alpha1
      served: true
      storage: true
      subresources: {status: {}}
      schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
)";
  REQUIRE(cluster.env.kubectl({"apply", "-f", "-"}, argo_crd).exit_code == 0);
  REQUIRE(cluster.env.kubectl({"apply", "-f", "-"}, app_yaml("mine", "gitmoor")).exit_code == 0);
  std::string argo_app = app_yaml("theirs", "gitmoor");
  argo_app.replace(argo_app.find("gitmoor.dev"), std::string("gitmoor.dev").size(), "argoproj.io");
  auto r = cluster.env.kubectl({"apply", "-f", "-"}, argo_app);
  INFO(r.stderr_data);
  REQUIRE(r.exit_code == 0);

  engine::ApplicationStore gitmoor_only(cluster.client);
  auto apps = gitmoor_only.list("gitmoor");
  REQUIRE(apps.size() == 1);
  CHECK(apps[0].name == "mine");
  CHECK(gitmoor_only.watch_targets("gitmoor").size() == 1);

  engine::ApplicationStore both(cluster.client, {.argocd_applications = true});
  apps = both.list("");
  REQUIRE(apps.size() == 2);
  CHECK(apps[1].name == "theirs");
  CHECK(apps[1].api_version == "argoproj.io/v1alpha1");
  auto targets = both.watch_targets("gitmoor");
  REQUIRE(targets.size() == 2);
  CHECK(targets[1].resource.path("gitmoor") == "/apis/argoproj.io/v1alpha1/namespaces/gitmoor/applications");

  // Status goes back to the group the app came from.
  REQUIRE(both.write_status(apps[1], synced_status()));
  auto live = cluster.env.json({"get", "applications.argoproj.io", "theirs", "-n", "gitmoor"});
  CHECK(live["status"]["health"]["status"] == "Healthy");
}

TEST_CASE("Application store: a LiveCache on the watch target sees Applications come and go",
          "[engine][application][store]") {
  Cluster cluster;
  cluster.apply_crd();
  engine::ApplicationStore store(cluster.client);
  applier::LiveCache cache(cluster.client, store.watch_targets("gitmoor"));
  cache.start();
  REQUIRE(cluster.env.kubectl({"apply", "-f", "-"}, app_yaml("watched", "gitmoor")).exit_code == 0);
  core::ResourceKey key{"gitmoor.dev", "Application", "gitmoor", "watched"};
  CHECK(test::KubectlEnv::eventually([&] { return cache.get(key).has_value(); }));
  REQUIRE(cluster.env.kubectl({"delete", "applications.gitmoor.dev", "watched", "-n", "gitmoor"}).exit_code == 0);
  CHECK(test::KubectlEnv::eventually([&] { return !cache.get(key).has_value(); }));
  cache.stop();
}
