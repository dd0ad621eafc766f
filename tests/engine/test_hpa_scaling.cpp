// The engine next to a working HPA: an app with a Deployment (no replicas in Git) and its HPA (minReplicas 2) is
// synced, then its Pods are loaded to 90% so the sandbox's HPA controller scales the Deployment out within its
// policy, then the load goes and it scales back in. All along the app stays Synced, gitmoor never writes the
// Deployment, and only kube-controller-manager (through /scale) owns spec.replicas.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "eventually.hpp"
#include "git_fixtures.hpp"
#include "gitmoor/applier/kubeconfig.hpp"
#include "gitmoor/engine/controller.hpp"
#include "gitmoor/sandbox/sandbox.hpp"

using namespace gitmoor;
using core::Json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

using gitmoor::test::eventually;

namespace {

const char* kDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: backend}
spec:
  selector: {matchLabels: {app: backend}}
  template:
    metadata: {labels: {app: backend}}
    spec:
      containers:
      - name: backend
        image: ghcr.io/example/backend:0.1.0
        resources: {requests: {cpu: 200m, memory: 256Mi}}
)";

const char* kHpa = R"(apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: backend}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: backend}
  minReplicas: 2
  maxReplicas: 5
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
  behavior:
    scaleUp:
      stabilizationWindowSeconds: 0
      policies: [{type: Pods, value: 2, periodSeconds: 1}]
    scaleDown:
      stabilizationWindowSeconds: 1
)";

}  // namespace

TEST_CASE("controller: an app whose HPA scales its Deployment out and back in stays Synced, and gitmoor never "
          "writes the replicas",
          "[controller]") {
  auto sandbox = sandbox::Sandbox::start(
      {.controllers = true, .pod_ready_delay = 30ms, .hpa_sync_period = 100ms});
  const fs::path dir = fs::temp_directory_path() / ("gitmoor-hpa-" + std::to_string(std::random_device{}()));
  fs::create_directories(dir / "served");
  fs::create_directories(dir / "apps");
  test::GitRemote repo(dir / "served", "deploy");
  repo.write("app/deployment.yaml", kDeployment);
  repo.write("app/hpa.yaml", kHpa);
  repo.commit("backend and its HPA");
  std::ofstream(dir / "apps" / "shop.yaml")
      << "apiVersion: gitmoor.dev/v1alpha1\nkind: Application\nmetadata:\n  name: shop\nspec:\n  source:\n    repoURL: "
      << repo.file_url() << "\n    targetRevision: main\n    path: app\n  destination:\n"
      << "    server: https://kubernetes.default.svc\n    namespace: shop\n"
      << "  syncPolicy:\n    automated: {prune: true, selfHeal: true}\n    syncOptions: [CreateNamespace=true]\n";
  applier::Client client(
      applier::load_kubeconfig({.paths = {sandbox->write_kubeconfig(dir / "kubeconfig")}, .context = {}}));
  engine::Controller controller(client, {.cluster_applications = false,
                                         .app_paths = {dir / "apps"},
                                         .poll_interval = 60s,
                                         .files_interval = 100ms,
                                         .workers = 2,
                                         .cache_dir = dir / "cache"});
  controller.start();
  const auto sync_status = [&] {
    auto app = controller.get_application("shop");
    return app ? (*app).value("status", Json::object()).value("sync", Json::object()).value("status", "") : "";
  };
  const auto replicas = [&] {
    auto r = client.send({.method = "GET", .path = "/apis/apps/v1/namespaces/shop/deployments/backend"});
    return r.status == 200 ? r.json()["spec"].value("replicas", -1) : -1;
  };
  const auto load = [&](const std::string& cpu) {
    sandbox::Request r;
    r.method = "POST";
    r.target = "/sandbox/load";
    r.body = Json{{"namespace", "shop"}, {"selector", "app=backend"}, {"cpu", cpu}}.dump();
    REQUIRE(sandbox->api().handle(r).status == 200);
  };
  const auto deployment_writes = [&] {
    std::uint64_t n = 0;
    for (const auto& c : sandbox->api().counters()) {
      if ((c.verb == "patch" || c.verb == "update" || c.verb == "create") && c.resource.rfind("deployments.apps", 0) == 0) {
        n += c.count;
      }
    }
    return n;
  };

  // The HPA brings the Deployment to its minReplicas right after the sync.
  REQUIRE(eventually([&] { return sync_status() == "Synced" && replicas() == 2; }));
  const std::uint64_t writes_after_sync = deployment_writes();

  // From here on, the app's sync status is sampled continuously.
  std::atomic<bool> sampling{true};
  std::mutex seen_mutex;
  std::set<std::string> seen;
  std::thread sampler([&] {
    while (sampling) {
      const std::string s = sync_status();
      {
        std::lock_guard lock(seen_mutex);
        seen.insert(s);
      }
      std::this_thread::sleep_for(5ms);
    }
  });

  // 90% of the request against a 50% target: out to maxReplicas, at most 2 Pods per second.
  load("90%");
  const bool out = eventually([&] { return replicas() == 5; });
  // No load: back to minReplicas once the 1 s window has passed.
  load("default");
  const bool in = eventually([&] { return replicas() == 2; });
  sampling = false;
  sampler.join();
  CHECK(out);
  CHECK(in);
  {
    std::lock_guard lock(seen_mutex);
    CHECK(seen == std::set<std::string>{"Synced"});
  }
  CHECK(deployment_writes() == writes_after_sync);

  // spec.replicas belongs to kube-controller-manager's scale updates alone.
  auto d = client.send({.method = "GET", .path = "/apis/apps/v1/namespaces/shop/deployments/backend"}).json();
  std::set<std::string> replica_owners;
  for (const auto& m : d["metadata"]["managedFields"]) {
    const Json& fields = m.value("fieldsV1", Json::object());
    if (fields.contains("f:spec") && fields["f:spec"].contains("f:replicas")) {
      replica_owners.insert(m.value("manager", "") + "/" + m.value("subresource", ""));
    }
  }
  CHECK(replica_owners == std::set<std::string>{"kube-controller-manager/scale"});
  CHECK(sync_status() == "Synced");

  controller.stop();
  sandbox->stop();
  std::error_code ignored;
  fs::remove_all(dir, ignored);
}
