// See load_world.hpp.
#include "load_world.hpp"

#include <chrono>
#include <cstdio>
#include <stdexcept>

#include "../web/fake_auth_objects.hpp"
#include "gitmoor/web/api_services.hpp"

namespace gitmoor::test {

using core::Json;
using Clock = std::chrono::steady_clock;

namespace {

const char* const kRepos[] = {"https://git.example.com/platform/apps.git", "https://git.example.com/team-a/deploy.git",
                              "https://git.example.com/team-b/deploy.git", "https://github.com/example/gitops.git",
                              "https://git.example.com/data/pipelines.git"};

std::string sync_of(int i) { return i % 17 == 0 ? "OutOfSync" : "Synced"; }
std::string health_of(int i) { return i % 23 == 0 ? "Degraded" : i % 29 == 0 ? "Progressing" : "Healthy"; }

}  // namespace

std::string LoadOperations::name(int index) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "app-%04d", index);
  return buffer;
}

LoadOperations::LoadOperations(int count) {
  for (int i = 0; i < count; ++i) {
    const std::string app = name(i);
    const std::string ns = "team-" + std::to_string(i % 20);
    Json resources = Json::array();
    for (int r = 0; r < 6; ++r) {
      resources.push_back({{"group", r % 2 ? "apps" : ""},
                           {"version", "v1"},
                           {"kind", r % 2 ? "Deployment" : "Service"},
                           {"namespace", ns},
                           {"name", app + "-part-" + std::to_string(r)},
                           {"status", "Synced"},
                           {"health", {{"status", "Healthy"}}}});
    }
    apps_[app] = Json{
        {"apiVersion", "gitmoor.dev/v1alpha1"},
        {"kind", "Application"},
        {"metadata", {{"name", app}, {"namespace", "gitmoor"}, {"labels", {{"team", ns}}}}},
        {"spec",
         {{"project", "default"},
          {"source", {{"repoURL", kRepos[i % 5]}, {"path", "apps/" + app}, {"targetRevision", "main"}}},
          {"destination", {{"server", "https://kubernetes.default.svc"}, {"namespace", ns}}},
          {"syncPolicy", {{"automated", {{"prune", true}, {"selfHeal", false}}}}}}},
        {"status",
         {{"sync", {{"status", sync_of(i)}, {"revision", "4f3c2a1b9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b"}}},
          {"health", {{"status", health_of(i)}, {"message", ""}}},
          {"reconciledAt", "2026-12-02T04:00:00Z"},
          {"resources", resources},
          {"operationState",
           {{"phase", "Succeeded"},
            {"message", "successfully synced (all tasks run)"},
            {"startedAt", "2026-12-02T03:59:58Z"},
            {"finishedAt", "2026-12-02T04:00:00Z"},
            {"syncResult", {{"revision", "4f3c2a1b9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b"}}}}},
          {"summary", {{"images", {"registry.example.com/" + app + ":1.0.0"}}}},
          {"history",
           {{{"id", 1},
             {"revision", "4f3c2a1b9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b"},
             {"deployedAt", "2026-12-02T04:00:00Z"},
             {"deployStartedAt", "2026-12-02T03:59:58Z"}}}}}}};
  }
}

std::vector<Json> LoadOperations::list_applications() const {
  std::lock_guard lock(mutex_);
  std::vector<Json> out;
  out.reserve(apps_.size());
  for (const auto& [name, app] : apps_) out.push_back(app);
  return out;
}

// A copy per app, as the Controller builds each app's JSON as it visits it: the list costs what it costs there.
void LoadOperations::visit_applications(const std::function<void(const Json&)>& visit) const {
  std::lock_guard lock(mutex_);
  for (const auto& [name, app] : apps_) visit(Json(app));
}

std::optional<Json> LoadOperations::get_application(const std::string& app) const {
  std::lock_guard lock(mutex_);
  auto it = apps_.find(app);
  if (it == apps_.end()) return std::nullopt;
  return it->second;
}

void LoadOperations::refresh(const std::string&, bool) {}
void LoadOperations::sync(const std::string&, const engine::SyncRequest&) {}
void LoadOperations::terminate(const std::string&) {}

Json LoadOperations::resource_tree(const std::string& app) const {
  const auto found = get_application(app);
  if (!found) throw engine::ApplicationNotFound(app);
  Json nodes = Json::array();
  for (const auto& r : (*found)["status"]["resources"]) {
    nodes.push_back({{"group", r["group"]}, {"version", "v1"}, {"kind", r["kind"]}, {"namespace", r["namespace"]},
                     {"name", r["name"]}, {"uid", app + "/" + r["name"].get<std::string>()},
                     {"health", r["health"]}, {"parentRefs", Json::array()}});
  }
  return {{"nodes", nodes}, {"orphanedNodes", Json::array()}, {"hosts", Json::array()}};
}

void LoadOperations::change(long n) {
  std::string changed;
  {
    std::lock_guard lock(mutex_);
    // A stride coprime with the count visits every app; odd changes flip sync, even ones health.
    const auto count = static_cast<long>(apps_.size());
    auto it = apps_.find(name(static_cast<int>((n * 7919) % count)));
    auto& status = it->second["status"];
    if (n % 2) {
      status["sync"]["status"] = status["sync"]["status"] == "Synced" ? "OutOfSync" : "Synced";
    } else {
      status["health"]["status"] = status["health"]["status"] == "Healthy" ? "Progressing" : "Healthy";
    }
    status["reconciledAt"] = "2026-12-02T04:00:" + std::to_string(10 + n % 50) + "Z";
    changed = it->first;
  }
  events_.changed(changed);
}

LoadServer::LoadServer(int apps, int changes_per_second)
    : operations_(apps), cluster_(std::make_shared<FakeCluster>()) {
  web::AuthOptions auth_options;
  auth_options.password_hash = {.log2_n = 12, .r = 8, .p = 1};
  auth_ = web::start_builtin_auth(std::make_unique<FakeAuthObjects>(cluster_), auth_options);
  for (int i = 0; i < 200 && !web::auth_ready(*auth_); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (!web::auth_ready(*auth_)) throw std::runtime_error("the load server's built-in auth did not start");
  password_ = secret_value(*cluster_, web::kInitialAdminSecret, "password");
  web::ApiServices services{operations_, web::make_auth_guard(auth_)};
  services.auth = auth_;
  web::HttpServerOptions options;
  options.threads = 2;
  server_ = std::make_unique<web::HttpServer>(services, options);
  server_->start();
  if (changes_per_second > 0) {
    changer_ = std::thread([this, changes_per_second] {
      const auto every = std::chrono::microseconds(1000000 / changes_per_second);
      auto next = Clock::now();
      for (long n = 0; !stop_; ++n) {
        operations_.change(n);
        changes_ = n + 1;
        next += every;
        std::this_thread::sleep_until(next);
      }
    });
  }
}

LoadServer::~LoadServer() {
  stop_ = true;
  if (changer_.joinable()) changer_.join();
  server_->stop();
}

}  // namespace gitmoor::test
