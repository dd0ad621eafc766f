// Leader election against a real sandbox through the real client: acquire, standby, release, takeover after
// expiry, losing the Lease when renewals fail, and the 409 races of two replicas creating or taking it at once.
#include <atomic>
#include <barrier>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "gitmoor/applier/client.hpp"
#include "gitmoor/applier/kubeconfig.hpp"
#include "gitmoor/engine/leader_election.hpp"
#include "gitmoor/sandbox/sandbox.hpp"

namespace gitmoor::engine {
namespace {

using namespace std::chrono_literals;

const std::string kLeasePath = "/apis/coordination.k8s.io/v1/namespaces/gitmoor/leases/gitmoor-leader";

struct LeaseEnv {
  LeaseEnv() : sb(sandbox::Sandbox::start({.controllers = false})) {
    std::random_device rd;
    dir = std::filesystem::temp_directory_path() / ("gitmoor-lease-" + std::to_string(rd()) + std::to_string(rd()));
    const auto kubeconfig = sb->write_kubeconfig(dir / "kubeconfig");
    // No retries: a failed renew must count as failed now, as it would after client-go's request timeout.
    client = std::make_unique<applier::Client>(applier::load_kubeconfig({.paths = {kubeconfig}, .context = {}}),
                                               applier::ClientOptions{.max_retries = 0});
    client->request_json({.method = "POST",
                          .path = "/api/v1/namespaces",
                          .body = R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"gitmoor"}})",
                          .idempotent = false});
  }
  ~LeaseEnv() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  [[nodiscard]] core::Json lease() { return client->request_json({.path = kLeasePath}); }
  void admin(const std::string& method, const std::string& path, const core::Json& body = nullptr) {
    sandbox::Request request{.method = method, .target = path, .headers = {}, .body = body.is_null() ? "" : body.dump()};
    REQUIRE(sb->api().handle(request).status < 300);
  }
  [[nodiscard]] std::uint64_t lease_requests(const std::string& verb, int code) {
    std::uint64_t n = 0;
    for (const auto& c : sb->api().counters()) {
      if (c.verb == verb && c.resource == "leases.coordination.k8s.io" && c.code == code) n += c.count;
    }
    return n;
  }

  std::unique_ptr<sandbox::Sandbox> sb;
  std::filesystem::path dir;
  std::unique_ptr<applier::Client> client;
};

// Short durations so takeovers happen within seconds.
LeaderElectionOptions fast(const std::string& identity) {
  return {.identity = identity,
          .lease_duration = 1s,
          .renew_deadline = 600ms,
          .retry_period = 100ms};
}

// Waits (bounded) for a condition that the elector's thread makes true.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return condition();
}

struct Events {
  std::atomic<int> started{0};
  std::atomic<int> stopped{0};
  LeaderCallbacks callbacks() {
    return {.on_started_leading = [this] { ++started; }, .on_stopped_leading = [this] { ++stopped; }, .on_new_leader = {}};
  }
};

}  // namespace

TEST_CASE("leader election: MicroTime is RFC 3339 with microseconds and reads back", "[engine][leader]") {
  const auto time = std::chrono::system_clock::time_point(std::chrono::microseconds(1795717226123456LL));
  const auto text = format_micro_time(time);
  CHECK(text == "2026-11-26T18:20:26.123456Z");
  CHECK(parse_micro_time(text) == time);
  CHECK(parse_micro_time("2026-11-26T18:20:26Z") ==
        std::chrono::system_clock::time_point(std::chrono::seconds(1795717226)));
  CHECK(parse_micro_time("2026-11-26T19:20:26.5+01:00") ==
        std::chrono::system_clock::time_point(std::chrono::milliseconds(1795717226500LL)));
  CHECK_FALSE(parse_micro_time("2026-11-26 18:20:26Z"));
  CHECK_FALSE(parse_micro_time("2026-11-26T18:20:26"));
  CHECK_FALSE(parse_micro_time("yesterday"));
}

TEST_CASE("leader election: a Lease is held until renewTime plus leaseDurationSeconds, and never without a holder", "[engine][leader]") {
  const auto renewed = std::chrono::system_clock::now();
  LeaseRecord record{.holder_identity = "a", .lease_duration_seconds = 15, .acquire_time = renewed,
                     .renew_time = renewed, .lease_transitions = 0};
  CHECK(record.held_at(renewed + 14s));
  CHECK_FALSE(record.held_at(renewed + 16s));
  record.holder_identity = "";
  CHECK_FALSE(record.held_at(renewed));
  const auto back = LeaseRecord::from_spec(record.to_spec());
  CHECK(back.lease_duration_seconds == 15);
  CHECK(back.renew_time == std::chrono::time_point_cast<std::chrono::microseconds>(renewed));
}

TEST_CASE("leader election: the first elector creates the Lease and leads, a second stays standby", "[engine][leader]") {
  LeaseEnv env;
  Events a_events;
  Events b_events;
  LeaderElector a(*env.client, fast("replica-a"), a_events.callbacks());
  a.start();
  REQUIRE(eventually([&] { return a.is_leader(); }));
  CHECK(a_events.started == 1);

  auto lease = env.lease();
  CHECK(lease["spec"]["holderIdentity"] == "replica-a");
  CHECK(lease["spec"]["leaseDurationSeconds"] == 1);
  CHECK(lease["spec"]["leaseTransitions"] == 0);
  REQUIRE(lease["spec"]["renewTime"].is_string());
  const std::string renew_time = lease["spec"]["renewTime"];
  CHECK(renew_time.size() == std::string("2026-11-26T18:20:26.123456Z").size());  // microseconds
  CHECK(parse_micro_time(lease["spec"]["acquireTime"]));

  LeaderElector b(*env.client, fast("replica-b"), b_events.callbacks());
  b.start();
  // Until b has read a renewed Lease several times over (each renewal writes a new renewTime).
  REQUIRE(eventually([&] {
    return env.lease_requests("get", 200) >= 20 && parse_micro_time(env.lease()["spec"]["renewTime"]) >
                                                      parse_micro_time(renew_time);
  }));
  CHECK_FALSE(b.is_leader());
  CHECK(b_events.started == 0);
  CHECK(env.lease()["spec"]["holderIdentity"] == "replica-a");
  CHECK(env.lease()["spec"]["acquireTime"] == lease["spec"]["acquireTime"]);  // a renewal keeps acquireTime
  b.stop();
  a.stop();
  CHECK(a_events.stopped == 1);
  CHECK(b_events.stopped == 0);
}

TEST_CASE("leader election: stopping the leader releases the Lease so a standby takes it at once", "[engine][leader]") {
  LeaseEnv env;
  // A long lease: only a release lets another replica in before it expires.
  auto slow = [](const std::string& id) {
    return LeaderElectionOptions{.identity = id, .lease_duration = 60s, .renew_deadline = 10s, .retry_period = 100ms};
  };
  Events a_events;
  LeaderElector a(*env.client, slow("replica-a"), a_events.callbacks());
  a.start();
  REQUIRE(eventually([&] { return a.is_leader(); }));
  LeaderElector b(*env.client, slow("replica-b"), {});
  CHECK_FALSE(b.try_acquire_or_renew());

  a.stop();
  CHECK_FALSE(a.is_leader());
  CHECK(a_events.stopped == 1);
  auto released = env.lease();
  CHECK(released["spec"]["holderIdentity"] == "");
  CHECK(released["spec"]["leaseDurationSeconds"] == 1);

  CHECK(b.try_acquire_or_renew());
  auto taken = env.lease();
  CHECK(taken["spec"]["holderIdentity"] == "replica-b");
  CHECK(taken["spec"]["leaseDurationSeconds"] == 60);
  CHECK(taken["spec"]["leaseTransitions"] == 1);
}

TEST_CASE("leader election: a leader that stops renewing without release is replaced after the lease duration", "[engine][leader]") {
  LeaseEnv env;
  auto a_options = fast("replica-a");
  a_options.release_on_stop = false;  // as if killed
  LeaderElector a(*env.client, a_options, {});
  a.start();
  REQUIRE(eventually([&] { return a.is_leader(); }));
  a.stop();
  CHECK(env.lease()["spec"]["holderIdentity"] == "replica-a");

  // With time injected: at the same instant the Lease is still held; past renewTime + 1 s it is free.
  std::atomic<long long> skew_ms{0};
  auto b_options = fast("replica-b");
  b_options.now = [&] { return std::chrono::system_clock::now() + std::chrono::milliseconds(skew_ms.load()); };
  const auto renewed = parse_micro_time(env.lease()["spec"]["renewTime"]);
  REQUIRE(renewed);
  skew_ms = std::chrono::duration_cast<std::chrono::milliseconds>(*renewed - std::chrono::system_clock::now()).count();
  LeaderElector b(*env.client, b_options, {});
  CHECK_FALSE(b.try_acquire_or_renew());
  CHECK(env.lease()["spec"]["holderIdentity"] == "replica-a");
  skew_ms = skew_ms + 1100;
  CHECK(b.try_acquire_or_renew());
  CHECK(env.lease()["spec"]["holderIdentity"] == "replica-b");
  CHECK(env.lease()["spec"]["leaseTransitions"] == 1);

  // And on real time, with threads: a third replica takes over once b stops renewing.
  LeaderElector c(*env.client, fast("replica-c"), {});
  c.start();
  REQUIRE(eventually([&] { return c.is_leader(); }));
  CHECK(env.lease()["spec"]["holderIdentity"] == "replica-c");
  CHECK(env.lease()["spec"]["leaseTransitions"] == 2);
}

TEST_CASE("leader election: a leader whose renewals fail past the renew deadline stops leading", "[engine][leader]") {
  LeaseEnv env;
  Events events;
  LeaderElector a(*env.client, fast("replica-a"), events.callbacks());
  a.start();
  REQUIRE(eventually([&] { return a.is_leader(); }));
  env.admin("POST", "/sandbox/faults", {{"verb", "update"}, {"resource", "leases.coordination.k8s.io"}, {"code", 503}});
  REQUIRE(eventually([&] { return !a.is_leader(); }));
  CHECK(events.stopped == 1);
  CHECK(env.lease_requests("update", 503) >= 1);

  // Once the API server answers again it becomes the leader again (its own Lease, so no transition).
  env.admin("DELETE", "/sandbox/faults");
  REQUIRE(eventually([&] { return a.is_leader(); }));
  CHECK(events.started == 2);
  CHECK(env.lease()["spec"]["leaseTransitions"] == 0);
  a.stop();
}

TEST_CASE("leader election: two replicas racing for the Lease: exactly one wins, the other gets 409", "[engine][leader]") {
  LeaseEnv env;
  // Slow writes (the sandbox sleeps before handling), so both replicas have read the same Lease (or its absence)
  // before either write lands.
  for (const char* verb : {"create", "update"}) {
    env.admin("POST", "/sandbox/faults", {{"verb", verb}, {"resource", "leases.coordination.k8s.io"}, {"latencyMs", 300}});
  }
  auto race = [&](LeaderElector& a, LeaderElector& b) {
    std::barrier start(2);
    bool a_won = false;
    bool b_won = false;
    std::thread ta([&] { start.arrive_and_wait(); a_won = a.try_acquire_or_renew(); });
    std::thread tb([&] { start.arrive_and_wait(); b_won = b.try_acquire_or_renew(); });
    ta.join();
    tb.join();
    CHECK(a_won != b_won);
    return a_won ? a.identity() : b.identity();
  };

  SECTION("creating it") {
    LeaderElector a(*env.client, fast("replica-a"), {});
    LeaderElector b(*env.client, fast("replica-b"), {});
    const auto winner = race(a, b);
    CHECK(env.lease()["spec"]["holderIdentity"] == winner);
    CHECK(env.lease_requests("create", 201) == 1);
    CHECK(env.lease_requests("create", 409) == 1);
  }
  SECTION("taking over an expired one: the write with a stale resourceVersion is refused") {
    auto gone = fast("replica-gone");
    gone.now = [] { return std::chrono::system_clock::now() - 1h; };  // its renewTime is long past
    LeaderElector old(*env.client, gone, {});
    REQUIRE(old.try_acquire_or_renew());
    LeaderElector a(*env.client, fast("replica-a"), {});
    LeaderElector b(*env.client, fast("replica-b"), {});
    const auto winner = race(a, b);
    CHECK(env.lease()["spec"]["holderIdentity"] == winner);
    CHECK(env.lease()["spec"]["leaseTransitions"] == 1);
    CHECK(env.lease_requests("update", 200) == 1);
    CHECK(env.lease_requests("update", 409) == 1);
  }
}

}  // namespace gitmoor::engine
