#pragma once
// The controller's state, shared by controller.cpp (lifecycle, triggers, Operations) and reconcile.cpp (compare and
// sync of one app). One mutex guards the app records; slow work (Git, helm, the API server) runs on copies,
// outside it. The work queue guarantees one worker per app at a time.
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <random>
#include <thread>
#include <vector>

#include "auto_sync.hpp"
#include "credential_watch.hpp"
#include "health_rules_watch.hpp"
#include "gitmoor/core/metrics.hpp"
#include "event_recorder.hpp"
#include "gitmoor/applier/live_cache.hpp"
#include "gitmoor/applier/resource_manager.hpp"
#include "gitmoor/core/logging.hpp"
#include "gitmoor/engine/application.hpp"
#include "gitmoor/engine/application_status.hpp"
#include "gitmoor/engine/controller.hpp"
#include "gitmoor/engine/git_source.hpp"
#include "gitmoor/engine/manifest_poller.hpp"
#include "gitmoor/engine/repository_credentials.hpp"
#include "gitmoor/engine/sync_operation.hpp"
#include "gitmoor/renderer/render_cache.hpp"
#include "namespace_scope.hpp"
#include "notifier.hpp"
#include "owner_index.hpp"
#include "status_events.hpp"
#include "work_queue.hpp"

namespace gitmoor::engine {

class ApplicationStore;

inline spdlog::logger& engine_log() {
  static const auto logger = core::logger("engine");
  return *logger;
}

// One Application as the controller knows it.
struct AppRecord {
  Application app;
  ApplicationStatus status;
  // The source: last good manifests and the commit they came from; the last source error (kept apart so a failed
  // poll never replaces good manifests: nothing is pruned on an error).
  std::string commit;
  std::shared_ptr<const renderer::RenderResult> manifests;
  std::string source_error;
  bool needs_poll = true;
  // What the outside asked for, taken by the next reconcile.
  std::optional<SyncRequest> requested_sync;
  // A reconcile took requested_sync and has not finished with it (from taking it to the operation's end): a second
  // sync() in that window is refused like one during the operation.
  bool request_taken = false;
  int retry_count = 0;  // automated retries of the current revision's failed sync
  std::optional<SyncRequest> retry_request;  // the failed automated sync, run again at retry_at (retry policy)
  std::chrono::steady_clock::time_point retry_at{};
  SelfHealBackoff self_heal;
  // When a live event first said this app's objects changed since its last compare that left nothing to do: where
  // gitmoor_self_heal_latency_seconds starts (a drift is seen as the event arrives, before any compare).
  std::optional<std::chrono::steady_clock::time_point> drift_seen_at;
  // The running operation, for terminate(); guarded by Impl::mutex.
  SyncOperation* running = nullptr;
  bool terminate_requested = false;
  // What the last compare saw. Compare is a pure function of the spec, the manifests and the app's live objects, so
  // when none of them changed since a compare that left nothing to do, the periodic re-compare is skipped (1,000
  // idle apps then cost almost nothing per poll). Live events bump live_changes; spec changes bump spec_changes.
  std::uint64_t live_changes = 0;
  std::uint64_t spec_changes = 0;
  struct {
    const renderer::RenderResult* manifests = nullptr;
    std::string commit;
    std::uint64_t live_changes = 0;
    std::uint64_t spec_changes = 0;
    bool quiet = false;  // the compare led to no action (no sync, no self-heal waiting)
  } last_compare;
  std::size_t written_status = 0;  // hash of the status last written (without reconciledAt): skip identical writes
  std::chrono::steady_clock::time_point written_at{};
  // The status as last told to Events and notifications (status_observers.cpp): what the next change is compared to.
  std::optional<StatusSummary> observed;
  // refresh_and_wait: refreshes asked, and the newest one a finished reconcile had seen when it started.
  std::uint64_t refresh_asked = 0;
  std::uint64_t refresh_done = 0;

  // Takes a poll's outcome (caller holds Impl::mutex): good manifests replace the last ones; an error is kept apart
  // and leaves the last good manifests in place, so nothing is pruned on it.
  void take_poll(const AppManifests& result);
};

// The message of a captured exception (GitError, RenderError, ...).
std::string error_message(const std::exception_ptr& error);

struct Controller::Impl {
  Impl(applier::Client& client, ControllerOptions options);
  ~Impl();

  applier::Client& client;
  ControllerOptions options;
  NamespaceScope scope;  // options.namespaces
  applier::ResourceManager resources;
  GitSource git;
  renderer::RenderCache render_cache;
  ManifestPoller poller;
  std::unique_ptr<ApplicationStore> store;
  WorkQueue queue;

  mutable std::mutex mutex;
  std::condition_variable live_changed;  // notified on every live event: a running sync re-checks health
  std::condition_variable reconciled;    // notified when a reconcile ends (refresh_and_wait)
  std::map<std::string, std::shared_ptr<AppRecord>> apps;
  std::string files_fingerprint;
  std::map<std::string, std::string> file_errors;  // file → error, logged once per change

  // Live state: managed objects (one cache per batch of watched types: types served later, e.g. by a CRD an app
  // installs, get a cache of their own) and the Application custom resources.
  mutable std::mutex live_mutex;
  std::vector<std::unique_ptr<applier::LiveCache>> live;
  std::set<core::GroupVersionKind> watched;
  std::unique_ptr<applier::LiveCache> app_watch;

  std::atomic<bool> stopping{false};
  std::atomic<bool> started{false};
  std::atomic<bool> leading{true};
  std::vector<std::jthread> workers;
  std::jthread poll_thread;
  std::jthread files_thread;
  std::mt19937 random{std::random_device{}()};
  ApplicationEvents events;  // watch_applications(): told after a status or spec change and after a deletion
  // The unlabelled children of managed objects (Pods, ReplicaSets, ...) for the resource tree (application_views.cpp).
  OwnerIndex owner_index{client, resources.discovery()};
  // Repository credentials from labelled Secrets in apps_namespace, watched: each app's repository carries those
  // matching its URL; a change refreshes the apps it touches (credentials_refresh.cpp).
  RepositoryCredentialStore credentials{options.cache_dir / "credentials"};
  std::unique_ptr<CredentialWatch> credential_watch;
  void credentials_changed(const CredentialChange& change);
  // The user's Lua health rules from gitmoor-cm, watched (health_rules_watch.hpp). Replaced whole on a change; a
  // reader keeps the snapshot it took, so a compare or a sync sees one rule set from start to end.
  mutable std::mutex health_rules_mutex;
  std::shared_ptr<const differ::LuaHealthRules> health_rules = std::make_shared<const differ::LuaHealthRules>();
  std::unique_ptr<HealthRulesWatch> health_rules_watch;
  std::shared_ptr<const differ::LuaHealthRules> current_health_rules() const;
  // Takes new rules and compares every app again (health may change with no change in Git or the cluster).
  void health_rules_changed(std::shared_ptr<const differ::LuaHealthRules> rules);
  // gitmoor_app_info, gitmoor_leader and gitmoor_workqueue_depth, read at each scrape while started.
  core::metrics::CollectorRegistration metrics_registration;

  // status_observers.cpp: Kubernetes Events on the Application and notifications, both sent off the reconcile path.
  EventRecorder event_recorder{client};
  std::unique_ptr<Notifier> notifier;
  struct StatusObservation {
    std::vector<ApplicationEvent> events;
    std::optional<AppSnapshot> snapshot;
  };
  // What the record's status change means for Events and notifications (caller holds mutex; cheap).
  StatusObservation observe(AppRecord& record);
  // Hands the observation on to the recorder and the notifier (without mutex; never blocks).
  void publish(StatusObservation observation);

  // controller.cpp
  void start();
  void stop();
  void worker_loop();
  void poll_loop(std::stop_token stop);
  void files_loop(std::stop_token stop);
  void poll_all();
  void load_files(bool force);
  void load_cluster_apps();
  void upsert_app(Application app, std::optional<ApplicationStatus> status);
  void remove_apps_not_in(ApplicationOrigin origin, const std::set<std::string>& names);
  void on_live_event(const core::Object& object);
  void ensure_watched(const std::vector<core::Object>& objects);
  // The app's live candidates (its label) in packed form, as compare() diffs them.
  std::vector<applier::PackedLive> live_objects(const std::string& app) const;
  std::optional<core::Object> live_object(const core::ResourceKey& key) const;
  std::shared_ptr<AppRecord> find(const std::string& name) const;
  core::Json application_json(const AppRecord& record) const;
  // Tells the watchers that the record's app may have changed (takes the mutex to read its name: call without it).
  void application_changed(const AppRecord& record);

  // reconcile.cpp
  void reconcile(const std::string& name);
  void poll_source(AppRecord& record, const Application& app);
  // The phase the operation ended in; nullopt when shutdown stopped it unrecorded (the next start resumes it).
  std::optional<OperationPhase> run_sync(const std::shared_ptr<AppRecord>& record, const Application& app,
                                         SyncRequest request, const std::string& commit,
                                         std::shared_ptr<const renderer::RenderResult> manifests);
  void write_status(const std::shared_ptr<AppRecord>& record, bool force);

  // push_refresh.cpp: apps a webhook push reached, polled together on push_thread (never on the HTTP thread).
  std::mutex push_mutex;
  std::condition_variable_any push_wake;
  std::set<std::string> push_pending;  // names waiting for the next push poll
  std::jthread push_thread;            // started by the first push
  std::vector<std::string> refresh_for_push(const GitPush& push);
  void push_loop(std::stop_token stop);
  void poll_pushed(const std::set<std::string>& names);
  void stop_push_thread();
  // application_views.cpp: the read-only views of one app (resource tree, managed resources, events, logs).
  // The app's live objects whose tracking id is exactly its own, decoded.
  std::vector<core::Object> owned_live(const Application& app) const;
  core::Json tree_of(const std::string& name);
  // app_deletion.cpp: an Application marked deleted that carries a resources finalizer: delete its resources, highest
  // sync wave first, then take the finalizer off so the API server removes it.
  void finalize_deletion(const std::shared_ptr<AppRecord>& record, const Application& app);
};

// True once the Application has metadata.deletionTimestamp (the API server waits for its finalizers).
bool being_deleted(const Application& app);

AppSource app_source(const Application& app);
// Hands memory the allocator holds but nothing uses back to the system (glibc; after a poll or a sync).
void release_free_memory();

}  // namespace gitmoor::engine
