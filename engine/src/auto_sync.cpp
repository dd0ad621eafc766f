// See auto_sync.hpp.
#include "auto_sync.hpp"

#include <algorithm>

namespace gitmoor::engine {

AutoSyncDecision decide_auto_sync(const Application& app, const Comparison& comparison, const std::string& revision,
                                  const std::optional<OperationState>& last_operation) {
  AutoSyncDecision decision;
  if (!app.sync_policy.automated) {
    decision.reason = "automated sync is off";
    return decision;
  }
  const auto& policy = *app.sync_policy.automated;
  if (comparison.sync_status == "Synced") {
    decision.reason = "in sync";
    return decision;
  }
  if (comparison.desired_count == 0 && !policy.allow_empty) {
    decision.blocked = true;
    decision.reason = "the source rendered no objects; automated sync would delete every resource of the app, so it "
                      "waits (set syncPolicy.automated.allowEmpty to allow it)";
    return decision;
  }
  if (comparison.out_of_sync.empty() && !policy.prune) {
    decision.reason = "only resources that require pruning differ, and automated prune is off";
    return decision;
  }
  const bool attempted = last_operation && last_operation->revision == revision;
  if (!attempted) {
    decision.action = AutoSyncAction::Sync;
    decision.prune = policy.prune;
    decision.reason = "revision " + revision.substr(0, 12) + " is out of sync";
    return decision;
  }
  if (!is_completed(last_operation->phase)) {
    decision.reason = "a sync of this revision is running";
    return decision;
  }
  if (last_operation->phase != OperationPhase::Succeeded) {
    decision.reason = "the last sync of revision " + revision.substr(0, 12) + " failed; waiting for a new revision";
    return decision;
  }
  if (!policy.self_heal) {
    decision.reason = "drift from revision " + revision.substr(0, 12) + " (self-heal is off)";
    return decision;
  }
  decision.action = AutoSyncAction::SelfHeal;
  decision.resources = comparison.out_of_sync;
  decision.prune = policy.prune && !comparison.extraneous.empty();
  decision.reason = "self-heal: " + std::to_string(comparison.out_of_sync.size()) + " object(s) drifted";
  return decision;
}

std::chrono::milliseconds SelfHealBackoff::backoff(int attempts) const {
  if (attempts <= 0) return std::chrono::milliseconds(0);
  auto wait = base_;
  for (int i = 1; i < attempts && wait < cap_; ++i) wait *= factor_;
  return std::min(wait, cap_);
}

bool SelfHealBackoff::expired(const Entry& entry, Clock::time_point now) const {
  const auto quiet = std::max<std::chrono::milliseconds>(2 * backoff(entry.attempts), std::chrono::seconds(10));
  return now - entry.last > quiet;
}

SelfHealBackoff::Verdict SelfHealBackoff::check(const std::vector<core::ResourceKey>& drifted,
                                                Clock::time_point now) {
  Verdict verdict;
  for (const auto& key : drifted) {
    auto it = entries_.find(key);
    if (it == entries_.end()) continue;
    if (expired(it->second, now)) {
      entries_.erase(it);
      continue;
    }
    const auto ready_at = it->second.last + backoff(it->second.attempts);
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(ready_at - now);
    if (wait > verdict.wait) {
      verdict.heal_now = false;
      verdict.wait = wait;
      verdict.attempts = it->second.attempts;
      verdict.subject = key.to_string();
    }
  }
  return verdict;
}

void SelfHealBackoff::record(const std::vector<core::ResourceKey>& healed, Clock::time_point now) {
  for (const auto& key : healed) {
    auto& entry = entries_[key];
    if (entry.attempts > 0 && expired(entry, now)) entry.attempts = 0;
    ++entry.attempts;
    entry.last = now;
  }
}

}  // namespace gitmoor::engine
