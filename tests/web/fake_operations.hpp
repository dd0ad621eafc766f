#pragma once
// An engine::Operations that records what it was asked and answers from a map: the web tests' stand-in for the
// Controller.
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
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
    events.changed(name);
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
    return events.subscribe(std::move(changed));
  }
  // Sets `/path` (a JSON pointer, e.g. "/status/sync/status") of an app and tells the watchers.
  void set_field(const std::string& name, const std::string& pointer, const core::Json& value) {
    {
      std::lock_guard lock(mutex_);
      apps_.at(name)[core::Json::json_pointer(pointer)] = value;
    }
    events.changed(name);
  }
  void remove(const std::string& name) {
    {
      std::lock_guard lock(mutex_);
      apps_.erase(name);
    }
    events.changed(name, true);
  }
  engine::ApplicationEvents events;

  std::vector<std::string> refresh_for_push(const engine::GitPush& push) override {
    std::lock_guard lock(mutex_);
    pushes.push_back(push);
    return push_refreshes;
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
