// One reconcile of one app: source → compare → decide → sync → status. Runs on a worker; the work queue guarantees
// no other worker holds the same app meanwhile.
#include <algorithm>
#include <sstream>

#include "comparison.hpp"
#include "controller_impl.hpp"
#include "controller_metrics.hpp"
#include "gitmoor/engine/application_store.hpp"

namespace gitmoor::engine {

using core::Json;
using core::Object;

namespace {

constexpr const char* kComparisonError = "ComparisonError";
constexpr const char* kSyncError = "SyncError";
constexpr const char* kInvalidSpecError = "InvalidSpecError";
constexpr const char* kSelfHealBackoff = "SelfHealBackoff";
constexpr auto kReconciledAtRefresh = std::chrono::minutes(10);

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

applier::PropagationPolicy propagation_of(const SyncPolicy& policy) {
  if (policy.has_option("PrunePropagationPolicy=background")) return applier::PropagationPolicy::Background;
  if (policy.has_option("PrunePropagationPolicy=orphan")) return applier::PropagationPolicy::Orphan;
  return applier::PropagationPolicy::Foreground;
}

// The retry policy's wait before retry number `attempt` (1-based): duration × factor^(attempt-1), capped.
std::chrono::milliseconds retry_backoff(const RetryPolicy& retry, int attempt) {
  auto wait = retry.duration;
  for (int i = 1; i < attempt && wait < retry.max_duration; ++i) wait *= std::max(1, retry.factor);
  return std::min(wait, retry.max_duration);
}

// `app` with spec.source replaced (a rollback's history source); its credentials stay when the repository is the same.
Application with_source(const Application& app, const Json& source) {
  Json manifest = app.manifest;
  manifest["spec"]["source"] = source;
  auto out = parse_application(manifest, app.origin, app.subject());
  if (out.source.repo_url == app.source.repo_url) out.repository = app.repository;
  return out;
}

// A compare that could not run: the condition says why, and a sync asked for fails with the same reason.
void set_comparison_error(const Application& app, ApplicationStatus& status, const std::string& message,
                          const std::optional<SyncRequest>& requested, const std::string& now) {
  status.set_condition(kComparisonError, message, now);
  status.reconciled_at = now;
  if (requested) {
    OperationState failed;
    failed.operation = *requested;
    failed.phase = OperationPhase::Error;
    failed.message = "cannot sync: " + message;
    failed.started_at = failed.finished_at = now;
    status.operation_state = failed;
    count_sync(app, failed.phase, requested->dry_run);
  }
}

}  // namespace

// Polls Git for this app alone (refresh, first compare, spec change). Keeps the last good manifests on an error.
void Controller::Impl::poll_source(AppRecord& record, const Application& app) {
  auto results = poller.poll({app_source(app)});
  std::lock_guard lock(mutex);
  if (results.empty()) {
    record.needs_poll = false;
    return;
  }
  record.take_poll(results.front());
}

void Controller::Impl::reconcile(const std::string& name) {
  auto record = find(name);
  if (!record || !leading || stopping) return;

  Application app;
  bool needs_poll = false;
  std::uint64_t refresh_seen = 0;
  {
    std::lock_guard lock(mutex);
    app = record->app;
    needs_poll = record->needs_poll || !record->manifests;
    refresh_seen = record->refresh_asked;
  }
  // However this reconcile ends, the refreshes asked before it started are answered (refresh_and_wait).
  struct AnswerRefresh {
    Controller::Impl& impl;
    AppRecord& record;
    std::uint64_t seen;
    ~AnswerRefresh() {
      {
        std::lock_guard lock(impl.mutex);
        record.refresh_done = std::max(record.refresh_done, seen);
      }
      impl.reconciled.notify_all();
    }
  } answer_refresh{*this, *record, refresh_seen};

  // Marked deleted: no compare, no sync; the resources finalizer (if ours) deletes the app's resources.
  if (being_deleted(app)) {
    finalize_deletion(record, app);
    return;
  }
  const std::string now = now_rfc3339();

  if (!app.spec_errors.empty()) {
    {
      std::lock_guard lock(mutex);
      record->status.set_condition(kInvalidSpecError, join(app.spec_errors, "; "), now);
      record->status.sync_status = "Unknown";
      record->status.reconciled_at = now;
    }
    write_status(record, false);
    return;
  }

  if (needs_poll) poll_source(*record, app);

  std::string commit, source_error;
  std::shared_ptr<const renderer::RenderResult> manifests;
  std::optional<SyncRequest> requested;
  std::optional<OperationState> last_operation;
  {
    std::lock_guard lock(mutex);
    record->status.clear_condition(kInvalidSpecError);
    commit = record->commit;
    manifests = record->manifests;
    source_error = record->source_error;
    requested = std::move(record->requested_sync);
    record->requested_sync.reset();
    record->request_taken = requested.has_value();
    if (!requested && record->retry_request && std::chrono::steady_clock::now() >= record->retry_at) {
      requested = std::move(record->retry_request);
      record->retry_request.reset();
    }
    last_operation = record->status.operation_state;
  }
  // Until this reconcile returns, the request it took counts as in progress (see Controller::sync).
  struct ReleaseRequest {
    std::mutex& mutex;
    AppRecord& record;
    ~ReleaseRequest() {
      std::lock_guard lock(mutex);
      record.request_taken = false;
    }
  } release_request{mutex, *record};

  // A source that failed (Git unreachable, helm error, invalid YAML): say so, keep the last good state, never sync
  // or prune on it. A manual sync asked meanwhile fails with the same reason.
  if (!source_error.empty() || !manifests) {
    const std::string message = source_error.empty() ? "no manifests yet" : source_error;
    {
      std::lock_guard lock(mutex);
      set_comparison_error(app, record->status, message, requested, now);
      if (!manifests) record->status.sync_status = "Unknown";
    }
    write_status(record, false);
    return;
  }

  std::uint64_t live_changes = 0, spec_changes = 0;
  bool skip = false;
  const auto compare_started = std::chrono::steady_clock::now();
  std::optional<std::chrono::steady_clock::time_point> drift_seen;  // forgotten below unless a self-heal needs it
  const auto forget_drift = [&] {  // caller holds the mutex; a newer event's time stays for the next compare
    if (record->drift_seen_at == drift_seen) record->drift_seen_at.reset();
  };
  {
    std::lock_guard lock(mutex);
    drift_seen = record->drift_seen_at;
    live_changes = record->live_changes;  // read before the live objects: a change during the compare re-queues
    spec_changes = record->spec_changes;
    const auto& last = record->last_compare;
    if (!requested && last.quiet && last.manifests == manifests.get() && last.commit == commit &&
        last.live_changes == live_changes && last.spec_changes == spec_changes) {
      // Nothing that decides the outcome changed: the same answer as last time.
      record->status.reconciled_at = now;
      skip = true;
    }
  }
  if (skip) {
    {
      std::lock_guard lock(mutex);
      record->status.clear_condition(kComparisonError);  // the source answered again
      forget_drift();
    }
    write_status(record, false);
    return;
  }

  auto desired = resources.prepare(manifests->objects, app.instance(), app.target_namespace());
  // Namespaced mode: objects outside the listed namespaces are neither watched nor allowed by RBAC; their live state is
  // unknown, so nothing is compared, synced or pruned, and the condition says why (quoting the API server).
  if (const auto outside = out_of_scope(desired, scope); !outside.empty()) {
    const auto message = out_of_scope_message(outside, scope, client, resources.discovery());
    {
      std::lock_guard lock(mutex);
      set_comparison_error(app, record->status, message, requested, now);
      record->status.sync_status = "Unknown";
    }
    write_status(record, false);
    return;
  }
  ensure_watched(desired);
  const differ::DiffOptions diff_options{.field_manager = "gitmoor", .ignore_rules = app.ignore_differences};
  const auto comparison =
      compare(app.instance(), desired, live_objects(app.instance()), diff_options, *current_health_rules());

  AutoSyncDecision decision;
  if (!requested) decision = decide_auto_sync(app, comparison, commit, last_operation);
  {
    std::lock_guard lock(mutex);
    auto& status = record->status;
    status.clear_condition(kComparisonError);
    status.sync_status = comparison.sync_status;
    status.sync_revision = commit;
    status.resources = comparison.resources;
    status.health = comparison.health;
    status.images = comparison.images;
    status.compared_to = {{"source", app.manifest.value("spec", Json::object()).value("source", Json::object())},
                          {"destination", app.manifest.value("spec", Json::object()).value("destination", Json::object())}};
    status.reconciled_at = now;
    if (decision.blocked) {
      status.set_condition(kSyncError, decision.reason, now);
    } else if (status.condition(kSyncError) != nullptr && comparison.sync_status == "Synced") {
      status.clear_condition(kSyncError);
    }
    if (decision.action != AutoSyncAction::SelfHeal) status.clear_condition(kSelfHealBackoff);
    if (!last_operation || last_operation->revision != commit) {  // a new revision starts its retries afresh
      record->retry_count = 0;
      record->retry_request.reset();
    }
  }

  {
    std::lock_guard lock(mutex);
    record->last_compare = {.manifests = manifests.get(),
                            .commit = commit,
                            .live_changes = live_changes,
                            .spec_changes = spec_changes,
                            .quiet = !requested && decision.action == AutoSyncAction::None};
    if (decision.action != AutoSyncAction::SelfHeal) forget_drift();
  }

  SyncRequest request;
  if (requested) {
    request = *requested;
  } else if (decision.action == AutoSyncAction::Sync) {
    request.prune = decision.prune;
    request.initiated_by = "automated";
  } else if (decision.action == AutoSyncAction::SelfHeal) {
    const auto now_steady = std::chrono::steady_clock::now();
    SelfHealBackoff::Verdict verdict;
    {
      std::lock_guard lock(mutex);
      verdict = record->self_heal.check(decision.resources, now_steady);
      if (!verdict.heal_now) {
        record->status.set_condition(
            kSelfHealBackoff,
            verdict.subject + " keeps drifting: healed " + std::to_string(verdict.attempts) +
                " time(s); the next self-heal waits " + std::to_string((verdict.wait.count() + 999) / 1000) + "s",
            now);
      } else {
        record->self_heal.record(decision.resources, now_steady);
      }
    }
    if (!verdict.heal_now) {
      write_status(record, false);
      queue.add_after(name, verdict.wait);
      return;
    }
    request.prune = decision.prune;
    request.resources = decision.resources;
    request.initiated_by = "automated";
  } else {
    write_status(record, false);
    return;
  }

  // A sync to another revision than the app's targetRevision (Argo CD's `sync --revision`): that commit is deployed
  // once; the next compare is against targetRevision again and shows the difference.
  // A rollback names the source of its history entry (path, helm values, ... as they were then).
  const bool other_source = request.source.is_object() &&
                            request.source != app.manifest.value("spec", Json::object()).value("source", Json::object());
  if (other_source ||
      (!request.revision.empty() && request.revision != app.source.target_revision && request.revision != commit)) {
    auto source = app_source(app);
    if (other_source) source = app_source(with_source(app, request.source));
    if (!request.revision.empty()) source.target_revision = request.revision;
    auto result = poller.poll({source}).front();
    if (!result.ok()) {
      const std::string message = error_message(result.error);
      {
        std::lock_guard lock(mutex);
        OperationState failed;
        failed.operation = request;
        failed.phase = OperationPhase::Error;
        failed.message = "cannot sync revision " + request.revision + ": " + message;
        failed.started_at = failed.finished_at = now_rfc3339();
        record->status.operation_state = failed;
        record->status.set_condition(kSyncError, failed.message, failed.finished_at);
        count_sync(app, failed.phase, request.dry_run);
      }
      write_status(record, true);
      return;
    }
    commit = result.commit;
    manifests = result.manifests;
  }
  engine_log().info("application {}: sync {} ({})", name, commit.substr(0, 12),
                    requested ? "requested by " + request.initiated_by : decision.reason);
  const auto phase = run_sync(record, app, request, commit, manifests);
  if (!requested && decision.action == AutoSyncAction::SelfHeal && phase) {
    std::optional<std::chrono::steady_clock::duration> restored_after;
    if (*phase == OperationPhase::Succeeded) {
      restored_after = std::chrono::steady_clock::now() - drift_seen.value_or(compare_started);
    }
    count_self_heal(app, restored_after);
    std::lock_guard lock(mutex);
    forget_drift();
  }
  queue.add(name);  // compare again once this reconcile is done: the status must show the outcome
}

std::optional<OperationPhase> Controller::Impl::run_sync(const std::shared_ptr<AppRecord>& record,
                                                         const Application& app, SyncRequest request,
                                                         const std::string& commit,
                                                         std::shared_ptr<const renderer::RenderResult> manifests) {
  const auto& policy = app.sync_policy;
  SyncOperationOptions sync_options{
      .app = app.instance(),
      .ns = app.target_namespace(),
      .request = request,
      .revision = commit,
      .create_namespace = policy.has_option("CreateNamespace=true"),
      .prune_last = policy.has_option("PruneLast=true"),
      .apply_out_of_sync_only = true,
      .propagation = propagation_of(policy),
      .ignore_rules = app.ignore_differences,
      .wave_timeout = options.wave_timeout,
      .wave_delay = options.wave_delay,
      .health_rules = current_health_rules(),
  };
  // syncOptions given with this sync (the API's syncOptions.items) count as if the app's policy listed them.
  const auto option = [&](std::string_view name) {
    return policy.has_option(name) || SyncPolicy{.sync_options = request.sync_options}.has_option(name);
  };
  sync_options.create_namespace = option("CreateNamespace=true");
  sync_options.prune_last = option("PruneLast=true");
  if (option("Replace=true") || option("Force=true")) sync_options.request.force = true;
  if (policy.has_option("Replace=true") || policy.has_option("Force=true")) sync_options.request.force = true;

  const std::string started_at = now_rfc3339();
  int retry_count = 0;
  {
    std::lock_guard lock(mutex);
    retry_count = record->retry_count;
  }
  SyncOperation operation(resources, client, manifests->objects,
                          [this](const core::ResourceKey& key) { return live_object(key); }, sync_options);
  {
    std::lock_guard lock(mutex);
    record->running = &operation;
    record->terminate_requested = false;
    OperationState state = operation.state();
    state.operation = request;
    state.started_at = started_at;
    state.revision = commit;
    state.retry_count = retry_count;
    record->status.operation_state = state;
  }
  write_status(record, true);

  std::string last_phase;
  while (!operation.done()) {
    if (stopping) break;  // shutting down: leave the rest to the next start
    operation.step();
    if (operation.done()) break;
    // A CRD this sync applied serves its kind from now on: watch it, so that the wave holding its custom resources
    // sees them (ensure_watched does nothing while every desired type is watched).
    ensure_watched(manifests->objects);
    {
      std::lock_guard lock(mutex);
      auto state = operation.state();
      state.operation = request;
      state.started_at = started_at;
      state.revision = commit;
      state.retry_count = retry_count;
      record->status.operation_state = state;
    }
    write_status(record, false);  // progress shows as it happens; identical statuses are not written
    // Wait for a live event (health changes arrive through the watch) or a short pause, then check again.
    std::unique_lock lock(mutex);
    live_changed.wait_for(lock, std::chrono::milliseconds(100));
  }

  if (stopping) {
    // Shutting down (SIGTERM), not terminated by a user: the custom resource keeps saying Running, so the next start
    // resumes this sync instead of taking it for a failure.
    std::lock_guard lock(mutex);
    if (!record->terminate_requested) {
      record->running = nullptr;
      return std::nullopt;
    }
  }
  auto state = operation.state();
  state.operation = request;
  state.started_at = started_at;
  state.revision = commit;
  state.retry_count = retry_count;
  if (state.finished_at.empty()) state.finished_at = now_rfc3339();
  bool retry = false;
  std::chrono::milliseconds retry_wait{0};
  {
    std::lock_guard lock(mutex);
    record->running = nullptr;
    auto& status = record->status;
    status.operation_state = state;
    if (state.phase == OperationPhase::Succeeded) {
      status.clear_condition(kSyncError);
      record->retry_count = 0;
      if (!request.dry_run) {
        HistoryEntry entry;
        entry.revision = commit;
        entry.deployed_at = state.finished_at;
        entry.deploy_started_at = started_at;
        entry.initiated_by = request.initiated_by;
        entry.source = app.manifest.value("spec", Json::object()).value("source", Json::object());
        if (request.source.is_object()) entry.source = request.source;  // a rollback deployed that source
        status.add_history(std::move(entry), app.revision_history_limit);
      }
    } else {
      status.set_condition(kSyncError, state.message, now_rfc3339());
      const auto& retry_policy = app.sync_policy.retry;
      if (retry_policy && request.initiated_by == "automated" && !record->terminate_requested && !stopping &&
          (retry_policy->limit < 0 || record->retry_count < retry_policy->limit)) {
        ++record->retry_count;
        retry = true;
        retry_wait = retry_backoff(*retry_policy, record->retry_count);
        // The retry is the same request again, started by the queue after the backoff.
        record->retry_request = request;
        record->retry_at = std::chrono::steady_clock::now() + retry_wait;
      }
    }
  }
  write_status(record, true);
  count_sync(app, state.phase, request.dry_run);
  engine_log().info("application {}: sync {} {}: {}", app.name, commit.substr(0, 12), to_string(state.phase),
                    state.message);
  if (retry) queue.add_after(app.name, retry_wait);
  release_free_memory();  // a sync frees a lot at once (lists, requests, the operation's state)
  return state.phase;
}

// Status goes to the custom resource (file Applications keep it in memory). A status that differs only in
// reconciledAt is written at most every 10 minutes: 1,000 apps at rest must not cost 1,000 writes per poll. The API
// always shows the current reconciledAt.
void Controller::Impl::write_status(const std::shared_ptr<AppRecord>& record, bool force) {
  application_changed(*record);  // the record's status was just updated (watchers compare; most calls change little)
  Application app;
  ApplicationStatus status;
  StatusObservation observation;
  bool unchanged = false;
  {
    std::lock_guard lock(mutex);
    if (record->app.origin != ApplicationOrigin::Cluster) return;
    observation = observe(*record);
    app = record->app;
    status = record->status;
    Json comparable = status.to_json();
    comparable.erase("reconciledAt");
    const std::size_t hash = std::hash<std::string>{}(comparable.dump());
    const auto now = std::chrono::steady_clock::now();
    unchanged = !force && hash == record->written_status && now - record->written_at < kReconciledAtRefresh;
    if (!unchanged) {
      record->written_status = hash;
      record->written_at = now;
    }
  }
  publish(std::move(observation));
  if (unchanged || !leading) return;
  try {
    if (!store->write_status(app, status)) {
      engine_log().info("{} is gone; its status was not written", app.subject());
    }
  } catch (const std::exception& e) {
    std::lock_guard lock(mutex);
    record->written_status = 0;  // try again next time
    engine_log().error("{}: status not written: {}", app.subject(), e.what());
  }
}

}  // namespace gitmoor::engine
