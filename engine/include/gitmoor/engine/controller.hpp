#pragma once
// The controller users run: Applications from the cluster and from files, compared continuously against the live
// cluster, synced automatically, healed on the first drift event, with status users can trust.
//
//   triggers (poll, spec change, live event, refresh/sync) → WorkQueue (one entry per app, N workers)
//   → compare: source (Git, render cache) → diff against the LiveCache → status
//   → decide: automated sync / self-heal / nothing (auto_sync.hpp) → SyncOperation → status, history
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "gitmoor/applier/client.hpp"
#include "gitmoor/engine/operations.hpp"

namespace gitmoor::engine {

struct ControllerOptions {
  std::string apps_namespace = "gitmoor";  // where Application custom resources are watched
  // Namespaced mode (serve --namespaces; the RBAC flavour *namespaced*): managed objects are listed, watched and
  // pruned only in these namespaces; an app with objects elsewhere, or cluster-scoped ones, gets a ComparisonError
  // and nothing is synced. Empty: cluster-wide.
  std::vector<std::string> namespaces;
  bool cluster_applications = true;        // watch gitmoor.dev Applications in apps_namespace
  bool argocd_applications = false;        // also argoproj.io Applications there
  std::vector<std::filesystem::path> app_paths;  // --apps: files or folders of Applications, re-read on change
  std::chrono::milliseconds poll_interval{std::chrono::seconds(60)};  // Git poll; up to 10% jitter is added
  std::chrono::milliseconds files_interval{std::chrono::seconds(1)};  // how often --apps paths are checked
  std::size_t workers = 4;
  std::filesystem::path cache_dir;         // Git mirrors and checkouts
  std::chrono::milliseconds wave_delay{0};  // pause between sync waves (each wave already waits for health)
  std::chrono::milliseconds wave_timeout{std::chrono::minutes(5)};
  std::chrono::milliseconds self_heal_backoff{std::chrono::seconds(2)};  // ×3 per repeat, up to 5 min
  bool start_leading = true;  // false: wait for set_leading(true) (leader election) before writing anything
  // Kubernetes Events on cluster Applications (OperationStarted, OperationCompleted, ResourceUpdated), best effort.
  bool application_events = true;
  // Notifications configured in ConfigMap gitmoor-notifications-cm (and Secret gitmoor-notifications-secret) in
  // apps_namespace, watched; nothing is sent while the ConfigMap is absent.
  bool notifications = true;
};

class Controller final : public Operations {
 public:
  Controller(applier::Client& client, ControllerOptions options);
  ~Controller() override;
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  // Loads the Applications, fills the live cache, starts the workers, the poller and the watches. Throws
  // core::Error when the cluster cannot be read at all.
  void start();
  // Stops triggers, lets running steps finish (a sync in progress stops at its next step and is resumed by the
  // next start), joins every thread.
  void stop();
  // Leader election: only the leader reconciles and writes. Becoming leader re-queues every app.
  void set_leading(bool leading);

  // Operations
  [[nodiscard]] std::vector<core::Json> list_applications() const override;
  void visit_applications(const std::function<void(const core::Json&)>& visit) const override;
  [[nodiscard]] std::optional<core::Json> get_application(const std::string& name) const override;
  void refresh(const std::string& name, bool hard) override;
  void sync(const std::string& name, const SyncRequest& request) override;
  void terminate(const std::string& name) override;
  std::vector<std::string> refresh_for_push(const GitPush& push) override;
  [[nodiscard]] core::Json resource_tree(const std::string& name) const override;
  [[nodiscard]] core::Json managed_resources(const std::string& name) const override;
  [[nodiscard]] core::Json events(const std::string& name) const override;
  void check_pod_logs(const std::string& name, const PodLogsRequest& request) const override;
  void pod_logs(const std::string& name, const PodLogsRequest& request,
                const std::function<bool(const LogEntry&)>& on_entry,
                const std::function<bool()>& cancelled) const override;
  [[nodiscard]] core::Json revision_metadata(const std::string& name, const std::string& revision) const override;
  [[nodiscard]] core::Json live_resource(const std::string& name, const ResourceRef& ref) const override;  // live_resource.cpp
  void refresh_and_wait(const std::string& name, bool hard, std::chrono::milliseconds timeout) override;
  void rollback(const std::string& name, const RollbackRequest& request) override;              // rollback.cpp
  void delete_application(const std::string& name, const DeleteRequest& request) override;      // app_deletion.cpp
  [[nodiscard]] bool ready() const override;
  [[nodiscard]] bool leader() const override;
  [[nodiscard]] Subscription watch_applications(ApplicationChanged changed) override;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace gitmoor::engine
