// LiveCache against a real sandbox: list+watch, callbacks, owner index, dropped watches and 410 Gone, and
// convergence of apply and the cache under injected faults.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "applier_fixture.hpp"
#include "gitmoor/applier/live_cache.hpp"
#include "gitmoor/applier/tracking.hpp"

using namespace gitmoor;
using applier::Action;

namespace {

void admin(applier::Client& client, const std::string& method, const std::string& path, const std::string& body = {}) {
  auto r = client.send({.method = method, .path = path, .body = body, .idempotent = false});
  REQUIRE(r.status == 200);
}

void put_config_map(applier::Client& client, const std::string& name, const std::string& value) {
  const core::Json cm{{"apiVersion", "v1"},
                      {"kind", "ConfigMap"},
                      {"metadata", {{"name", name}, {"namespace", "default"}, {"labels", {{"gitmoor.dev/app", "shop"}}}}},
                      {"data", {{"v", value}}}};
  client.request_json({.method = "PATCH",
                       .path = "/api/v1/namespaces/default/configmaps/" + name + "?fieldManager=test&force=true",
                       .body = cm.dump(),
                       .content_type = "application/apply-patch+yaml"});
}

// key → resourceVersion, for comparing the cache with a fresh list.
std::map<std::string, std::string> versions(const std::vector<core::Object>& objects) {
  std::map<std::string, std::string> out;
  for (const auto& o : objects) out[o.key().to_string()] = o.metadata().value("resourceVersion", "");
  return out;
}

std::map<std::string, std::string> fresh(applier::Client& client) {
  const auto list = client.request_json(
      {.method = "GET", .path = "/api/v1/namespaces/default/configmaps?labelSelector=gitmoor.dev%2Fapp%3Dshop"});
  std::vector<core::Object> items;
  for (auto item : list["items"]) {
    item["apiVersion"] = "v1";
    item["kind"] = "ConfigMap";
    items.emplace_back(item);
  }
  return versions(items);
}

bool eventually(const std::function<bool()>& condition, std::chrono::seconds limit = std::chrono::seconds(15)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

}  // namespace

TEST_CASE("live cache follows creates, updates and deletes, and survives dropped watches and 410", "[live_cache]") {
  test::ApplierEnv env;
  auto resource = env.manager->discovery().find({"", "v1", "ConfigMap"});
  REQUIRE(resource);
  put_config_map(*env.client, "before", "1");
  applier::LiveCache cache(*env.client, {{.resource = *resource, .ns = "default", .label_selector = "gitmoor.dev/app=shop"}},
                           {.watch_timeout = std::chrono::seconds(30), .backoff_base = std::chrono::milliseconds(20)});
  std::atomic<int> events{0};
  cache.on_change([&](applier::LiveEvent, const core::Object&) { ++events; });
  cache.start();
  CHECK(cache.get({"", "ConfigMap", "default", "before"}).has_value());

  for (int i = 0; i < 10; ++i) put_config_map(*env.client, "cm-" + std::to_string(i), "a");
  put_config_map(*env.client, "cm-3", "b");
  env.client->send({.method = "DELETE", .path = "/api/v1/namespaces/default/configmaps/cm-4"});
  CHECK(eventually([&] { return versions(cache.objects()) == fresh(*env.client); }));
  CHECK(events >= 12);

  // Watches dropped, history forgotten (resuming gets 410): the cache relists and still matches.
  admin(*env.client, "POST", "/sandbox/watches/expire");
  put_config_map(*env.client, "after-expire", "1");
  env.client->send({.method = "DELETE", .path = "/api/v1/namespaces/default/configmaps/cm-5"});
  admin(*env.client, "POST", "/sandbox/watches/close");
  put_config_map(*env.client, "after-close", "1");
  CHECK(eventually([&] { return versions(cache.objects()) == fresh(*env.client); }));
  CHECK_FALSE(cache.get({"", "ConfigMap", "default", "cm-5"}).has_value());
  cache.stop();
}

TEST_CASE("live cache indexes children by owner reference", "[live_cache]") {
  test::ApplierEnv env;
  auto deployments = env.manager->discovery().find({"apps", "v1", "Deployment"});
  auto replica_sets = env.manager->discovery().find({"apps", "v1", "ReplicaSet"});
  REQUIRE(deployments);
  REQUIRE(replica_sets);
  auto applied = env.manager->apply_all(test::objects(R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
)"),
                                        {.app = "shop", .ns = "default"});
  REQUIRE_FALSE(applied.failed());
  applier::LiveCache cache(*env.client, {{.resource = *deployments, .ns = "default", .label_selector = "gitmoor.dev/app=shop"},
                                         {.resource = *replica_sets, .ns = "default", .label_selector = ""}});
  cache.start();
  CHECK(eventually([&] { return !cache.children({"apps", "Deployment", "default", "web"}).empty(); }));
  const auto children = cache.children({"apps", "Deployment", "default", "web"});
  REQUIRE_FALSE(children.empty());
  CHECK(children.front().kind == "ReplicaSet");
}

TEST_CASE("apply converges under injected faults (5xx, 429 with Retry-After, latency)", "[apply][faults]") {
  test::ApplierEnv env;
  applier::Client client(applier::load_kubeconfig({.paths = {env.kubeconfig}, .context = {}}),
                         {.max_retries = 12, .backoff_base = std::chrono::milliseconds(5),
                          .backoff_max = std::chrono::milliseconds(200)});
  applier::ResourceManager manager(client);
  admin(client, "POST", "/sandbox/faults",
        R"([{"verb":"*","resource":"*","code":500,"rate":0.1},{"verb":"*","resource":"*","code":503,"rate":0.1},
            {"verb":"*","resource":"*","code":429,"rate":0.1,"retryAfterSeconds":1},
            {"verb":"*","resource":"*","latencyMs":20}])");
  std::string yaml;
  for (int i = 0; i < 20; ++i) {
    yaml += "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-" + std::to_string(i) + "\ndata:\n  k: v\n---\n";
  }
  auto result = manager.apply_all(test::objects(yaml), {.app = "shop", .ns = "default"});
  INFO(result.format_text());
  CHECK_FALSE(result.failed());
  CHECK(result.count(Action::Created) == 20);
  admin(client, "DELETE", "/sandbox/faults");
  const auto writes = test::write_count(*env.sb);
  auto again = manager.apply_all(test::objects(yaml), {.app = "shop", .ns = "default"});
  CHECK(again.count(Action::Unchanged) == 20);
  CHECK(test::write_count(*env.sb) == writes);
  std::uint64_t retried = 0;
  for (const auto& s : client.stats()) {
    if (s.code >= 429) retried += s.count;
  }
  CHECK(retried > 0);
}

TEST_CASE("under 20% 5xx, 10% 429, 200 ms latency, dropped watches and forced 410, apply converges and the cache "
          "equals a fresh list",
          "[apply][faults][live_cache]") {
  test::ApplierEnv env;
  applier::Client client(applier::load_kubeconfig({.paths = {env.kubeconfig}, .context = {}}),
                         {.max_retries = 12, .backoff_base = std::chrono::milliseconds(5),
                          .backoff_max = std::chrono::milliseconds(200)});
  applier::ResourceManager manager(client);
  applier::Discovery discovery(client);
  const auto resource = discovery.find({.group = "", .version = "v1", .kind = "ConfigMap"});
  REQUIRE(resource);
  applier::LiveCache cache(client, {{.resource = *resource, .ns = "default", .label_selector = "gitmoor.dev/app=shop"}},
                           {.backoff_base = std::chrono::milliseconds(20), .backoff_max = std::chrono::milliseconds(300)});
  cache.start();

  admin(client, "POST", "/sandbox/faults",
        R"([{"verb":"*","resource":"*","code":500,"rate":0.1},{"verb":"*","resource":"*","code":503,"rate":0.1},
            {"verb":"*","resource":"*","code":429,"rate":0.1,"retryAfterSeconds":1},
            {"verb":"*","resource":"*","latencyMs":200}])");
  // While the apply runs: watches are dropped and their history forgotten (the next resume gets 410) again and again.
  std::atomic<bool> applying{true};
  std::jthread disrupt([&] {
    for (int i = 0; applying; ++i) {
      admin(client, "POST", i % 2 == 0 ? "/sandbox/watches/close" : "/sandbox/watches/expire");
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
  });
  std::string yaml;
  for (int i = 0; i < 40; ++i) {
    yaml += "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-" + std::to_string(i) + "\ndata:\n  k: v\n---\n";
  }
  auto result = manager.apply_all(test::objects(yaml), {.app = "shop", .ns = "default"});
  applying = false;
  disrupt.join();
  admin(client, "DELETE", "/sandbox/faults");
  INFO(result.format_text());
  CHECK_FALSE(result.failed());
  CHECK(result.count(Action::Created) == 40);

  // Nothing lost, nothing duplicated: the cache converges to exactly what a fresh list says, object for object.
  const auto expected = fresh(client);
  CHECK(expected.size() == 40);
  CHECK(eventually([&] { return versions(cache.objects()) == expected; }, std::chrono::seconds(30)));
  CHECK(cache.size() == 40);
  cache.stop();
}
