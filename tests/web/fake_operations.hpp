#pragma once
// An engine::Operations that records what it was asked and answers from a map: the web tests' stand-in for the
// Controller.
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <thread>
#include <string>
#include <utility>
#include <vector>

#include "gitmoor/engine/operations.hpp"

namespace gitmoor::test {

class FakeOperations : public engine::Operations {
 public:
  void add(const std::string& name, const std::string& sync_status = "Synced") {
    {
    std::lock_guard lock(mutex_);
    apps_[name] = core::Json{{"apiVersion", "gitmoor.dev/v1alpha1"},
                             {"kind", "Application"},
                             {"metadata", {{"name", name}, {"namespace", "gitmoor"}}},
                             {"spec", {{"source", {{"repoURL", "https://example.com/" + name + ".git"}}}}},
                             {"status", {{"sync", {{"status", sync_status}}}}}};
    }
    app_events.changed(name);
  }

  // Replaces (or adds) an Application as given: labels, health, history for the filter and rollback tests.
  void put(const std::string& name, core::Json app) {
    std::lock_guard lock(mutex_);
    apps_[name] = std::move(app);
  }

  std::vector<core::Json> list_applications() const override {
    std::lock_guard lock(mutex_);
    if (fail_) throw std::runtime_error("list exploded");
    std::vector<core::Json> out;
    for (const auto& [name, app] : apps_) out.push_back(app);
    return out;
  }
  std::optional<core::Json> get_application(const std::string& name) const override {
    std::lock_guard lock(mutex_);
    if (fail_) throw std::runtime_error("get exploded");
    auto it = apps_.find(name);
    if (it == apps_.end()) return std::nullopt;
    return it->second;
  }
  void refresh(const std::string& name, bool hard) override {
    std::lock_guard lock(mutex_);
    known(name);
    refreshes.emplace_back(name, hard);
  }
  void sync(const std::string& name, const engine::SyncRequest& request) override {
    std::lock_guard lock(mutex_);
    known(name);
    if (running.count(name)) throw core::InvalidInput("application " + name + ": another operation is already running");
    syncs.emplace_back(name, request);
    running.insert(name);
  }
  void terminate(const std::string& name) override {
    std::lock_guard lock(mutex_);
    known(name);
    if (!running.count(name)) throw core::InvalidInput("application " + name + ": no operation is running");
    running.erase(name);
    terminations.push_back(name);
  }
  // Watchers (the SSE streams) hear of add(), set_field() and remove(), as they would from the Controller.
  engine::Subscription watch_applications(engine::ApplicationChanged changed) override {
    return app_events.subscribe(std::move(changed));
  }
  // Sets `/path` (a JSON pointer, e.g. "/status/sync/status") of an app and tells the watchers.
  void set_field(const std::string& name, const std::string& pointer, const core::Json& value) {
    {
      std::lock_guard lock(mutex_);
      apps_.at(name)[core::Json::json_pointer(pointer)] = value;
    }
    app_events.changed(name);
  }
  void remove(const std::string& name) {
    {
      std::lock_guard lock(mutex_);
      apps_.erase(name);
    }
    app_events.changed(name, true);
  }
  engine::ApplicationEvents app_events;

  std::vector<std::string> refresh_for_push(const engine::GitPush& push) override {
    std::lock_guard lock(mutex_);
    pushes.push_back(push);
    return push_refreshes;
  }
  // The views (routes_application_views.cpp): canned answers, set by the test before the calls.
  core::Json tree = {{"nodes", core::Json::array()}, {"orphanedNodes", core::Json::array()}, {"hosts", core::Json::array()}};
  core::Json managed = {{"items", core::Json::array()}};
  core::Json event_list = {{"items", core::Json::array()}};
  std::set<std::string> pods;              // the pods in every app's tree
  std::vector<engine::LogEntry> log_lines;  // what every pod logs; a followed log then waits to be cancelled
  mutable std::vector<engine::PodLogsRequest> log_requests;
  std::map<std::string, core::Json> revisions;
  core::Json resource_tree(const std::string& name) const override {
    std::lock_guard lock(mutex_);
    known(name);
    return tree;
  }
  core::Json managed_resources(const std::string& name) const override {
    std::lock_guard lock(mutex_);
    known(name);
    return managed;
  }
  core::Json events(const std::string& name) const override {
    std::lock_guard lock(mutex_);
    known(name);
    return event_list;
  }
  void check_pod_logs(const std::string& name, const engine::PodLogsRequest& request) const override {
    std::lock_guard lock(mutex_);
    known(name);
    if (!pods.count(request.pod_name)) {
      throw engine::ResourceNotFound("application " + name + ": pod " + request.pod_name + " is not in its tree");
    }
  }
  void pod_logs(const std::string& name, const engine::PodLogsRequest& request,
                const std::function<bool(const engine::LogEntry&)>& on_entry,
                const std::function<bool()>& cancelled) const override {
    check_pod_logs(name, request);
    {
      std::lock_guard lock(mutex_);
      log_requests.push_back(request);
    }
    for (const auto& line : log_lines) {
      if (!on_entry(line)) return;
    }
    while (request.follow && !cancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // live_resource(): the objects of every app's tree, by "group/kind/namespace/name"; recorded requests.
  std::map<std::string, core::Json> live_objects;
  mutable std::vector<engine::ResourceRef> resource_requests;
  core::Json live_resource(const std::string& name, const engine::ResourceRef& ref) const override {
    std::lock_guard lock(mutex_);
    known(name);
    resource_requests.push_back(ref);
    auto it = live_objects.find(ref.group + "/" + ref.kind + "/" + ref.ns + "/" + ref.name);
    if (it == live_objects.end()) {
      throw engine::ResourceNotFound("application " + name + ": " + ref.kind + " " + ref.name + " is not in its tree");
    }
    return it->second;
  }
  core::Json revision_metadata(const std::string& name, const std::string& revision) const override {
    std::lock_guard lock(mutex_);
    known(name);
    auto it = revisions.find(revision);
    if (it == revisions.end()) throw engine::ResourceNotFound("application " + name + ": revision " + revision + " not found");
    return it->second;
  }

  void refresh_and_wait(const std::string& name, bool hard, std::chrono::milliseconds timeout) override {
    std::lock_guard lock(mutex_);
    known(name);
    refreshes.emplace_back(name, hard);
    waited_refreshes.push_back(timeout);
  }
  // Like the Controller: refused while auto-sync is on (409), an unknown history id is InvalidArgument (400).
  void rollback(const std::string& name, const engine::RollbackRequest& request) override {
    std::lock_guard lock(mutex_);
    known(name);
    const auto& app = apps_.at(name);
    if (app.value("spec", core::Json::object()).value("syncPolicy", core::Json::object()).contains("automated")) {
      throw core::InvalidInput("application " + name + ": rollback cannot be initiated when auto-sync is enabled");
    }
    bool found = false;
    for (const auto& entry : app.value("status", core::Json::object()).value("history", core::Json::array())) {
      found = found || entry.value("id", -1LL) == request.id;
    }
    if (!found) {
      throw engine::InvalidArgument("application " + name + " does not have deployment with id " +
                                    std::to_string(request.id));
    }
    rollbacks.emplace_back(name, request);
  }
  void delete_application(const std::string& name, const engine::DeleteRequest& request) override {
    std::lock_guard lock(mutex_);
    known(name);
    if (apps_.at(name)["metadata"].contains("annotations")) {
      throw engine::InvalidArgument("application " + name + " comes from the --apps file, not from a custom resource");
    }
    deletions.emplace_back(name, request);
  }
  bool ready() const override { return ready_; }
  bool leader() const override { return true; }

  void set_ready(bool ready) { ready_ = ready; }
  void set_failing(bool fail) {
    std::lock_guard lock(mutex_);
    fail_ = fail;
  }

  // What was asked (read after the calls; the server's thread writes them under the mutex).
  std::vector<std::pair<std::string, bool>> refreshes;
  std::vector<std::pair<std::string, engine::SyncRequest>> syncs;
  std::vector<std::string> terminations;
  std::vector<std::chrono::milliseconds> waited_refreshes;
  std::vector<std::pair<std::string, engine::RollbackRequest>> rollbacks;
  std::vector<std::pair<std::string, engine::DeleteRequest>> deletions;
  std::set<std::string> running;
  std::vector<engine::GitPush> pushes;       // refresh_for_push calls (the webhook)
  std::vector<std::string> push_refreshes;   // what refresh_for_push answers

 private:
  void known(const std::string& name) const {
    if (!apps_.count(name)) throw engine::ApplicationNotFound("application " + name + " not found");
  }

  mutable std::mutex mutex_;
  std::map<std::string, core::Json> apps_;
  std::atomic<bool> ready_{true};
  bool fail_ = false;
};

}  // namespace gitmoor::test
