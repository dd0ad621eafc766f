#pragma once
// What the outside (the HTTP API, the CLI through it) may ask of the engine, in Argo CD's words. The Controller
// implements it; the web module depends only on this interface, so its handlers are tested with a fake.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gitmoor/core/error.hpp"
#include "gitmoor/core/object.hpp"
#include "gitmoor/engine/application_status.hpp"

namespace gitmoor::engine {

// The named Application does not exist (HTTP 404).
class ApplicationNotFound : public core::InvalidInput {
 public:
  using core::InvalidInput::InvalidInput;
};

// The request itself is wrong: an unknown history id, an unknown propagation policy, deleting an app that is not a
// custom resource (HTTP 400, gRPC InvalidArgument). Plain core::InvalidInput stays "not now" (409, FailedPrecondition).
class InvalidArgument : public core::InvalidInput {
 public:
  using core::InvalidInput::InvalidInput;
};

// POST /api/v1/applications/{name}/rollback: redeploy status.history[id] (its revision and source).
struct RollbackRequest {
  std::int64_t id = 0;
  bool prune = false;
  bool dry_run = false;
  std::string initiated_by = "api";
};

// DELETE /api/v1/applications/{name}?cascade=&propagationPolicy=
struct DeleteRequest {
  bool cascade = true;                          // delete the app's resources first (the resources finalizer)
  std::string propagation_policy = "foreground";  // foreground | background | orphan: how each resource is deleted
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

  // refresh(), then wait (at most `timeout`) until a compare that started after it has finished, so that the app
  // read next shows it. The default only refreshes.
  virtual void refresh_and_wait(const std::string& name, bool hard, std::chrono::milliseconds timeout) {
    (void)timeout;
    refresh(name, hard);
  }
  // Start a sync of status.history[request.id]'s revision and source (Argo CD's rollback). Throws
  // ApplicationNotFound; core::InvalidInput while auto-sync is enabled or an operation runs; InvalidArgument for an
  // unknown id.
  virtual void rollback(const std::string& name, const RollbackRequest& request) {
    (void)request;
    throw core::EnvironmentError("application " + name + ": rollback is not available");
  }
  // Delete the Application: cascading, through the resources finalizer (its resources go first, highest sync wave
  // first; Delete=false and helm.sh/resource-policy=keep objects stay); otherwise orphaning every resource. Throws
  // ApplicationNotFound; InvalidArgument for an app from an --apps file or an unknown propagation policy.
  virtual void delete_application(const std::string& name, const DeleteRequest& request) {
    (void)request;
    throw core::EnvironmentError("application " + name + ": delete is not available");
  }

  // The app's resource tree in Argo CD's ApplicationTree shape, {"nodes": [...], "orphanedNodes": [], "hosts": []}:
  // the managed objects and their owned children (ReplicaSets, Pods, ...) with parentRefs, health and info.
  // Throws ApplicationNotFound. The default says the engine cannot (overridden by the Controller).
  [[nodiscard]] virtual core::Json resource_tree(const std::string& name) const {
    throw core::EnvironmentError("application " + name + ": the resource tree is not available");
  }

  // True once the engine has loaded its Applications and its caches are filled (for /readyz).
  [[nodiscard]] virtual bool ready() const = 0;
  // True while this replica holds the leader Lease (or when leader election is off).
  [[nodiscard]] virtual bool leader() const = 0;
};

}  // namespace gitmoor::engine
