// When `app wait` and `app sync` stop, and with which verdict.
#include <catch2/catch.hpp>

#include <fstream>

#include "app_verdicts.hpp"
#include "test_paths.hpp"

using namespace gitmoor::cli;
using gitmoor::core::Json;

namespace {

Json fixture() {
  std::ifstream in(gitmoor::test::testdata_dir() / "cli" / "app_tetris.json");
  return Json::parse(in);
}

}  // namespace

TEST_CASE("app wait --health fails at once on Degraded and names the degraded resources", "[cli]") {
  const auto app = fixture();
  const auto health = evaluate_wait(app, {.health = true});
  CHECK(health.verdict == Verdict::Failed);
  CHECK_THAT(health.reason, Catch::Contains("apps/Deployment tetris/game-backend (0 of 2 replicas available)"));

  // Without --health, Degraded is not a failure: --sync waits for Synced.
  const auto sync = evaluate_wait(app, {.sync = true});
  CHECK(sync.verdict == Verdict::Waiting);
  CHECK(sync.reason == "sync status OutOfSync");

  auto healthy = app;
  healthy["status"]["health"] = {{"status", "Healthy"}};
  healthy["status"]["sync"]["status"] = "Synced";
  CHECK(evaluate_wait(healthy, {.sync = true, .health = true, .operation = true}).verdict == Verdict::Done);
  healthy["status"]["operationState"]["phase"] = "Running";
  const auto running = evaluate_wait(healthy, {.sync = true, .health = true, .operation = true});
  CHECK(running.verdict == Verdict::Waiting);
  CHECK(running.reason == "operation Running");
}

TEST_CASE("app sync waits for its own operation and reports pruning still required", "[cli]") {
  const auto app = fixture();
  // The same operation as before the request: ours has not started.
  CHECK(evaluate_sync(app, operation_key(app), false).verdict == Verdict::Waiting);
  const auto done = evaluate_sync(app, "", false);
  CHECK(done.verdict == Verdict::Failed);
  CHECK(done.reason == "pruning required for /ConfigMap tetris/old-settings (sync with --prune)");
  // A dry run prunes nothing, so it is not asked to.
  CHECK(evaluate_sync(app, "", true).verdict == Verdict::Done);

  auto pruned = app;
  pruned["status"]["operationState"]["syncResult"]["resources"][3]["status"] = "Pruned";
  CHECK(evaluate_sync(pruned, "", false).verdict == Verdict::Done);  // status.resources not compared again yet

  auto running = app;
  running["status"]["operationState"]["phase"] = "Running";
  CHECK(evaluate_sync(running, "", false).verdict == Verdict::Waiting);
}

TEST_CASE("app sync names a failed PreSync hook", "[cli]") {
  auto app = fixture();
  auto& op = app["status"]["operationState"];
  op["phase"] = "Failed";
  op["message"] = "one or more synchronization tasks completed unsuccessfully";
  op["syncResult"]["resources"][0]["hookPhase"] = "Failed";
  op["syncResult"]["resources"][0]["status"] = "SyncFailed";
  op["syncResult"]["resources"][0]["message"] = "Job has reached the specified backoff limit";
  const auto failed = evaluate_sync(app, "", false);
  CHECK(failed.verdict == Verdict::Failed);
  CHECK(failed.reason == "PreSync hook Job/db-migrate failed: Job has reached the specified backoff limit");

  op["syncResult"]["resources"][0]["hookPhase"] = "Succeeded";
  op["syncResult"]["resources"][0]["status"] = "Synced";
  CHECK(evaluate_sync(app, "", false).reason == "sync Failed: one or more synchronization tasks completed unsuccessfully");
}
