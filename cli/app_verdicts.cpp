// Wait and sync verdicts; see app_verdicts.hpp.
#include "app_verdicts.hpp"

#include <algorithm>

#include "output/application_view.hpp"
#include "output/json_fields.hpp"

namespace gitmoor::cli {

using core::Json;

namespace {

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

bool running(const std::string& phase) { return phase == "Running" || phase == "Terminating"; }

}  // namespace

Outcome evaluate_wait(const Json& app, const WaitFor& wait_for) {
  const Json& status = field(app, "status");
  const std::string health = text(field(status, "health"), "status");
  const std::string sync = text(field(status, "sync"), "status");
  const std::string phase = text(field(status, "operationState"), "phase");
  if (wait_for.health && health == "Degraded") {
    std::vector<std::string> degraded;
    for (const auto& r : items(status, "resources")) {
      if (text(field(r, "health"), "status") != "Degraded") continue;
      std::string label = resource_label(r);
      if (const auto message = text(field(r, "health"), "message"); !message.empty()) label += " (" + message + ")";
      degraded.push_back(label);
    }
    std::string reason = "health is Degraded";
    if (!degraded.empty()) reason += ": " + join(degraded);
    return {Verdict::Failed, reason};
  }
  std::vector<std::string> missing;
  if (wait_for.sync && sync != "Synced") missing.push_back("sync status " + (sync.empty() ? "unknown" : sync));
  if (wait_for.health && health != "Healthy") missing.push_back("health " + (health.empty() ? "unknown" : health));
  if (wait_for.operation && running(phase)) missing.push_back("operation " + phase);
  if (missing.empty()) return {Verdict::Done, ""};
  return {Verdict::Waiting, join(missing)};
}

std::string operation_key(const Json& app) {
  const Json& op = field(field(app, "status"), "operationState");
  if (!op.is_object()) return "";
  return text(op, "startedAt") + "|" + text(op, "phase") + "|" + text(op, "finishedAt") + "|" +
         field(op, "operation").dump();
}

Outcome evaluate_sync(const Json& app, const std::string& previous_key, bool dry_run) {
  const Json& op = field(field(app, "status"), "operationState");
  const std::string phase = text(op, "phase");
  if (!op.is_object() || operation_key(app) == previous_key) return {Verdict::Waiting, "the operation to start"};
  if (running(phase)) return {Verdict::Waiting, "operation " + phase};
  if (phase == "Failed" || phase == "Error") {
    // A failed hook first: it is usually the cause, and the user fixes the hook, not the app.
    for (const auto& r : items(field(op, "syncResult"), "resources")) {
      const std::string hook = text(r, "hookType");
      const std::string hook_phase = text(r, "hookPhase");
      if (hook.empty()) continue;
      if (hook_phase == "Failed" || hook_phase == "Error" || text(r, "status") == "SyncFailed") {
        std::string reason = hook + " hook " + text(r, "kind") + "/" + text(r, "name") + " failed";
        if (const auto message = text(r, "message"); !message.empty()) reason += ": " + message;
        return {Verdict::Failed, reason};
      }
    }
    std::string reason = "sync " + phase;
    if (const auto message = text(op, "message"); !message.empty()) reason += ": " + message;
    return {Verdict::Failed, reason};
  }
  if (!dry_run) {
    std::vector<std::string> prune;
    std::vector<std::string> pruned;
    for (const auto& r : items(field(op, "syncResult"), "resources")) {
      if (text(r, "status") == "PruneSkipped") prune.push_back(resource_label(r));
      if (text(r, "status") == "Pruned") pruned.push_back(resource_label(r));
    }
    // status.resources may still list what this sync just pruned until the next comparison.
    for (const auto& r : items(field(app, "status"), "resources")) {
      if (field(r, "requiresPruning") != true) continue;
      const auto label = resource_label(r);
      if (std::find(prune.begin(), prune.end(), label) == prune.end() &&
          std::find(pruned.begin(), pruned.end(), label) == pruned.end()) {
        prune.push_back(label);
      }
    }
    if (!prune.empty()) return {Verdict::Failed, "pruning required for " + join(prune) + " (sync with --prune)"};
  }
  return {Verdict::Done, ""};
}

}  // namespace gitmoor::cli
