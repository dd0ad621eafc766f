#pragma once
// What the outside (the HTTP API, the CLI through it) may ask of the engine, in Argo CD's words. The Controller
// implements it; the web module depends only on this interface, so its handlers are tested with a fake.
#include <chrono>
#include <cstdint>
#include <functional>
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

// A resource, pod or revision the request names is not part of the application (HTTP 404).
class ResourceNotFound : public core::InvalidInput {
 public:
  using core::InvalidInput::InvalidInput;
};

// The request itself is wrong: an unknown history id, an unknown propagation policy, deleting an app that is not a
// custom resource (HTTP 400, gRPC InvalidArgument). Plain core::InvalidInput stays "not now" (409, FailedPrecondition).
class InvalidArgument : public core::InvalidInput {
 public:
  using core::InvalidInput::InvalidInput;
};

// GET .../logs: Argo CD's query (PodLogsQuery).
struct PodLogsRequest {
  std::string pod_name;
  std::string container;                    // "" = the pod's only (or default) container
  std::optional<std::int64_t> tail_lines;
  std::optional<std::int64_t> since_seconds;
  bool follow = false;
};

// One log line (Argo CD's LogEntry).
struct LogEntry {
  std::string content;
  std::string time_stamp;  // RFC 3339 with nanoseconds, as the kubelet wrote it ("" when the line had none)
  std::string pod_name;
};

// GET .../resource: one object of the app's resource tree (Argo CD's ResourceRequest: group, version, kind,
// namespace, resourceName).
struct ResourceRef {
  std::string group;    // "" for the core group
  std::string version;  // "" = the version the tree shows it in
  std::string kind;
  std::string ns;       // "" for cluster-scoped objects
  std::string name;
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
  // The same Applications, in the same order, handed to `visit` one at a time: the API's list of 1,000 apps is
  // filtered, projected and written out without every app's JSON alive at once (tens of MiB of short-lived heap,
  // whose page faults cost more than the JSON itself). `visit` must not call back into the Operations.
  virtual void visit_applications(const std::function<void(const core::Json&)>& visit) const {
    for (const auto& app : list_applications()) visit(app);
  }
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

  // Argo CD's ManagedResourcesResponse, {"items": [{group, kind, namespace, name, targetState, liveState,
  // normalizedLiveState, predictedLiveState, diff, hook, modified}]}; states are JSON strings in which every Secret
  // value is masked (equal values alike, different values differently). Throws ApplicationNotFound.
  [[nodiscard]] virtual core::Json managed_resources(const std::string& name) const {
    throw core::EnvironmentError("application " + name + ": managed resources are not available");
  }
  // {"items": [core/v1 Event...]}: the Events of the Application and of the objects in its resource tree, oldest
  // first, at most a few hundred. Throws ApplicationNotFound.
  [[nodiscard]] virtual core::Json events(const std::string& name) const {
    throw core::EnvironmentError("application " + name + ": events are not available");
  }
  // Throws ApplicationNotFound, or ResourceNotFound when the pod is not in the app's resource tree: what the logs
  // route checks before it answers (a followed stream cannot change its status once started).
  virtual void check_pod_logs(const std::string& name, const PodLogsRequest& request) const {
    (void)request;
    throw core::EnvironmentError("application " + name + ": logs are not available");
  }
  // The pod's log lines, each handed to `on_entry` (which returns false to stop) as the API server sends them; with
  // request.follow, until the container ends, `cancelled()` turns true or on_entry refuses. Checks as
  // check_pod_logs does; throws core::InvalidInput for what the API server refuses (an unknown container).
  virtual void pod_logs(const std::string& name, const PodLogsRequest& request,
                        const std::function<bool(const LogEntry&)>& on_entry,
                        const std::function<bool()>& cancelled) const {
    (void)on_entry;
    (void)cancelled;
    check_pod_logs(name, request);
  }
  // The live object `ref` names, read from the API server now, when it is a node of the app's resource tree (a
  // managed object or one they own: ReplicaSets, Pods, ...): metadata.managedFields dropped, a Secret's values masked
  // as managed_resources masks them. Throws ApplicationNotFound, or ResourceNotFound when the tree has no such node
  // (so no caller reads an arbitrary object through it) or the object is gone.
  [[nodiscard]] virtual core::Json live_resource(const std::string& name, const ResourceRef& ref) const {
    (void)ref;
    throw core::EnvironmentError("application " + name + ": live resources are not available");
  }
  // Argo CD's RevisionMetadata of a commit of the app's repository, {author, date, message, tags: []}, from the Git
  // mirror (fetched first when it lacks the revision). Throws ApplicationNotFound, or ResourceNotFound naming an
  // unknown revision.
  [[nodiscard]] virtual core::Json revision_metadata(const std::string& name, const std::string& revision) const {
    (void)revision;
    throw core::EnvironmentError("application " + name + ": revision metadata is not available");
  }

  // True once the engine has loaded its Applications and its caches are filled (for /readyz).
  [[nodiscard]] virtual bool ready() const = 0;
  // True while this replica holds the leader Lease (or when leader election is off).
  [[nodiscard]] virtual bool leader() const = 0;
};

}  // namespace gitmoor::engine
