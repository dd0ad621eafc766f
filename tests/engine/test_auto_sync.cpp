// When the controller syncs by itself (Argo CD's automated policy) and how self-heal backs off.
#include <catch2/catch.hpp>

#include "auto_sync.hpp"

using namespace gitmoor::engine;
using gitmoor::core::ResourceKey;
using namespace std::chrono_literals;

namespace {

Application automated(bool prune, bool self_heal, bool allow_empty = false) {
  Application app;
  app.name = "tetris";
  app.sync_policy.automated = AutomatedPolicy{.prune = prune, .self_heal = self_heal, .allow_empty = allow_empty};
  return app;
}

const ResourceKey kBackend{.group = "apps", .kind = "Deployment", .ns = "game", .name = "game-backend"};
const ResourceKey kRedis{.group = "apps", .kind = "Deployment", .ns = "game", .name = "game-redis"};

Comparison out_of_sync(std::vector<ResourceKey> drifted, std::vector<ResourceKey> extraneous = {}) {
  Comparison c;
  c.sync_status = "OutOfSync";
  c.out_of_sync = std::move(drifted);
  c.extraneous = std::move(extraneous);
  c.desired_count = 5;
  return c;
}

OperationState finished(const std::string& revision, OperationPhase phase) {
  OperationState op;
  op.revision = revision;
  op.phase = phase;
  return op;
}

}  // namespace

TEST_CASE("auto-sync: a new revision that is out of sync is synced once, with the policy's prune", "[auto_sync]") {
  auto d = decide_auto_sync(automated(true, false), out_of_sync({kBackend}), "c2", finished("c1", OperationPhase::Succeeded));
  CHECK(d.action == AutoSyncAction::Sync);
  CHECK(d.prune);
  d = decide_auto_sync(automated(false, false), out_of_sync({kBackend}), "c1", std::nullopt);
  CHECK(d.action == AutoSyncAction::Sync);
  CHECK_FALSE(d.prune);
}

TEST_CASE("auto-sync: nothing without the automated policy or when in sync", "[auto_sync]") {
  Application manual;
  manual.name = "m";
  CHECK(decide_auto_sync(manual, out_of_sync({kBackend}), "c1", std::nullopt).action == AutoSyncAction::None);
  Comparison synced;
  CHECK(decide_auto_sync(automated(true, true), synced, "c1", std::nullopt).action == AutoSyncAction::None);
}

TEST_CASE("auto-sync: drift at the synced revision is healed only with selfHeal, and only the drifted objects",
          "[auto_sync]") {
  const auto last = finished("c1", OperationPhase::Succeeded);
  auto d = decide_auto_sync(automated(true, false), out_of_sync({kBackend}), "c1", last);
  CHECK(d.action == AutoSyncAction::None);
  CHECK_THAT(d.reason, Catch::Contains("self-heal is off"));
  d = decide_auto_sync(automated(true, true), out_of_sync({kBackend}), "c1", last);
  CHECK(d.action == AutoSyncAction::SelfHeal);
  CHECK(d.resources == std::vector<ResourceKey>{kBackend});
}

TEST_CASE("auto-sync: a failed sync of a revision is not repeated by deciding again", "[auto_sync]") {
  auto d = decide_auto_sync(automated(true, true), out_of_sync({kBackend}), "c1", finished("c1", OperationPhase::Failed));
  CHECK(d.action == AutoSyncAction::None);
  CHECK_THAT(d.reason, Catch::Contains("failed"));
  // A new commit is tried again.
  d = decide_auto_sync(automated(true, true), out_of_sync({kBackend}), "c2", finished("c1", OperationPhase::Failed));
  CHECK(d.action == AutoSyncAction::Sync);
}

TEST_CASE("auto-sync: an empty render never syncs without allowEmpty", "[auto_sync]") {
  auto empty = out_of_sync({}, {kBackend, kRedis});
  empty.desired_count = 0;
  auto d = decide_auto_sync(automated(true, true), empty, "c2", finished("c1", OperationPhase::Succeeded));
  CHECK(d.action == AutoSyncAction::None);
  CHECK(d.blocked);
  CHECK_THAT(d.reason, Catch::Contains("allowEmpty"));
  d = decide_auto_sync(automated(true, true, true), empty, "c2", finished("c1", OperationPhase::Succeeded));
  CHECK(d.action == AutoSyncAction::Sync);
  CHECK(d.prune);
}

TEST_CASE("auto-sync: only extraneous objects and prune off is nothing to do", "[auto_sync]") {
  auto d = decide_auto_sync(automated(false, true), out_of_sync({}, {kRedis}), "c2", std::nullopt);
  CHECK(d.action == AutoSyncAction::None);
  CHECK_THAT(d.reason, Catch::Contains("prune is off"));
}

TEST_CASE("self-heal backoff: the first drift heals at once, an object that keeps drifting waits 2 s, 6 s, 18 s ... 5 min",
          "[auto_sync]") {
  SelfHealBackoff backoff;
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  auto v = backoff.check({kBackend}, t0);
  CHECK(v.heal_now);
  backoff.record({kBackend}, t0);
  // Drifts again 100 ms later: wait for the rest of 2 s.
  v = backoff.check({kBackend}, t0 + 100ms);
  CHECK_FALSE(v.heal_now);
  CHECK(v.wait == 1900ms);
  CHECK(v.subject == kBackend.to_string());
  // Another object drifting meanwhile is not held back.
  CHECK(backoff.check({kRedis}, t0 + 100ms).heal_now);
  backoff.record({kBackend}, t0 + 2s);
  CHECK(backoff.check({kBackend}, t0 + 3s).wait == 5000ms);  // 6 s after the second heal
  CHECK(backoff.backoff(1) == 2s);
  CHECK(backoff.backoff(2) == 6s);
  CHECK(backoff.backoff(3) == 18s);
  CHECK(backoff.backoff(10) == 5min);
}

TEST_CASE("self-heal backoff: an object that stayed put long enough starts over", "[auto_sync]") {
  SelfHealBackoff backoff;
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  backoff.record({kBackend}, t0);
  backoff.record({kBackend}, t0 + 3s);
  CHECK_FALSE(backoff.check({kBackend}, t0 + 4s).heal_now);
  CHECK(backoff.check({kBackend}, t0 + 3s + 13s).heal_now);  // quiet for 2 × 6 s (and at least 10 s)
}
