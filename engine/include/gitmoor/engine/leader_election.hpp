#pragma once
// Leader election with a coordination.k8s.io/v1 Lease, client-go's algorithm (tools/leaderelection): only the
// replica holding the Lease reconciles and writes; a standby takes the Lease over once it has not been renewed for
// its leaseDurationSeconds, or at once when the leader releases it on a clean stop.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "gitmoor/applier/client.hpp"
#include "gitmoor/core/object.hpp"

namespace gitmoor::engine {

// The Lease's spec, as client-go's LeaderElectionRecord.
struct LeaseRecord {
  std::string holder_identity;
  int lease_duration_seconds = 0;
  std::optional<std::chrono::system_clock::time_point> acquire_time;
  std::optional<std::chrono::system_clock::time_point> renew_time;
  int lease_transitions = 0;

  // Held by someone and renewed within its duration as of `now` (a Lease without a holder is free).
  [[nodiscard]] bool held_at(std::chrono::system_clock::time_point now) const;
  [[nodiscard]] core::Json to_spec() const;
  static LeaseRecord from_spec(const core::Json& spec);
};

// MicroTime: RFC 3339 UTC with microseconds, e.g. 2026-11-26T18:20:26.123456Z.
std::string format_micro_time(std::chrono::system_clock::time_point time);
// Reads RFC 3339 with any (or no) fraction and a Z or ±hh:mm offset; nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> parse_micro_time(const std::string& text);

struct LeaderElectionOptions {
  std::string lease_namespace = "gitmoor";
  std::string lease_name = "gitmoor-leader";
  std::string identity;  // unique per replica; "" = <hostname>_<pid>
  // A standby takes over a Lease not renewed for this long.
  std::chrono::milliseconds lease_duration{std::chrono::seconds(15)};
  // The leader gives up when no renew has succeeded for this long (shorter than lease_duration, so it stops
  // writing before a standby may start).
  std::chrono::milliseconds renew_deadline{std::chrono::seconds(10)};
  // Between attempts to acquire or renew.
  std::chrono::milliseconds retry_period{std::chrono::seconds(2)};
  // On stop(), hand the Lease back (holder "", duration 1 s) so a standby takes over at once.
  bool release_on_stop = true;
  // Wall clock used for the Lease's times and for expiry; tests may inject one.
  std::function<std::chrono::system_clock::time_point()> now = [] { return std::chrono::system_clock::now(); };
};

struct LeaderCallbacks {
  // Called on the elector's thread; must return quickly (start the work elsewhere).
  std::function<void()> on_started_leading;
  std::function<void()> on_stopped_leading;
  // Called when the observed holder changes (including to ourselves); "" when the Lease is free.
  std::function<void(const std::string& holder)> on_new_leader;
};

class LeaderElector {
 public:
  // `client` must outlive the elector.
  LeaderElector(applier::Client& client, LeaderElectionOptions options, LeaderCallbacks callbacks);
  ~LeaderElector();  // stop()
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  // Starts the elector's thread: acquire, then renew every retry period; after losing the Lease it becomes a
  // standby again.
  void start();
  // Stops the thread; releases the Lease when held and release_on_stop; calls on_stopped_leading when it led.
  // Idempotent.
  void stop();

  [[nodiscard]] bool is_leader() const { return leader_.load(); }
  [[nodiscard]] const std::string& identity() const { return options_.identity; }

  // One client-go tryAcquireOrRenew: reads the Lease and creates, takes over or renews it. True when we hold it
  // afterwards. Public for tests; the thread calls it.
  bool try_acquire_or_renew();

 private:
  void run();
  bool acquire_loop();  // true once acquired, false when stopping
  void renew_loop();    // returns when leadership is lost or stopping
  void release();
  void become_follower();
  bool wait_for(std::chrono::milliseconds period);  // false when stopping
  [[nodiscard]] std::string lease_path() const;
  void observe(const LeaseRecord& record);

  applier::Client& client_;
  LeaderElectionOptions options_;
  LeaderCallbacks callbacks_;

  std::atomic<bool> leader_{false};
  std::string observed_holder_;
  std::string held_resource_version_;  // of our last successful write, for release()
  LeaseRecord held_record_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace gitmoor::engine
