// ResourceManager against a real sandbox: apply, second run without writes, prune ownership, CRDs, immutable fields.
#include <catch2/catch.hpp>

#include "applier_fixture.hpp"
#include "gitmoor/applier/kind_order.hpp"
#include "gitmoor/applier/tracking.hpp"

using namespace gitmoor;
using applier::Action;
using test::find_entry;
using test::objects;

namespace {

const char* kApp = R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: fast
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports:
        - containerPort: 8080
)";

applier::ApplyOptions options(const std::string& ns = "shop") {
  return {.app = "shop", .ns = ns, .create_namespace = true};
}

std::string image_of(applier::Client& client, const std::string& ns, const std::string& name) {
  const auto d = client.request_json({.method = "GET", .path = "/apis/apps/v1/namespaces/" + ns + "/deployments/" + name});
  return d["spec"]["template"]["spec"]["containers"][0]["image"].get<std::string>();
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

}  // namespace

TEST_CASE("apply creates and stamps everything, a second run writes nothing", "[apply]") {
  test::ApplierEnv env;
  auto first = env.manager->apply_all(objects(kApp), options());
  INFO(first.format_text());
  CHECK_FALSE(first.failed());
  CHECK(first.count(Action::Created) == 4);  // the namespace too
  CHECK(find_entry(first, "Namespace", "shop")->action == Action::Created);

  const auto cm = env.client->request_json({.method = "GET", .path = "/api/v1/namespaces/shop/configmaps/settings"});
  CHECK(cm["metadata"]["annotations"]["gitmoor.dev/tracking-id"] == "shop:/ConfigMap:shop/settings");
  CHECK(cm["metadata"]["labels"]["gitmoor.dev/app"] == "shop");

  const auto writes = test::write_count(*env.sb);
  auto second = env.manager->apply_all(objects(kApp), options());
  INFO(second.format_text());
  CHECK(second.count(Action::Unchanged) == 3);
  CHECK(second.entries.size() == 3);
  CHECK(test::write_count(*env.sb) == writes);
}

TEST_CASE("only the changed Deployment is configured", "[apply]") {
  test::ApplierEnv env;
  REQUIRE_FALSE(env.manager->apply_all(objects(kApp), options()).failed());
  const auto writes = test::write_count(*env.sb);
  auto changed = env.manager->apply_all(objects(replace(kApp, "nginx:1.25", "nginx:1.26")), options());
  INFO(changed.format_text());
  CHECK(find_entry(changed, "Deployment", "web")->action == Action::Configured);
  CHECK(find_entry(changed, "Service", "web")->action == Action::Unchanged);
  CHECK(find_entry(changed, "ConfigMap", "settings")->action == Action::Unchanged);
  CHECK(test::write_count(*env.sb) == writes + 1);
  CHECK(image_of(*env.client, "shop", "web") == "nginx:1.26");
}

TEST_CASE("dry run validates without storing", "[apply]") {
  test::ApplierEnv env;
  REQUIRE_FALSE(env.manager->apply_all(objects(kApp), options()).failed());
  auto o = options();
  o.dry_run = true;
  auto result = env.manager->apply_all(objects(replace(kApp, "nginx:1.25", "nginx:1.27")), o);
  CHECK(find_entry(result, "Deployment", "web")->action == Action::Configured);
  CHECK(image_of(*env.client, "shop", "web") == "nginx:1.25");
}

TEST_CASE("prune deletes only objects with exactly this app's tracking id", "[prune]") {
  test::ApplierEnv env;
  REQUIRE_FALSE(env.manager->apply_all(objects(kApp), options()).failed());
  // Objects the label selects but this app does not own: another app's tracking id, and none at all.
  auto foreign = objects(R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: foreign
  namespace: shop
  labels: {gitmoor.dev/app: shop}
  annotations: {gitmoor.dev/tracking-id: "other:/ConfigMap:shop/foreign"}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: untracked
  namespace: shop
  labels: {gitmoor.dev/app: shop}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: keep
  namespace: shop
  labels: {gitmoor.dev/app: shop}
  annotations:
    gitmoor.dev/tracking-id: "shop:/ConfigMap:shop/keep"
    argocd.argoproj.io/sync-options: "ServerSideApply=true, Prune=false"
)");
  REQUIRE_FALSE(env.manager->apply_all(foreign, {.app = "", .ns = "shop"}).failed());

  // The Service leaves the desired set.
  auto desired = objects(kApp);
  desired.erase(desired.begin() + 1);
  auto applied = env.manager->apply_all(desired, options());
  CHECK(applied.entries.size() == 2);  // nothing pruned without asking
  CHECK(env.client->send({.method = "GET", .path = "/api/v1/namespaces/shop/services/web"}).status == 200);

  const auto prepared = env.manager->prepare(desired, "shop", "shop");
  auto pruned = env.manager->prune(prepared, {.app = "shop"});
  INFO(pruned.format_text());
  CHECK(find_entry(pruned, "Service", "web")->action == Action::Pruned);
  CHECK(find_entry(pruned, "ConfigMap", "keep")->action == Action::Skipped);
  CHECK(find_entry(pruned, "ConfigMap", "keep")->message == "Prune=false");
  CHECK(find_entry(pruned, "ConfigMap", "foreign") == nullptr);
  CHECK(find_entry(pruned, "ConfigMap", "untracked") == nullptr);
  CHECK(pruned.entries.size() == 2);
  CHECK(env.client->send({.method = "GET", .path = "/api/v1/namespaces/shop/configmaps/foreign"}).status == 200);
  CHECK(env.client->send({.method = "GET", .path = "/api/v1/namespaces/shop/configmaps/untracked"}).status == 200);
  CHECK(env.client->send({.method = "GET", .path = "/api/v1/namespaces/shop/configmaps/settings"}).status == 200);
}

TEST_CASE("a CRD and its custom resources apply in one run", "[apply][crd]") {
  test::ApplierEnv env;
  const auto set = objects(R"(apiVersion: stable.example.com/v1
kind: CronTab
metadata:
  name: nightly
spec:
  cronSpec: "0 1 * * *"
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names: {plural: crontabs, singular: crontab, kind: CronTab}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
)");
  auto result = env.manager->apply_all(set, options());
  INFO(result.format_text());
  CHECK_FALSE(result.failed());
  CHECK(find_entry(result, "CronTab", "nightly")->action == Action::Created);
  CHECK(env.client->send({.method = "GET", .path = "/apis/stable.example.com/v1/namespaces/shop/crontabs/nightly"})
            .status == 200);
  auto again = env.manager->apply_all(set, options());
  CHECK(again.count(Action::Unchanged) == 2);
}

TEST_CASE("an immutable field fails clearly without force and is recreated with it", "[apply][immutable]") {
  test::ApplierEnv env;
  REQUIRE_FALSE(env.manager->apply_all(objects(kApp), options()).failed());
  const auto changed = objects(replace(replace(kApp, "matchLabels:\n      app: web", "matchLabels:\n      app: web2"),
                                       "labels:\n        app: web", "labels:\n        app: web2"));
  auto refused = env.manager->apply_all(changed, options());
  INFO(refused.format_text());
  const auto* entry = find_entry(refused, "Deployment", "web");
  REQUIRE(entry != nullptr);
  REQUIRE(entry->action == Action::Failed);
  CHECK(entry->message.find("spec.selector: Invalid value: v1.LabelSelector{") != std::string::npos);
  CHECK(entry->message.find("field is immutable") != std::string::npos);
  CHECK(entry->message.find("--force") != std::string::npos);
  auto o = options();
  o.force = true;
  auto forced = env.manager->apply_all(changed, o);
  INFO(forced.format_text());
  CHECK(find_entry(forced, "Deployment", "web")->action == Action::Configured);
  const auto d = env.client->request_json({.method = "GET", .path = "/apis/apps/v1/namespaces/shop/deployments/web"});
  CHECK(d["spec"]["selector"]["matchLabels"]["app"] == "web2");
}

TEST_CASE("wait reports health between waves and at the end", "[wait]") {
  test::ApplierEnv env;
  auto o = options();
  o.wait = true;
  o.timeout = std::chrono::seconds(20);
  auto result = env.manager->apply_all(objects(kApp), o);
  INFO(result.format_text());
  CHECK_FALSE(result.failed());
  const auto d = env.client->request_json({.method = "GET", .path = "/apis/apps/v1/namespaces/shop/deployments/web"});
  const core::Object live(d);
  CHECK(differ::assess_health(&live).status == differ::HealthStatus::Healthy);
}

TEST_CASE("kind order and waves", "[apply][order]") {
  CHECK(applier::kind_rank("", "Namespace") < applier::kind_rank("apiextensions.k8s.io", "CustomResourceDefinition"));
  CHECK(applier::kind_rank("apiextensions.k8s.io", "CustomResourceDefinition") < applier::kind_rank("", "ConfigMap"));
  CHECK(applier::kind_rank("", "ConfigMap") < applier::kind_rank("apps", "Deployment"));
  CHECK(applier::kind_rank("apps", "Deployment") < applier::kind_rank("example.com", "Deployment"));
  core::Object o(core::Json{{"metadata", {{"annotations", {{"argocd.argoproj.io/sync-wave", "-2"}}}}}});
  CHECK(applier::sync_wave(o) == -2);
  CHECK(applier::tracking_id("a", {"apps", "Deployment", "ns", "x"}) == "a:apps/Deployment:ns/x");
}
