// The sync operation against a sandbox with its controllers: phases and waves in order, each waiting for health;
// failing hooks and SyncFail hooks; failed waves; prune; dry run; terminate.
#include <catch2/catch.hpp>

#include <thread>

#include "test_sync_fixture.hpp"

using namespace gitmoor;
using engine::OperationPhase;
using test::SyncEnv;

namespace {

const std::vector<std::string> kWatched = {"/apis/batch/v1/namespaces/shop/jobs", "/api/v1/namespaces/shop/configmaps",
                                           "/apis/apps/v1/namespaces/shop/deployments"};

core::Object config_map(const std::string& name, int wave = 0) {
  core::Object o(core::Json{{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}},
                            {"data", {{"name", name}}}});
  if (wave != 0) o.set_annotation("argocd.argoproj.io/sync-wave", std::to_string(wave));
  return o;
}

core::Object job(const std::string& name, const std::string& hook, const std::string& command = "true") {
  core::Json container{{"name", "main"}, {"image", "busybox:1.36"}, {"command", {"sh", "-c", command}}};
  core::Object o(core::Json{{"apiVersion", "batch/v1"},
                            {"kind", "Job"},
                            {"metadata", {{"name", name}}},
                            {"spec",
                             {{"backoffLimit", 0},
                              {"template", {{"spec", {{"restartPolicy", "Never"}, {"containers", {container}}}}}}}}});
  o.set_annotation("argocd.argoproj.io/hook", hook);
  return o;
}

}  // namespace

TEST_CASE("sync operation: PreSync Job, wave -1 ConfigMap, wave 0 Deployment and PostSync Job run in order, each after the previous is healthy",
          "[sync]") {
  SyncEnv env;
  const auto since = env.resource_version();
  const auto state = env.sync(test::sync_fixture("waves_and_hooks.yaml"), env.options());
  INFO(state.message);
  REQUIRE(state.phase == OperationPhase::Succeeded);

  // The cluster's own order of changes (one resourceVersion counter): each step began only after the previous one
  // was healthy.
  const auto events = env.events_since(since, kWatched);
  const auto migrate_done = test::healthy(events, "Job", "migrate");
  const auto settings_added = test::added(events, "ConfigMap", "settings");
  const auto web_added = test::added(events, "Deployment", "web");
  const auto web_healthy = test::healthy(events, "Deployment", "web");
  const auto smoke_added = test::added(events, "Job", "smoke-test");
  CHECK(test::added(events, "Job", "migrate") < migrate_done);
  CHECK(migrate_done < settings_added);
  CHECK(settings_added < web_added);
  CHECK(web_added < web_healthy);
  CHECK(web_healthy < smoke_added);
  CHECK(env.job("smoke-test").has_value());

  // One result per object and hook, in the order they ran.
  std::vector<std::string> order;
  for (const auto& r : state.resources) order.push_back(r.key.kind + "/" + r.key.name);
  CHECK(order == std::vector<std::string>{"Namespace/shop", "Job/migrate", "ConfigMap/settings", "Deployment/web",
                                          "Job/smoke-test"});
  const auto* migrate = test::result_for(state, "Job", "migrate");
  REQUIRE(migrate != nullptr);
  CHECK(migrate->hook_type == "PreSync");
  CHECK(migrate->hook_phase == "Succeeded");
  CHECK(migrate->sync_phase == "PreSync");
  CHECK(migrate->status == "Synced");
  CHECK(migrate->key.ns == "shop");
  const auto* settings = test::result_for(state, "ConfigMap", "settings");
  REQUIRE(settings != nullptr);
  CHECK(settings->sync_wave == -1);
  CHECK(settings->sync_phase == "Sync");
  CHECK(settings->hook_type.empty());
  CHECK(settings->status == "Synced");
  CHECK(settings->message == "created");
  CHECK(settings->version == "v1");
  const auto* smoke = test::result_for(state, "Job", "smoke-test");
  REQUIRE(smoke != nullptr);
  CHECK(smoke->sync_phase == "PostSync");
  CHECK(smoke->hook_phase == "Succeeded");
  CHECK(state.revision == "0123456789abcdef0123456789abcdef01234567");
  CHECK_FALSE(state.started_at.empty());
  CHECK_FALSE(state.finished_at.empty());

  // Hooks carry the tracking annotation and label like every other object of the app.
  const auto live_migrate = env.job("migrate");
  REQUIRE(live_migrate);
  CHECK((*live_migrate)["metadata"]["annotations"].value("gitmoor.dev/tracking-id", "") == "shop:batch/Job:shop/migrate");
  CHECK((*live_migrate)["metadata"]["labels"].value("gitmoor.dev/app", "") == "shop");
}

TEST_CASE("sync operation: a sync in steps: step() returns while a hook runs and the Deployment waits for it", "[sync]") {
  SyncEnv env(std::chrono::milliseconds(400));
  auto op = env.operation(test::sync_fixture("waves_and_hooks.yaml"), env.options());
  CHECK(op->state().phase == OperationPhase::Running);
  // The first step creates the namespace and the PreSync Job, and does not wait for the Job's pod.
  CHECK(op->step() == OperationPhase::Running);
  CHECK(env.job("migrate").has_value());
  CHECK_FALSE(env.config_map("settings").has_value());
  const auto* migrate = test::result_for(op->state(), "Job", "migrate");
  REQUIRE(migrate != nullptr);
  CHECK(migrate->hook_phase == "Running");
  CHECK_THAT(op->state().message, Catch::StartsWith("waiting for PreSync wave 0: batch/Job shop/migrate"));
  const auto state = op->run(std::chrono::milliseconds(10));
  CHECK(state.phase == OperationPhase::Succeeded);
}

TEST_CASE("sync operation: a failing PreSync hook stops the sync and runs the SyncFail hook", "[sync]") {
  SyncEnv env;
  const auto state = env.sync(test::sync_fixture("failing_presync.yaml"), env.options());
  INFO(state.message);
  CHECK(state.phase == OperationPhase::Failed);
  CHECK_THAT(state.message, Catch::Contains("PreSync hook batch/Job shop/migrate failed"));
  // The Sync phase never ran.
  CHECK_FALSE(env.deployment("web").has_value());
  CHECK(test::result_for(state, "Deployment", "web") == nullptr);
  const auto* migrate = test::result_for(state, "Job", "migrate");
  REQUIRE(migrate != nullptr);
  CHECK(migrate->hook_phase == "Failed");
  // The SyncFail hook ran to completion.
  const auto* notify = test::result_for(state, "Job", "notify-failure");
  REQUIRE(notify != nullptr);
  CHECK(notify->sync_phase == "SyncFail");
  CHECK(notify->hook_phase == "Succeeded");
  const auto live = env.job("notify-failure");
  REQUIRE(live);
  core::Object notify_object(*live);
  CHECK(differ::assess_health(&notify_object).status == differ::HealthStatus::Healthy);
}

TEST_CASE("sync operation: hook delete policies: BeforeHookCreation recreates, HookSucceeded and HookFailed delete", "[sync]") {
  SyncEnv env;
  auto kept = job("kept", "PreSync");  // no policy: BeforeHookCreation
  auto cleaned = job("cleaned", "PreSync");
  cleaned.set_annotation("argocd.argoproj.io/hook-delete-policy", "HookSucceeded");
  auto reused = job("reused", "PreSync");
  reused.set_annotation("argocd.argoproj.io/hook-delete-policy", "HookFailed");
  const std::vector<core::Object> desired{kept, cleaned, reused, config_map("app")};

  auto first = env.sync(desired, env.options());
  INFO(first.message);
  REQUIRE(first.phase == OperationPhase::Succeeded);
  CHECK(test::result_for(first, "Job", "cleaned")->hook_phase == "Succeeded");
  CHECK_FALSE(env.job("cleaned").has_value());  // deleted once it succeeded
  const auto kept_uid = (*env.job("kept"))["metadata"].value("uid", "");
  const auto reused_uid = (*env.job("reused"))["metadata"].value("uid", "");

  auto second = env.sync(desired, env.options());
  REQUIRE(second.phase == OperationPhase::Succeeded);
  // BeforeHookCreation: the previous run was deleted and a new Job created.
  CHECK((*env.job("kept"))["metadata"].value("uid", "") != kept_uid);
  // Without it the existing (completed) Job is the hook: applied again, not replaced.
  CHECK((*env.job("reused"))["metadata"].value("uid", "") == reused_uid);
  CHECK(test::result_for(second, "Job", "reused")->hook_phase == "Succeeded");

  // HookFailed deletes a hook that failed.
  auto failing = job("failing", "PreSync", "exit 3");
  failing.set_annotation("argocd.argoproj.io/hook-delete-policy", "HookFailed");
  auto third = env.sync({failing, config_map("app")}, env.options());
  INFO(third.message);
  CHECK(third.phase == OperationPhase::Failed);
  CHECK(test::result_for(third, "Job", "failing")->hook_phase == "Failed");
  CHECK_FALSE(env.job("failing").has_value());
}

TEST_CASE("sync operation: Helm hook annotations: pre-install by hook-weight, post-install after, test and pre-delete hooks not run",
          "[sync]") {
  SyncEnv env;
  const auto since = env.resource_version();
  const auto state = env.sync(test::sync_fixture("helm_hooks.yaml"), env.options());
  INFO(state.message);
  REQUIRE(state.phase == OperationPhase::Succeeded);

  const auto* schema = test::result_for(state, "Job", "schema");
  const auto* seed = test::result_for(state, "Job", "seed");
  const auto* announce = test::result_for(state, "Job", "announce");
  REQUIRE(schema != nullptr);
  REQUIRE(seed != nullptr);
  REQUIRE(announce != nullptr);
  CHECK(schema->hook_type == "PreSync");
  CHECK(schema->sync_wave == -5);
  CHECK(seed->sync_wave == 5);
  CHECK(announce->hook_type == "PostSync");
  CHECK(test::result_for(state, "Pod", "chart-test") == nullptr);
  CHECK(test::result_for(state, "Job", "cleanup") == nullptr);
  CHECK_FALSE(env.get("/api/v1/namespaces/shop/pods/chart-test").has_value());
  CHECK_FALSE(env.job("cleanup").has_value());
  CHECK_FALSE(env.job("seed").has_value());  // helm.sh/hook-delete-policy: hook-succeeded

  const auto events = env.events_since(since, kWatched);
  CHECK(test::healthy(events, "Job", "schema") < test::added(events, "Job", "seed"));
  CHECK(test::healthy(events, "Job", "seed") < test::added(events, "ConfigMap", "chart-config"));
  CHECK(test::added(events, "ConfigMap", "chart-config") < test::added(events, "Job", "announce"));
}

TEST_CASE("sync operation: a failed apply stops later waves, prunes nothing and runs SyncFail hooks", "[sync]") {
  SyncEnv env;
  REQUIRE(env.sync({config_map("old")}, env.options()).phase == OperationPhase::Succeeded);

  core::Object unknown(core::Json{{"apiVersion", "widgets.example.com/v1"}, {"kind", "Widget"},
                                  {"metadata", {{"name", "w"}}}});
  engine::SyncRequest request;
  request.prune = true;
  const auto state =
      env.sync({config_map("first", -1), unknown, config_map("later", 1), job("on-fail", "SyncFail")}, env.options(request));
  INFO(state.message);
  CHECK(state.phase == OperationPhase::Failed);
  CHECK_THAT(state.message, Catch::Contains("one or more objects failed to apply"));
  CHECK_THAT(state.message, Catch::Contains("Widget shop/w"));
  CHECK(env.config_map("first").has_value());        // the wave before ran
  CHECK_FALSE(env.config_map("later").has_value());  // the wave after did not
  CHECK(env.config_map("old").has_value());          // nothing pruned
  CHECK(test::result_for(state, "Widget", "w")->status == "SyncFailed");
  CHECK(test::result_for(state, "Job", "on-fail")->hook_phase == "Succeeded");
  for (const auto& r : state.resources) CHECK(r.status != "Pruned");
}

TEST_CASE("sync operation: prune removes an object dropped from desired, keeps Prune=false ones and hooks", "[sync]") {
  SyncEnv env;
  auto keep = config_map("keep");
  keep.set_annotation("argocd.argoproj.io/sync-options", "Prune=false");
  REQUIRE(env.sync({config_map("a"), config_map("b"), keep, job("pre", "PreSync")}, env.options()).phase ==
          OperationPhase::Succeeded);
  REQUIRE(env.job("pre").has_value());  // a hook kept by its (default) delete policy

  // Without prune, b stays.
  auto no_prune = env.sync({config_map("a")}, env.options());
  REQUIRE(no_prune.phase == OperationPhase::Succeeded);
  CHECK(env.config_map("b").has_value());

  engine::SyncRequest request;
  request.prune = true;
  const auto state = env.sync({config_map("a")}, env.options(request));
  INFO(state.message);
  REQUIRE(state.phase == OperationPhase::Succeeded);
  CHECK_FALSE(env.config_map("b").has_value());
  CHECK(env.config_map("keep").has_value());
  CHECK(env.job("pre").has_value());  // hooks are not pruned
  CHECK(test::result_for(state, "ConfigMap", "b")->status == "Pruned");
  CHECK(test::result_for(state, "ConfigMap", "keep")->status == "PruneSkipped");
  CHECK(test::result_for(state, "Job", "pre") == nullptr);
}

TEST_CASE("sync operation: PruneLast prunes after the PostSync hooks", "[sync]") {
  SyncEnv env;
  REQUIRE(env.sync({config_map("a"), config_map("b")}, env.options()).phase == OperationPhase::Succeeded);
  engine::SyncRequest request;
  request.prune = true;
  auto options = env.options(request);
  options.prune_last = true;
  const auto since = env.resource_version();
  const auto state = env.sync({config_map("a"), job("post", "PostSync")}, options);
  REQUIRE(state.phase == OperationPhase::Succeeded);
  const auto events = env.events_since(since, kWatched);
  const auto b_deleted =
      test::first_event(events, "ConfigMap", "b", [](const test::WatchEvent& e) { return e.type == "DELETED"; });
  CHECK(test::healthy(events, "Job", "post") < b_deleted);
}

TEST_CASE("sync operation: dry run writes nothing: objects, hooks and prunes are only reported", "[sync]") {
  SyncEnv env;
  REQUIRE(env.sync({config_map("old")}, env.options()).phase == OperationPhase::Succeeded);
  engine::SyncRequest request;
  request.dry_run = true;
  request.prune = true;
  const auto state = env.sync(test::sync_fixture("waves_and_hooks.yaml"), env.options(request));
  INFO(state.message);
  REQUIRE(state.phase == OperationPhase::Succeeded);
  CHECK_FALSE(env.config_map("settings").has_value());
  CHECK_FALSE(env.deployment("web").has_value());
  CHECK_FALSE(env.job("migrate").has_value());
  CHECK(env.config_map("old").has_value());
  CHECK(test::result_for(state, "Deployment", "web")->message == "created (dry run)");
  CHECK(test::result_for(state, "Job", "migrate") == nullptr);
  CHECK(test::result_for(state, "ConfigMap", "old")->status == "Pruned");
  CHECK(test::result_for(state, "ConfigMap", "old")->message == "pruned (dry run)");
}

TEST_CASE("sync operation: a sync of selected resources applies only those: no hooks, no prune of others", "[sync]") {
  SyncEnv env;
  REQUIRE(env.sync({config_map("old")}, env.options()).phase == OperationPhase::Succeeded);
  engine::SyncRequest request;
  request.prune = true;
  request.resources = {{.group = "", .kind = "ConfigMap", .ns = "shop", .name = "settings"}};
  const auto state = env.sync(test::sync_fixture("waves_and_hooks.yaml"), env.options(request));
  INFO(state.message);
  REQUIRE(state.phase == OperationPhase::Succeeded);
  CHECK(env.config_map("settings").has_value());
  CHECK_FALSE(env.deployment("web").has_value());
  CHECK_FALSE(env.job("migrate").has_value());
  CHECK(env.config_map("old").has_value());
}

TEST_CASE("sync operation: a wave not healthy within wave_timeout fails the sync, naming what it waited for", "[sync]") {
  SyncEnv env(std::chrono::seconds(30));  // the Deployment's pod stays unready for longer than the test runs
  auto options = env.options();
  options.wave_timeout = std::chrono::milliseconds(300);
  const auto state = env.sync(test::sync_fixture("waves_and_hooks.yaml"), options);
  // The PreSync Job's pod is just as slow: the first wave is the one that times out.
  CHECK(state.phase == OperationPhase::Failed);
  CHECK_THAT(state.message, Catch::Contains("PreSync wave 0 not done after 300ms"));
  CHECK_THAT(state.message, Catch::Contains("batch/Job shop/migrate"));
  CHECK_FALSE(env.config_map("settings").has_value());
}

TEST_CASE("sync operation: terminate: the next step shows Terminating, the one after ends Failed, nothing more applied", "[sync]") {
  SyncEnv env(std::chrono::seconds(30));  // the PreSync Job stays running
  auto op = env.operation(test::sync_fixture("waves_and_hooks.yaml"), env.options());
  REQUIRE(op->step() == OperationPhase::Running);
  REQUIRE(env.job("migrate").has_value());
  std::thread([&] { op->terminate(); }).join();  // as from an HTTP handler's thread
  CHECK(op->step() == OperationPhase::Terminating);
  CHECK(op->state().phase == OperationPhase::Terminating);
  CHECK_FALSE(op->done());
  CHECK(op->step() == OperationPhase::Failed);
  CHECK(op->done());
  CHECK(op->state().message == "terminated by user");
  CHECK_FALSE(op->state().finished_at.empty());
  const auto* migrate = test::result_for(op->state(), "Job", "migrate");
  REQUIRE(migrate != nullptr);
  CHECK(migrate->hook_phase == "Failed");
  CHECK(migrate->message == "terminated by user");
  // Further steps do nothing.
  CHECK(op->step() == OperationPhase::Failed);
  CHECK_FALSE(env.config_map("settings").has_value());
}

TEST_CASE("sync operation: a generateName hook gets a new object every sync, named in its result", "[sync]") {
  SyncEnv env;
  auto hook = job("", "PreSync");
  hook.json()["metadata"].erase("name");
  hook.json()["metadata"]["generateName"] = "migrate-";
  const auto first = env.sync({hook, config_map("app")}, env.options());
  INFO(first.message);
  REQUIRE(first.phase == OperationPhase::Succeeded);
  const auto second = env.sync({hook, config_map("app")}, env.options());
  REQUIRE(second.phase == OperationPhase::Succeeded);

  std::vector<std::string> names;
  for (const auto* state : {&first, &second}) {
    for (const auto& r : state->resources) {
      if (r.key.kind != "Job") continue;
      CHECK(r.hook_phase == "Succeeded");
      CHECK(r.key.name.rfind("migrate-", 0) == 0);
      CHECK(env.job(r.key.name).has_value());
      names.push_back(r.key.name);
    }
  }
  REQUIRE(names.size() == 2);
  CHECK(names[0] != names[1]);
}

TEST_CASE("sync operation: a dry run of a new app with CreateNamespace validates what it can and creates nothing", "[sync]") {
  SyncEnv env;
  engine::SyncRequest request;
  request.dry_run = true;
  auto cluster_role = core::Object(core::Json{{"apiVersion", "rbac.authorization.k8s.io/v1"},
                                              {"kind", "ClusterRole"},
                                              {"metadata", {{"name", "shop-reader"}}},
                                              {"rules", core::Json::array()}});
  const auto state = env.sync({config_map("settings"), cluster_role}, env.options(request));
  INFO(state.message);
  REQUIRE(state.phase == OperationPhase::Succeeded);
  CHECK_FALSE(env.get("/api/v1/namespaces/shop").has_value());
  CHECK_FALSE(env.get("/apis/rbac.authorization.k8s.io/v1/clusterroles/shop-reader").has_value());
  CHECK(test::result_for(state, "Namespace", "shop")->status == "Synced");
  CHECK(test::result_for(state, "ConfigMap", "settings")->status == "Synced");
  CHECK_THAT(test::result_for(state, "ConfigMap", "settings")->message, Catch::Contains("dry run"));
  CHECK(test::result_for(state, "ClusterRole", "shop-reader")->message == "created (dry run)");
}
