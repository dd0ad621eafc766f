#pragma once
// When the controller syncs on its own (Argo CD's automated sync policy), as pure decisions:
// - a new revision that is OutOfSync is synced once (prune per policy); a failed sync of that revision is retried
//   only by the retry policy, never by re-deciding;
// - drift at the revision already synced is repaired only with selfHeal, and only the drifted objects are written
//   (no hooks): self-heal is a targeted re-apply, not a full sync;
// - an empty render never syncs without allowEmpty (it would prune everything);
// - an object that keeps drifting backs off (2 s, ×3, up to 5 min, as Argo CD's self-heal backoff).
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "comparison.hpp"
#include "gitmoor/engine/application.hpp"
#include "gitmoor/engine/application_status.hpp"

namespace gitmoor::engine {

enum class AutoSyncAction { None, Sync, SelfHeal };

struct AutoSyncDecision {
  AutoSyncAction action = AutoSyncAction::None;
  std::string reason;                       // why (for logs and, when nothing happens, the status)
  std::vector<core::ResourceKey> resources;  // SelfHeal: the drifted objects
  bool prune = false;
  bool blocked = false;  // an automated sync was wanted but a guard refused it (reason says which): a SyncError
};

// `last_operation`: the app's operationState (the last sync, whatever started it). `revision`: the commit compared.
AutoSyncDecision decide_auto_sync(const Application& app, const Comparison& comparison, const std::string& revision,
                                  const std::optional<OperationState>& last_operation);

// Per-object self-heal bookkeeping with Argo CD's backoff. Time is passed in, so tests need no clock.
class SelfHealBackoff {
 public:
  using Clock = std::chrono::steady_clock;
  struct Verdict {
    bool heal_now = true;
    std::chrono::milliseconds wait{0};  // when !heal_now: how long until the drifting objects may be healed
    int attempts = 0;                   // heals of the most-drifting object so far
    std::string subject;                // that object, for the status message
  };

  explicit SelfHealBackoff(std::chrono::milliseconds base = std::chrono::seconds(2), int factor = 3,
                           std::chrono::milliseconds cap = std::chrono::minutes(5))
      : base_(base), factor_(factor), cap_(cap) {}

  [[nodiscard]] Verdict check(const std::vector<core::ResourceKey>& drifted, Clock::time_point now);
  void record(const std::vector<core::ResourceKey>& healed, Clock::time_point now);
  // The wait before heal number `attempts + 1` of an object already healed `attempts` times.
  [[nodiscard]] std::chrono::milliseconds backoff(int attempts) const;

 private:
  struct Entry {
    int attempts = 0;
    Clock::time_point last;
  };
  // An object that stayed put for twice its next backoff (at least 10 s) is not "keeps drifting" any more.
  [[nodiscard]] bool expired(const Entry& entry, Clock::time_point now) const;

  std::chrono::milliseconds base_;
  int factor_;
  std::chrono::milliseconds cap_;
  std::map<core::ResourceKey, Entry> entries_;
};

}  // namespace gitmoor::engine
