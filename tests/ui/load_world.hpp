#pragma once
// The load world of the UI: the real HTTP server (router, JSON, SSE hub, built-in auth, and the embedded UI when the
// build has it) in this process over an in-memory engine::Operations of 1,000 Applications shaped like the
// Controller's, with `changes_per_second` status changes streaming in (an app's sync or health flips, as a busy
// cluster's would). Shared by tests/ui/test_ui_load.cpp and bench/ui_bench.cpp.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "gitmoor/engine/operations.hpp"
#include "gitmoor/web/auth.hpp"
#include "gitmoor/web/http_server.hpp"

namespace gitmoor::test {

struct FakeCluster;

// app-0000 ... app-0999 in 20 namespaces and 5 repositories, most Synced and Healthy.
class LoadOperations : public engine::Operations {
 public:
  explicit LoadOperations(int count);

  std::vector<core::Json> list_applications() const override;
  void visit_applications(const std::function<void(const core::Json&)>& visit) const override;
  std::optional<core::Json> get_application(const std::string& name) const override;
  void refresh(const std::string& name, bool hard) override;
  void sync(const std::string& name, const engine::SyncRequest& request) override;
  void terminate(const std::string& name) override;
  bool ready() const override { return true; }
  bool leader() const override { return true; }
  core::Json resource_tree(const std::string& name) const override;
  engine::Subscription watch_applications(engine::ApplicationChanged changed) override {
    return events_.subscribe(std::move(changed));
  }

  // The n-th change: one app (spread over all of them) flips its sync or health and reconciledAt moves.
  void change(long n);
  static std::string name(int index);

 private:
  mutable std::mutex mutex_;
  std::map<std::string, core::Json> apps_;
  engine::ApplicationEvents events_;
};

class LoadServer {
 public:
  LoadServer(int apps, int changes_per_second);
  ~LoadServer();  // stops the changes, then the server
  LoadServer(const LoadServer&) = delete;
  LoadServer& operator=(const LoadServer&) = delete;

  [[nodiscard]] std::string url() const { return server_->url(); }
  [[nodiscard]] const std::string& password() const { return password_; }
  [[nodiscard]] long changes() const { return changes_.load(); }

 private:
  LoadOperations operations_;
  std::shared_ptr<FakeCluster> cluster_;
  std::shared_ptr<web::AuthService> auth_;
  std::unique_ptr<web::HttpServer> server_;
  std::string password_;
  std::atomic<bool> stop_{false};
  std::atomic<long> changes_{0};
  std::thread changer_;
};

}  // namespace gitmoor::test
