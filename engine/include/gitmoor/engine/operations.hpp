#pragma once
// What the outside (the HTTP API, the CLI through it) may ask of the engine, in Argo CD's words. The Controller
// implements it; the web module depends only on this interface, so its handlers are tested with a fake.
#include <optional>
#include <string>
#include <vector>

#include "gitmoor/core/error.hpp"
#include "gitmoor/core/object.hpp"
#include "gitmoor/engine/application_events.hpp"
#include "gitmoor/engine/application_status.hpp"
#include "gitmoor/engine/git_push.hpp"

namespace gitmoor::engine {

// The named Application does not exist (HTTP 404).
class ApplicationNotFound : public core::InvalidInput {
 public:
  using core::InvalidInput::InvalidInput;
};

class Operations {
 public:
  virtual ~Operations() = default;

  // Every Application as `{apiVersion, kind, metadata, spec, status}` (status as ApplicationStatus::to_json),
  // sorted by name.
  [[nodiscard]] virtual std::vector<core::Json> list_applications() const = 0;
  [[nodiscard]] virtual std::optional<core::Json> get_application(const std::string& name) const = 0;

  // Compare again now; `hard` also bypasses the render cache. Throws ApplicationNotFound.
  virtual void refresh(const std::string& name, bool hard) = 0;
  // Start a sync operation (queued; the app's status shows it). Throws ApplicationNotFound, or core::InvalidInput
  // when an operation is already running.
  virtual void sync(const std::string& name, const SyncRequest& request) = 0;
  // Stop the running operation at its next step. Throws ApplicationNotFound, or core::InvalidInput when none runs.
  virtual void terminate(const std::string& name) = 0;

  // The app's resource tree in Argo CD's ApplicationTree shape, {"nodes": [...], "orphanedNodes": [], "hosts": []}:
  // the managed objects and their owned children (ReplicaSets, Pods, ...) with parentRefs, health and info.
  // Throws ApplicationNotFound. The default says the engine cannot (overridden by the Controller).
  [[nodiscard]] virtual core::Json resource_tree(const std::string& name) const {
    throw core::EnvironmentError("application " + name + ": the resource tree is not available");
  }

  // Calls `changed(name, deleted)` after an Application's spec or status changed (possibly only its reconciledAt),
  // or after it was deleted, from the engine's own threads: the callback must be cheap and never block (see
  // application_events.hpp). The handle unsubscribes when destroyed. The default: an engine that never says.
  [[nodiscard]] virtual Subscription watch_applications(ApplicationChanged changed) {
    (void)changed;
    return {};
  }

  // A Git push reported by the webhook: refreshes the Applications it reaches (git_push.hpp's rules) and returns
  // their names, sorted. Returns at once: the engine polls each pushed repository once for all of them (one remote
  // check, at most one fetch), then compares each (auto-syncing when automated). The default refreshes nothing.
  virtual std::vector<std::string> refresh_for_push(const GitPush& push) {
    (void)push;
    return {};
  }

  // True once the engine has loaded its Applications and its caches are filled (for /readyz).
  [[nodiscard]] virtual bool ready() const = 0;
  // True while this replica holds the leader Lease (or when leader election is off).
  [[nodiscard]] virtual bool leader() const = 0;
};

}  // namespace gitmoor::engine
