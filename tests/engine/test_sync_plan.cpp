// The sync plan and hook annotations, pure: which objects run in which phase and wave, in which order.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "gitmoor/core/yaml.hpp"
#include "gitmoor/engine/sync_operation.hpp"
#include "hooks.hpp"
#include "sync_plan.hpp"
#include "test_paths.hpp"

using namespace gitmoor;
using engine::SyncPhase;

namespace {

std::vector<core::Object> fixture(const std::string& name) {
  std::ifstream in(test::testdata_dir() / "sync" / name);
  std::stringstream text;
  text << in.rdbuf();
  return core::parse_manifests(text.str());
}

core::Object annotated(std::initializer_list<std::pair<const char*, const char*>> annotations) {
  core::Object o(core::Json{{"apiVersion", "batch/v1"}, {"kind", "Job"}, {"metadata", {{"name", "hook"}}}});
  for (const auto& [k, v] : annotations) o.set_annotation(k, v);
  return o;
}

// "<phase>/<wave>: name name ..." per wave.
std::vector<std::string> outline(const std::vector<engine::SyncWave>& waves) {
  std::vector<std::string> out;
  for (const auto& wave : waves) {
    std::string line = std::string(engine::to_string(wave.phase)) + "/" + std::to_string(wave.wave) + ":";
    for (const auto& task : wave.tasks) line += " " + task.object.name();
    out.push_back(line);
  }
  return out;
}

}  // namespace

TEST_CASE("sync plan: hook_type reads Argo CD hooks and maps Helm hooks", "[sync]") {
  CHECK(engine::hook_type(annotated({})).empty());
  CHECK(engine::hook_type(annotated({{"argocd.argoproj.io/hook", "PreSync"}})) == "PreSync");
  CHECK(engine::hook_type(annotated({{"argocd.argoproj.io/hook", " SyncFail "}})) == "SyncFail");
  CHECK(engine::hook_type(annotated({{"argocd.argoproj.io/hook", "PostSync,PreSync"}})) == "PostSync");
  CHECK(engine::hook_type(annotated({{"helm.sh/hook", "pre-install"}})) == "PreSync");
  CHECK(engine::hook_type(annotated({{"helm.sh/hook", "pre-upgrade"}})) == "PreSync");
  CHECK(engine::hook_type(annotated({{"helm.sh/hook", "post-install,post-upgrade"}})) == "PostSync");
  CHECK(engine::hook_type(annotated({{"helm.sh/hook", "pre-delete"}})) == "PreDelete");
  CHECK(engine::hook_type(annotated({{"helm.sh/hook", "post-delete"}})) == "PostDelete");
  CHECK(engine::hook_type(annotated({{"helm.sh/hook", "test"}})) == "Skip");
  CHECK(engine::hook_type(annotated({{"helm.sh/hook", "pre-rollback"}})) == "Skip");
  // Argo CD's annotation wins over Helm's.
  CHECK(engine::hook_type(annotated({{"helm.sh/hook", "pre-install"}, {"argocd.argoproj.io/hook", "PostSync"}})) ==
        "PostSync");
  // A hook annotation gitmoor does not understand still makes a hook, one that never runs.
  CHECK(engine::hook_type(annotated({{"argocd.argoproj.io/hook", "Sometimes"}})) == "Skip");
}

TEST_CASE("sync plan: hook delete policy defaults to BeforeHookCreation and reads Helm's names", "[sync]") {
  auto none = engine::hook_delete_policy(annotated({}));
  CHECK(none.before_hook_creation);
  CHECK_FALSE(none.hook_succeeded);
  CHECK_FALSE(none.hook_failed);

  auto argo = engine::hook_delete_policy(annotated({{"argocd.argoproj.io/hook-delete-policy", "HookSucceeded, HookFailed"}}));
  CHECK_FALSE(argo.before_hook_creation);  // naming a policy replaces the default
  CHECK(argo.hook_succeeded);
  CHECK(argo.hook_failed);

  auto helm = engine::hook_delete_policy(annotated({{"helm.sh/hook-delete-policy", "before-hook-creation,hook-succeeded"}}));
  CHECK(helm.before_hook_creation);
  CHECK(helm.hook_succeeded);
  CHECK_FALSE(helm.hook_failed);
}

TEST_CASE("sync plan: helm.sh/hook-weight is the wave of a Helm hook only", "[sync]") {
  CHECK(engine::task_wave(annotated({{"helm.sh/hook", "pre-install"}, {"helm.sh/hook-weight", "-5"}})) == -5);
  CHECK(engine::task_wave(annotated({{"helm.sh/hook", "pre-install"}, {"helm.sh/hook-weight", "x"}})) == 0);
  // sync-wave, when present, wins.
  CHECK(engine::task_wave(annotated({{"helm.sh/hook", "pre-install"},
                                     {"helm.sh/hook-weight", "-5"},
                                     {"argocd.argoproj.io/sync-wave", "3"}})) == 3);
  // Not a Helm hook: the weight means nothing.
  CHECK(engine::task_wave(annotated({{"helm.sh/hook-weight", "7"}})) == 0);
}

TEST_CASE("sync plan: orders by phase, wave, kind, name and leaves out hooks a sync does not run", "[sync]") {
  const auto plan = engine::plan_sync(fixture("plan.yaml"), {});
  CHECK(outline(plan.waves) == std::vector<std::string>{
                                   "PreSync/0: pre-b",
                                   "PreSync/1: pre-a",
                                   "Sync/-3: early",
                                   "Sync/0: z-config b-svc a-deploy",  // ConfigMap, Service, Deployment: kind order
                                   "Sync/2: late sync-hook",
                                   "PostSync/0: post",
                                   });
  CHECK(outline(plan.fail_waves) == std::vector<std::string>{"SyncFail/0: on-fail"});
  const auto& sync_hook = plan.waves[4].tasks[1];
  CHECK(sync_hook.hook_type == "Sync");
  CHECK(sync_hook.is_hook());
  CHECK_FALSE(plan.waves[4].tasks[0].is_hook());
}

TEST_CASE("sync plan: without hooks (dry run) and of selected resources (no hooks, only those)", "[sync]") {
  const auto objects = fixture("plan.yaml");
  const auto dry = engine::plan_sync(objects, {.run_hooks = false, .only = {}});
  CHECK(outline(dry.waves) ==
        std::vector<std::string>{"Sync/-3: early", "Sync/0: z-config b-svc a-deploy", "Sync/2: late"});
  CHECK(dry.fail_waves.empty());

  const auto some = engine::plan_sync(
      objects, {.run_hooks = false,
                .only = {{.group = "", .kind = "ConfigMap", .ns = "", .name = "late"},
                         {.group = "apps", .kind = "Deployment", .ns = "", .name = "a-deploy"},
                         {.group = "batch", .kind = "Job", .ns = "", .name = "post"}}});
  CHECK(outline(some.waves) == std::vector<std::string>{"Sync/0: a-deploy", "Sync/2: late"});
}
