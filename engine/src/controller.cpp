// Controller lifecycle, triggers and the Operations API. The compare/sync of one app is in reconcile.cpp.
#include <algorithm>
#include <set>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "controller_impl.hpp"
#include "controller_metrics.hpp"
#include "gitmoor/applier/tracking.hpp"
#include "gitmoor/core/logging.hpp"
#include "gitmoor/engine/application_files.hpp"
#include "gitmoor/engine/application_store.hpp"

namespace gitmoor::engine {

using core::Json;
using core::Object;

namespace {

// Watched for managed objects: every listable, watchable type but events (noise) and leases (leader election churn).
bool worth_watching(const applier::ApiResource& resource) {
  const auto has = [&](const char* verb) {
    return std::find(resource.verbs.begin(), resource.verbs.end(), verb) != resource.verbs.end();
  };
  if (!has("list") || !has("watch")) return false;
  const auto& kind = resource.gvk.kind;
  return kind != "Event" && kind != "Lease" && !(kind == "Application" && (resource.gvk.group == kGitmoorGroup ||
                                                                             resource.gvk.group == kArgoGroup));
}

}  // namespace

std::string error_message(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown error";
  }
}

void AppRecord::take_poll(const AppManifests& result) {
  needs_poll = false;
  if (!result.ok()) {
    source_error = error_message(result.error);
    return;
  }
  commit = result.commit;
  manifests = result.manifests;
  source_error.clear();
}

AppSource app_source(const Application& app) {
  AppSource source;
  source.app = app.name;
  source.repository = app.repository;
  if (source.repository.url.empty()) source.repository.url = app.source.repo_url;
  source.target_revision = app.source.target_revision.empty() ? "HEAD" : app.source.target_revision;
  source.path = app.source.path.empty() ? "." : app.source.path;
  source.chart = app.source.chart;
  source.render.type = app.source.type;
  source.render.helm = app.source.helm;
  source.render.directory = app.source.directory;
  return source;
}

Controller::Impl::Impl(applier::Client& c, ControllerOptions o)
    : client(c),
      options(std::move(o)),
      scope(options.namespaces),
      resources(c),
      git(GitSourceOptions{.cache_dir = options.cache_dir}),
      poller(git, render_cache),
      store(std::make_unique<ApplicationStore>(
          c, ApplicationStoreOptions{.argocd_applications = options.argocd_applications})) {
  leading = options.start_leading;
  resources.set_namespaces(scope.namespaces());
}

Controller::Impl::~Impl() { stop(); }

void Controller::Impl::start() {
  metrics_registration = register_controller_metrics({
      .visit_apps =
          [this](const std::function<void(const AppRecord&)>& visit) {
            std::lock_guard lock(mutex);
            for (const auto& [name, record] : apps) visit(*record);
          },
      .leading = [this] { return leading.load(); },
      .queue_depth = [this] { return queue.size(); },
  });
  // Managed objects first: the first compare of every app must see the cluster as it is.
  ensure_watched({});
  // Credentials before the apps: the first poll of a private repository must not fail for want of them.
  credential_watch = std::make_unique<CredentialWatch>(
      client, options.apps_namespace, credentials, [this](const CredentialChange& change) { credentials_changed(change); });
  credential_watch->start();
  // Health rules before the apps, so their first compare already uses them.
  health_rules_watch = std::make_unique<HealthRulesWatch>(
      client, options.apps_namespace,
      [this](std::shared_ptr<const differ::LuaHealthRules> rules) { health_rules_changed(std::move(rules)); });
  health_rules_watch->start();
  if (options.application_events) event_recorder.start();
  if (options.notifications && options.cluster_applications) {
    notifier = std::make_unique<Notifier>(client, options.apps_namespace);
    notifier->start();
  }
  if (options.cluster_applications) load_cluster_apps();
  load_files(true);
  for (std::size_t i = 0; i < std::max<std::size_t>(1, options.workers); ++i) {
    workers.emplace_back([this] { worker_loop(); });
  }
  poll_thread = std::jthread([this](std::stop_token stop) { poll_loop(stop); });
  if (!options.app_paths.empty()) files_thread = std::jthread([this](std::stop_token stop) { files_loop(stop); });
  started = true;
  engine_log().info("controller started: {} application(s), {} worker(s), poll every {} ms", apps.size(), workers.size(),
           options.poll_interval.count());
}

void Controller::Impl::stop() {
  if (stopping.exchange(true)) return;
  metrics_registration = {};  // waits for a scrape reading this controller
  if (credential_watch) credential_watch->stop();
  if (health_rules_watch) health_rules_watch->stop();
  stop_push_thread();
  // A running sync stops after its current step, unrecorded (see run_sync): the next start resumes it.
  live_changed.notify_all();
  queue.shut_down();
  if (poll_thread.joinable()) {
    poll_thread.request_stop();
    poll_thread.join();
  }
  if (files_thread.joinable()) {
    files_thread.request_stop();
    files_thread.join();
  }
  workers.clear();
  // After the workers: nothing observes a status any more. Both drop what is queued (best effort, never a wait on
  // a receiver that hangs).
  if (notifier) notifier->stop();
  event_recorder.stop();
  if (app_watch) app_watch->stop();
  owner_index.stop();
  std::lock_guard lock(live_mutex);
  for (auto& cache : live) cache->stop();
}

void Controller::Impl::worker_loop() {
  while (auto name = queue.get()) {
    const auto started = std::chrono::steady_clock::now();
    try {
      reconcile(*name);
      observe_reconcile(std::chrono::steady_clock::now() - started);
    } catch (const std::exception& e) {
      observe_reconcile(std::chrono::steady_clock::now() - started);
      // A reconcile step is a boundary: whatever escaped is logged and the app is tried again later.
      engine_log().error("application {}: reconcile failed: {}", *name, e.what());
      queue.done(*name);
      queue.add_after(*name, std::chrono::seconds(5));
      continue;
    }
    queue.done(*name);
  }
}

void Controller::Impl::poll_loop(std::stop_token stop) {
  std::mutex m;
  std::condition_variable_any cv;
  for (;;) {
    const auto jitter = std::uniform_int_distribution<long long>(0, options.poll_interval.count() / 10)(random);
    const auto wait = options.poll_interval + std::chrono::milliseconds(jitter);
    std::unique_lock lock(m);
    if (cv.wait_for(lock, stop, wait, [] { return false; })) return;
    if (stop.stop_requested()) return;
    lock.unlock();
    poll_all();
  }
}

// One poll of every app together: one remote check per repository however many apps it holds (ManifestPoller).
void Controller::Impl::poll_all() {
  std::vector<std::shared_ptr<AppRecord>> records;
  std::vector<AppSource> sources;
  {
    std::lock_guard lock(mutex);
    for (const auto& [name, record] : apps) {
      if (!record->app.spec_errors.empty()) continue;
      records.push_back(record);
      sources.push_back(app_source(record->app));
    }
  }
  std::vector<AppManifests> results;
  try {
    results = poller.poll(sources);
  } catch (const std::exception& e) {
    engine_log().error("poll failed: {}", e.what());
    return;
  }
  for (std::size_t i = 0; i < results.size() && i < records.size(); ++i) {
    auto& result = results[i];
    auto& record = records[i];
    {
      std::lock_guard lock(mutex);
      record->take_poll(result);
      record->needs_poll = false;
    }
    queue.add(record->app.name);  // every app is compared each poll: reconciledAt moves, nothing missed stays so
  }
  release_free_memory();
}

// glibc keeps freed memory in its arenas (a sync or a relist frees a lot at once); giving it back once per poll keeps
// the resident size at what is in use, which is what operators see and set limits on.
void release_free_memory() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

void Controller::Impl::files_loop(std::stop_token stop) {
  std::mutex m;
  std::condition_variable_any cv;
  for (;;) {
    std::unique_lock lock(m);
    if (cv.wait_for(lock, stop, options.files_interval, [] { return false; })) return;
    if (stop.stop_requested()) return;
    lock.unlock();
    try {
      load_files(false);
    } catch (const std::exception& e) {
      engine_log().error("--apps: {}", e.what());
    }
  }
}

void Controller::Impl::load_files(bool force) {
  if (options.app_paths.empty()) return;
  std::string fingerprint;
  for (const auto& path : options.app_paths) fingerprint += std::to_string(application_files_fingerprint(path)) + ";";
  if (!force && fingerprint == files_fingerprint) return;
  files_fingerprint = fingerprint;
  std::set<std::string> names;
  std::map<std::string, std::string> errors;
  for (const auto& path : options.app_paths) {
    auto loaded = load_application_files(path);
    for (const auto& error : loaded.errors) errors[error.file.string() + error.message] = error.message;
    for (auto& app : loaded.applications) {
      if (!names.insert(app.name).second) {
        errors[app.file + app.name] = app.file + ": Application " + app.name + " is declared twice; the first is kept";
        continue;
      }
      upsert_app(std::move(app), std::nullopt);
    }
  }
  for (const auto& [key, message] : errors) {
    if (file_errors.count(key) == 0) engine_log().error("--apps: {}", message);
  }
  file_errors = std::move(errors);
  remove_apps_not_in(ApplicationOrigin::File, names);
}

void Controller::Impl::load_cluster_apps() {
  std::set<std::string> names;
  for (auto& app : store->list(options.apps_namespace)) {
    names.insert(app.name);
    std::optional<ApplicationStatus> status;
    if (app.manifest.contains("status") && app.manifest["status"].is_object()) {
      status = ApplicationStatus::from_json(app.manifest["status"]);
    }
    upsert_app(std::move(app), std::move(status));
  }
  remove_apps_not_in(ApplicationOrigin::Cluster, names);

  if (app_watch) return;
  auto targets = store->watch_targets(options.apps_namespace);
  if (targets.empty()) return;
  // Only the spec matters here (status is ours, kept in the app records): not storing it halves what each app costs.
  app_watch = std::make_unique<applier::LiveCache>(
      client, std::move(targets), applier::LiveCacheOptions{.trim = [](Object& object) {
        object.json().erase("status");
        if (object.json().contains("metadata")) object.json()["metadata"].erase("managedFields");
      }});
  app_watch->on_change([this](applier::LiveEvent event, const Object& object) {
    if (stopping || !started) return;
    try {
      if (event == applier::LiveEvent::Deleted) {
        bool erased = false;
        {
          std::lock_guard lock(mutex);
          auto it = apps.find(object.name());
          // Deleting an Application leaves its resources (Argo CD without the resources finalizer).
          if (it != apps.end() && it->second->app.origin == ApplicationOrigin::Cluster) {
            apps.erase(it);
            erased = true;
          }
        }
        if (erased) events.changed(object.name(), true);
        return;
      }
      auto app = parse_application(object.json(), ApplicationOrigin::Cluster, object.key().to_string());
      upsert_app(std::move(app), std::nullopt);
    } catch (const std::exception& e) {
      engine_log().error("{}: {}", object.key().to_string(), e.what());
    }
  });
  app_watch->start();
}

// A new or changed Application. Status survives a spec change; a status read from the cluster seeds a new record
// (restart resumes: a sync that was running when the previous process died is started again).
void Controller::Impl::upsert_app(Application app, std::optional<ApplicationStatus> status) {
  const std::string name = app.name;
  app.repository.credentials = credentials.credentials_for(app.source.repo_url);
  bool changed = true;
  {
    std::lock_guard lock(mutex);
    auto it = apps.find(name);
    if (it == apps.end()) {
      auto record = std::make_shared<AppRecord>();
      record->self_heal = SelfHealBackoff(options.self_heal_backoff);
      if (status) {
        // What the cluster already shows was told before: Events and notifications start from it.
        record->observed = StatusSummary::of(*status);
        record->status = std::move(*status);
        auto& op = record->status.operation_state;
        if (op && !is_completed(op->phase)) record->requested_sync = op->operation;
      }
      record->app = std::move(app);
      record->app.manifest.erase("status");  // read once above; the record's status is the one kept up to date
      apps.emplace(name, std::move(record));
    } else {
      auto& record = *it->second;
      if (record.app.origin != app.origin && record.app.origin == ApplicationOrigin::Cluster) {
        engine_log().error("Application {} from {} ignored: a cluster Application has that name", name, app.subject());
        return;
      }
      const bool source_changed = record.app.manifest.value("spec", Json::object()).value("source", Json::object()) !=
                                  app.manifest.value("spec", Json::object()).value("source", Json::object());
      changed = record.app.manifest.value("spec", Json::object()) != app.manifest.value("spec", Json::object());
      // Marked deleted (deletionTimestamp), or its finalizers changed: the resources finalizer has work to do.
      const auto& old_md = record.app.manifest.value("metadata", Json::object());
      const auto& new_md = app.manifest.value("metadata", Json::object());
      if (old_md.value("deletionTimestamp", Json()) != new_md.value("deletionTimestamp", Json()) ||
          old_md.value("finalizers", Json()) != new_md.value("finalizers", Json())) {
        changed = true;
      }
      if (changed) ++record.spec_changes;
      if (source_changed) record.needs_poll = true;
      record.app = std::move(app);
      record.app.manifest.erase("status");
    }
  }
  if (changed) events.changed(name);
  if (changed) queue.add(name);
}

void Controller::Impl::remove_apps_not_in(ApplicationOrigin origin, const std::set<std::string>& names) {
  std::vector<std::string> removed;
  {
    std::lock_guard lock(mutex);
    for (auto it = apps.begin(); it != apps.end();) {
      if (it->second->app.origin == origin && names.count(it->first) == 0) {
        engine_log().info("Application {} removed; its resources are left as they are", it->first);
        removed.push_back(it->first);
        it = apps.erase(it);
      } else {
        ++it;
      }
    }
  }
  for (const auto& name : removed) events.changed(name, true);
}

void Controller::Impl::on_live_event(const Object& object) {
  live_changed.notify_all();
  if (!started || stopping) return;
  const auto app = object.label(applier::kAppLabel);
  if (!app || app->empty()) return;
  {
    std::lock_guard lock(mutex);
    if (auto it = apps.find(*app); it != apps.end()) {
      ++it->second->live_changes;
      if (!it->second->drift_seen_at) it->second->drift_seen_at = std::chrono::steady_clock::now();
    }
  }
  queue.add(*app);
}

// Watches every type the cluster serves now, plus any type `objects` need that is not watched yet (a CRD applied
// since): one LiveCache per batch of new types. Cluster-wide, or in namespaced mode each namespaced type in each
// listed namespace (cluster-scoped types are not watched there: the namespaced flavour grants no cluster-wide list).
void Controller::Impl::ensure_watched(const std::vector<Object>& objects) {
  std::lock_guard lock(live_mutex);
  bool missing = live.empty();
  for (const auto& object : objects) {
    auto gvk = object.gvk();
    gvk.version.clear();
    if (watched.count(gvk) == 0) missing = true;
  }
  if (!missing) return;
  if (!live.empty()) resources.discovery().invalidate();
  std::vector<applier::WatchTarget> targets;
  for (const auto& resource : resources.discovery().listable()) {
    auto gvk = resource.gvk;
    gvk.version.clear();
    if (!worth_watching(resource) || watched.count(gvk) != 0) continue;
    if (!scope.cluster_wide() && !resource.namespaced) continue;
    watched.insert(gvk);
    if (scope.cluster_wide()) {
      targets.push_back({.resource = resource, .ns = "", .label_selector = std::string(applier::kAppLabel)});
      continue;
    }
    for (const auto& ns : scope.namespaces()) {
      targets.push_back({.resource = resource, .ns = ns, .label_selector = std::string(applier::kAppLabel)});
    }
  }
  if (targets.empty()) return;
  auto cache = std::make_unique<applier::LiveCache>(
      client, std::move(targets), applier::LiveCacheOptions{.index_label = std::string(applier::kAppLabel)});
  cache->on_change([this](applier::LiveEvent, const Object& object) { on_live_event(object); });
  cache->start();
  live.push_back(std::move(cache));
}

std::vector<applier::PackedLive> Controller::Impl::live_objects(const std::string& app) const {
  std::lock_guard lock(live_mutex);
  std::vector<applier::PackedLive> out;
  for (const auto& cache : live) {
    auto objects = cache->labelled_packed(app);
    out.insert(out.end(), std::make_move_iterator(objects.begin()), std::make_move_iterator(objects.end()));
  }
  return out;
}

std::optional<Object> Controller::Impl::live_object(const core::ResourceKey& key) const {
  std::lock_guard lock(live_mutex);
  for (const auto& cache : live) {
    if (auto object = cache->get(key)) return object;
  }
  return std::nullopt;
}

std::shared_ptr<AppRecord> Controller::Impl::find(const std::string& name) const {
  std::lock_guard lock(mutex);
  auto it = apps.find(name);
  return it == apps.end() ? nullptr : it->second;
}

Json Controller::Impl::application_json(const AppRecord& record) const {
  Json out = Json::object();
  out["apiVersion"] = record.app.api_version;
  out["kind"] = "Application";
  Json metadata{{"name", record.app.name}};
  if (!record.app.ns.empty()) metadata["namespace"] = record.app.ns;
  if (record.app.origin == ApplicationOrigin::File) {
    metadata["annotations"] = {{"gitmoor.dev/source-file", record.app.file}};
  }
  // What a client filters and acts on (labels for selectors; deletionTimestamp and finalizers while deleting).
  const auto& source_md = record.app.manifest.value("metadata", Json::object());
  for (const char* field : {"labels", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
                            "finalizers"}) {
    if (const auto it = source_md.find(field); it != source_md.end() && !it->is_null()) metadata[field] = *it;
  }
  if (const auto it = source_md.find("annotations"); it != source_md.end() && it->is_object()) {
    for (const auto& [key, value] : it->items()) {
      if (key != "kubectl.kubernetes.io/last-applied-configuration") metadata["annotations"][key] = value;
    }
  }
  out["metadata"] = std::move(metadata);
  // A sync asked for and not started yet shows as Argo CD's top-level `operation`.
  if (record.requested_sync) out["operation"] = operation_to_json(*record.requested_sync);
  out["spec"] = record.app.manifest.value("spec", Json::object());
  out["status"] = record.status.to_json();
  return out;
}

void Controller::Impl::application_changed(const AppRecord& record) {
  std::string name;
  {
    std::lock_guard lock(mutex);
    name = record.app.name;
  }
  events.changed(name);
}

// ---- Controller: the public face over Impl.

Controller::Controller(applier::Client& client, ControllerOptions options)
    : impl_(std::make_unique<Impl>(client, std::move(options))) {}

Controller::~Controller() = default;

void Controller::start() { impl_->start(); }
void Controller::stop() { impl_->stop(); }

void Controller::set_leading(bool leading) {
  const bool was = impl_->leading.exchange(leading);
  if (leading && !was) {
    std::vector<std::string> names;
    {
      std::lock_guard lock(impl_->mutex);
      for (const auto& [name, record] : impl_->apps) names.push_back(name);
    }
    for (const auto& name : names) impl_->queue.add(name);
  }
}

std::vector<Json> Controller::list_applications() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<Json> out;
  out.reserve(impl_->apps.size());
  for (const auto& [name, record] : impl_->apps) out.push_back(impl_->application_json(*record));
  return out;
}

// Under the lock like list_applications (a consistent view), but one app's JSON at a time.
void Controller::visit_applications(const std::function<void(const Json&)>& visit) const {
  std::lock_guard lock(impl_->mutex);
  for (const auto& [name, record] : impl_->apps) visit(impl_->application_json(*record));
}

std::optional<Json> Controller::get_application(const std::string& name) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->apps.find(name);
  if (it == impl_->apps.end()) return std::nullopt;
  return impl_->application_json(*it->second);
}

void Controller::refresh(const std::string& name, bool hard) {
  {
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->apps.find(name);
    if (it == impl_->apps.end()) throw ApplicationNotFound("application " + name + " not found");
    it->second->needs_poll = true;
    (void)hard;  // rendered output is keyed by commit and inputs: a hard refresh re-polls Git like a normal one
  }
  impl_->queue.add(name);
}

void Controller::sync(const std::string& name, const SyncRequest& request) {
  {
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->apps.find(name);
    if (it == impl_->apps.end()) throw ApplicationNotFound("application " + name + " not found");
    auto& record = *it->second;
    if (being_deleted(record.app)) throw core::InvalidInput("application " + name + " is being deleted");
    const auto& op = record.status.operation_state;
    if (record.running != nullptr || record.requested_sync || record.request_taken ||
        (op && !is_completed(op->phase))) {
      throw core::InvalidInput("application " + name + ": another operation is already in progress");
    }
    record.requested_sync = request;
    record.needs_poll = true;  // a manual sync deploys what Git says now
  }
  impl_->queue.add(name);
}

void Controller::refresh_and_wait(const std::string& name, bool hard, std::chrono::milliseconds timeout) {
  std::shared_ptr<AppRecord> record;
  std::uint64_t ticket = 0;
  {
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->apps.find(name);
    if (it == impl_->apps.end()) throw ApplicationNotFound("application " + name + " not found");
    record = it->second;
    record->needs_poll = true;
    (void)hard;  // as refresh(): rendered output is keyed by commit and inputs
    ticket = ++record->refresh_asked;
  }
  impl_->queue.add(name);
  std::unique_lock lock(impl_->mutex);
  impl_->reconciled.wait_for(lock, timeout, [&] { return record->refresh_done >= ticket || impl_->stopping.load(); });
}

void Controller::terminate(const std::string& name) {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->apps.find(name);
  if (it == impl_->apps.end()) throw ApplicationNotFound("application " + name + " not found");
  auto& record = *it->second;
  if (record.running == nullptr) throw core::InvalidInput("application " + name + ": no operation is running");
  record.terminate_requested = true;
  record.running->terminate();
}

bool Controller::ready() const { return impl_->started.load() && !impl_->stopping.load(); }
bool Controller::leader() const { return impl_->leading.load(); }

Subscription Controller::watch_applications(ApplicationChanged changed) {
  return impl_->events.subscribe(std::move(changed));
}

}  // namespace gitmoor::engine
