// ApplicationStatus: Argo CD's field names on the wire, a lossless round trip, conditions and history.
#include <catch2/catch.hpp>

#include <regex>

#include "gitmoor/engine/application_status.hpp"

using namespace gitmoor;
using engine::ApplicationStatus;
using engine::OperationPhase;

namespace {

ApplicationStatus full_status() {
  ApplicationStatus s;
  s.sync_status = "OutOfSync";
  s.sync_revision = "0123456789abcdef0123456789abcdef01234567";
  s.compared_to = {{"source", {{"repoURL", "https://example.com/r.git"}, {"path", "helm/tetris"}}},
                   {"destination", {{"server", "https://kubernetes.default.svc"}, {"namespace", "game"}}}};
  s.health = {differ::HealthStatus::Progressing, "Waiting for rollout to finish"};
  s.resources.push_back({.key = {"apps", "Deployment", "game", "backend"},
                         .version = "v1",
                         .status = "OutOfSync",
                         .health = {differ::HealthStatus::Progressing, "1 of 2 updated replicas"},
                         .requires_pruning = false,
                         .hook = "",
                         .sync_wave = 1});
  s.resources.push_back({.key = {"", "ConfigMap", "game", "old"},
                         .version = "v1",
                         .status = "OutOfSync",
                         .health = {differ::HealthStatus::Healthy, ""},
                         .requires_pruning = true,
                         .hook = "",
                         .sync_wave = 0});
  s.resources.push_back({.key = {"batch", "Job", "game", "migrate"},
                         .version = "v1",
                         .status = "Synced",
                         .health = {differ::HealthStatus::Healthy, ""},
                         .requires_pruning = false,
                         .hook = "PreSync",
                         .sync_wave = -1});
  engine::OperationState op;
  op.operation = {.revision = "0123456",
                  .prune = true,
                  .dry_run = true,
                  .force = true,
                  .resources = {{"apps", "Deployment", "game", "backend"}},
                  .initiated_by = "alice",
                  .sync_options = {"Replace=true"}};
  op.phase = OperationPhase::Failed;
  op.message = "one or more objects failed to apply";
  op.started_at = "2026-11-26T18:20:26Z";
  op.finished_at = "2026-11-26T18:20:30Z";
  op.retry_count = 2;
  op.revision = "0123456789abcdef0123456789abcdef01234567";
  op.resources.push_back({.key = {"apps", "Deployment", "game", "backend"},
                          .version = "v1",
                          .status = "SyncFailed",
                          .message = "admission webhook denied",
                          .hook_type = "",
                          .hook_phase = "",
                          .sync_phase = "Sync",
                          .sync_wave = 1});
  op.resources.push_back({.key = {"batch", "Job", "game", "migrate"},
                          .version = "v1",
                          .status = "Synced",
                          .message = "job.batch/migrate created",
                          .hook_type = "PreSync",
                          .hook_phase = "Succeeded",
                          .sync_phase = "PreSync",
                          .sync_wave = 0});
  s.operation_state = op;
  s.history.push_back({.id = 4,
                       .revision = "fedcba",
                       .deployed_at = "2026-11-26T18:00:05Z",
                       .deploy_started_at = "2026-11-26T18:00:00Z",
                       .source = {{"repoURL", "https://example.com/r.git"}},
                       .initiated_by = "alice"});
  s.history.push_back({.id = 5, .revision = "abcdef", .initiated_by = "automated"});
  s.conditions.push_back({"SyncError", "apps/Deployment game/backend: denied", "2026-11-26T18:20:30Z"});
  s.reconciled_at = "2026-11-26T18:20:31Z";
  s.images = {"docker.io/acme/backend:0123456", "redis:7"};
  return s;
}

}  // namespace

TEST_CASE("Application status: JSON uses Argo CD's field names", "[engine][application][status]") {
  auto j = full_status().to_json();
  CHECK(j["sync"]["status"] == "OutOfSync");
  CHECK(j["sync"]["revision"] == "0123456789abcdef0123456789abcdef01234567");
  CHECK(j["sync"]["comparedTo"]["destination"]["namespace"] == "game");
  CHECK(j["health"] == core::Json{{"status", "Progressing"}, {"message", "Waiting for rollout to finish"}});
  CHECK(j["resources"][0] == core::Json{{"group", "apps"},
                                        {"version", "v1"},
                                        {"kind", "Deployment"},
                                        {"namespace", "game"},
                                        {"name", "backend"},
                                        {"status", "OutOfSync"},
                                        {"health", {{"status", "Progressing"}, {"message", "1 of 2 updated replicas"}}},
                                        {"syncWave", 1}});
  CHECK(j["resources"][1]["requiresPruning"] == true);
  CHECK_FALSE(j["resources"][1].contains("group"));  // core group, omitted as Argo CD does
  CHECK(j["resources"][2]["hook"] == "PreSync");
  const auto& op = j["operationState"];
  CHECK(op["phase"] == "Failed");
  CHECK(op["retryCount"] == 2);
  CHECK(op["startedAt"] == "2026-11-26T18:20:26Z");
  CHECK(op["finishedAt"] == "2026-11-26T18:20:30Z");
  CHECK(op["operation"]["sync"]["prune"] == true);
  CHECK(op["operation"]["sync"]["dryRun"] == true);
  CHECK(op["operation"]["sync"]["syncOptions"] == core::Json{"Replace=true"});
  CHECK(op["operation"]["sync"]["resources"][0]["kind"] == "Deployment");
  CHECK(op["operation"]["initiatedBy"] == core::Json{{"username", "alice"}});
  CHECK(op["syncResult"]["revision"] == "0123456789abcdef0123456789abcdef01234567");
  CHECK(op["syncResult"]["resources"][1]["hookType"] == "PreSync");
  CHECK(op["syncResult"]["resources"][1]["hookPhase"] == "Succeeded");
  CHECK(op["syncResult"]["resources"][1]["syncPhase"] == "PreSync");
  CHECK(j["history"][0]["id"] == 4);
  CHECK(j["history"][0]["deployedAt"] == "2026-11-26T18:00:05Z");
  CHECK(j["history"][0]["deployStartedAt"] == "2026-11-26T18:00:00Z");
  CHECK(j["history"][0]["source"]["repoURL"] == "https://example.com/r.git");
  CHECK(j["history"][0]["initiatedBy"] == core::Json{{"username", "alice"}});
  CHECK(j["history"][1]["initiatedBy"] == core::Json{{"automated", true}});
  CHECK(j["conditions"][0]["type"] == "SyncError");
  CHECK(j["conditions"][0]["lastTransitionTime"] == "2026-11-26T18:20:30Z");
  CHECK(j["reconciledAt"] == "2026-11-26T18:20:31Z");
  CHECK(j["summary"]["images"] == core::Json{"docker.io/acme/backend:0123456", "redis:7"});

  engine::SyncRequest automated;
  engine::OperationState running;
  running.operation = automated;
  ApplicationStatus s;
  s.operation_state = running;
  CHECK(s.to_json()["operationState"]["operation"]["initiatedBy"] == core::Json{{"automated", true}});
}

TEST_CASE("Application status: to_json then from_json gives the same status back", "[engine][application][status]") {
  auto original = full_status();
  auto j = original.to_json();
  auto back = ApplicationStatus::from_json(j);
  CHECK(back.to_json() == j);
  CHECK(back.sync_status == original.sync_status);
  CHECK(back.health == original.health);
  REQUIRE(back.resources.size() == 3);
  CHECK(back.resources[1].key == original.resources[1].key);
  CHECK(back.resources[1].requires_pruning);
  CHECK(back.resources[2].sync_wave == -1);
  REQUIRE(back.operation_state.has_value());
  CHECK(back.operation_state->phase == OperationPhase::Failed);
  CHECK(back.operation_state->operation.force);
  CHECK(back.operation_state->operation.initiated_by == "alice");
  CHECK(back.operation_state->operation.resources == original.operation_state->operation.resources);
  CHECK(back.operation_state->resources[0].message == "admission webhook denied");
  CHECK(back.history[0].id == 4);
  CHECK(back.history[0].initiated_by == "alice");
  CHECK(back.history[1].initiated_by == "automated");
  CHECK(back.images == original.images);

  // The empty status round-trips too, with no operation.
  ApplicationStatus empty;
  auto empty_back = ApplicationStatus::from_json(empty.to_json());
  CHECK(empty_back.to_json() == empty.to_json());
  CHECK_FALSE(empty_back.operation_state.has_value());
  CHECK(empty_back.sync_status == "Unknown");
  CHECK(empty_back.health.status == differ::HealthStatus::Unknown);
}

TEST_CASE("Application status: from_json reads Argo CD's status and skips malformed fields",
          "[engine][application][status]") {
  auto argo = core::Json::parse(R"({
    "sync": {"status": "Synced", "revision": "abc"},
    "health": {"status": "Healthy"},
    "resources": [{"kind": "Job", "name": "pre", "namespace": "game", "group": "batch", "version": "v1",
                   "status": "Synced", "hook": true}, "garbage"],
    "operationState": {"phase": "Succeeded", "operation": {"sync": {"revision": "abc"},
                       "initiatedBy": {"automated": true}, "retry": {}}, "syncResult": {"resources": []}},
    "history": [{"id": 0, "revision": "abc", "deployedAt": "2026-01-01T00:00:00Z"}, 7],
    "conditions": [{"type": "OrphanedResourceWarning", "message": "1 orphan"}],
    "reconciledAt": 12,
    "sourceType": "Helm",
    "summary": {"images": ["nginx:1", 3]}
  })");
  auto s = ApplicationStatus::from_json(argo);
  CHECK(s.sync_status == "Synced");
  CHECK(s.health.status == differ::HealthStatus::Healthy);
  REQUIRE(s.resources.size() == 1);
  CHECK(s.resources[0].hook == "Sync");
  REQUIRE(s.operation_state.has_value());
  CHECK(engine::is_completed(s.operation_state->phase));
  CHECK(s.operation_state->operation.initiated_by == "automated");
  CHECK(s.history.size() == 1);
  CHECK(s.conditions.size() == 1);
  CHECK(s.reconciled_at.empty());
  CHECK(s.images == std::vector<std::string>{"nginx:1"});
  CHECK(ApplicationStatus::from_json(core::Json("not an object")).sync_status == "Unknown");
}

TEST_CASE("Application status: a condition keeps its transition time while its message is unchanged",
          "[engine][application][status]") {
  ApplicationStatus s;
  s.set_condition("ComparisonError", "helm template failed", "2026-11-26T10:00:00Z");
  s.set_condition("SyncError", "denied", "2026-11-26T10:00:01Z");
  s.set_condition("ComparisonError", "helm template failed", "2026-11-26T10:05:00Z");
  REQUIRE(s.condition("ComparisonError") != nullptr);
  CHECK(s.condition("ComparisonError")->last_transition_time == "2026-11-26T10:00:00Z");
  s.set_condition("ComparisonError", "git fetch failed", "2026-11-26T10:06:00Z");
  CHECK(s.condition("ComparisonError")->message == "git fetch failed");
  CHECK(s.condition("ComparisonError")->last_transition_time == "2026-11-26T10:06:00Z");
  CHECK(s.conditions.size() == 2);
  s.clear_condition("ComparisonError");
  CHECK(s.condition("ComparisonError") == nullptr);
  CHECK(s.condition("SyncError") != nullptr);
  s.clear_condition("NotThere");
  CHECK(s.conditions.size() == 1);
}

TEST_CASE("Application status: history ids increase and the oldest entries beyond the limit are dropped",
          "[engine][application][status]") {
  ApplicationStatus s;
  for (int i = 0; i < 5; ++i) s.add_history({.id = 99, .revision = "rev" + std::to_string(i)}, 3);
  REQUIRE(s.history.size() == 3);
  CHECK(s.history[0].revision == "rev2");
  CHECK(s.history[0].id == 2);
  CHECK(s.history[2].revision == "rev4");
  CHECK(s.history[2].id == 4);
  s.add_history({.revision = "rev5"}, 10);
  CHECK(s.history.size() == 4);
  CHECK(s.history.back().id == 5);
}

TEST_CASE("Application status: operation phases and the clock's format", "[engine][application][status]") {
  for (auto phase : {OperationPhase::Running, OperationPhase::Terminating, OperationPhase::Failed,
                     OperationPhase::Error, OperationPhase::Succeeded}) {
    CHECK(engine::parse_operation_phase(engine::to_string(phase)) == phase);
  }
  CHECK_FALSE(engine::parse_operation_phase("running").has_value());
  CHECK_FALSE(engine::is_completed(OperationPhase::Running));
  CHECK_FALSE(engine::is_completed(OperationPhase::Terminating));
  CHECK(engine::is_completed(OperationPhase::Succeeded));
  CHECK(engine::is_completed(OperationPhase::Failed));
  CHECK(engine::is_completed(OperationPhase::Error));
  CHECK(std::regex_match(engine::now_rfc3339(), std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
}
