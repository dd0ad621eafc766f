#pragma once
// A sandbox with controllers, a client and ResourceManager for it, and helpers to run a sync operation and to read
// back what happened in the cluster (objects, and watch events in resourceVersion order).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "gitmoor/applier/client.hpp"
#include "gitmoor/applier/kubeconfig.hpp"
#include "gitmoor/applier/resource_manager.hpp"
#include "gitmoor/core/yaml.hpp"
#include "gitmoor/differ/health.hpp"
#include "gitmoor/engine/sync_operation.hpp"
#include "gitmoor/sandbox/sandbox.hpp"
#include "test_paths.hpp"

namespace gitmoor::test {

inline std::vector<core::Object> sync_fixture(const std::string& name) {
  std::ifstream in(testdata_dir() / "sync" / name);
  std::stringstream text;
  text << in.rdbuf();
  return core::parse_manifests(text.str());
}

// One change seen by a watch: which object, its resourceVersion and its health then.
struct WatchEvent {
  std::string type;  // ADDED, MODIFIED, DELETED
  core::ResourceKey key;
  std::uint64_t resource_version = 0;
  differ::HealthStatus health = differ::HealthStatus::Unknown;
  std::string uid;
};

class SyncEnv {
 public:
  static constexpr const char* kApp = "shop";
  static constexpr const char* kNs = "shop";

  explicit SyncEnv(std::chrono::milliseconds pod_ready_delay = std::chrono::milliseconds(30))
      : sb_(sandbox::Sandbox::start({.controllers = true, .pod_ready_delay = pod_ready_delay})) {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("gitmoor-sync-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    client_ = std::make_unique<applier::Client>(
        applier::load_kubeconfig({.paths = {sb_->write_kubeconfig(dir_ / "kubeconfig")}, .context = {}}));
    manager_ = std::make_unique<applier::ResourceManager>(*client_);
  }
  ~SyncEnv() {
    sb_->stop();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  SyncEnv(const SyncEnv&) = delete;
  SyncEnv& operator=(const SyncEnv&) = delete;

  applier::Client& client() { return *client_; }
  applier::ResourceManager& manager() { return *manager_; }
  sandbox::Sandbox& sandbox() { return *sb_; }

  engine::SyncOperationOptions options(engine::SyncRequest request = {}) const {
    engine::SyncOperationOptions o;
    o.app = kApp;
    o.ns = kNs;
    o.request = std::move(request);
    o.revision = "0123456789abcdef0123456789abcdef01234567";
    o.create_namespace = true;
    o.wave_timeout = std::chrono::seconds(20);
    return o;
  }

  std::unique_ptr<engine::SyncOperation> operation(std::vector<core::Object> desired,
                                                   engine::SyncOperationOptions options) {
    return std::make_unique<engine::SyncOperation>(*manager_, *client_, std::move(desired),
                                                   engine::get_live_lookup(*manager_, *client_), std::move(options));
  }

  engine::OperationState sync(std::vector<core::Object> desired, engine::SyncOperationOptions options) {
    return operation(std::move(desired), std::move(options))->run(std::chrono::milliseconds(10));
  }

  // The live object at `path` (an API path), or nullopt on 404.
  std::optional<core::Json> get(const std::string& path) {
    auto response = client_->send({.method = "GET", .path = path});
    if (response.status == 404) return std::nullopt;
    REQUIRE(response.status == 200);
    return response.json();
  }
  std::optional<core::Json> job(const std::string& name) { return get("/apis/batch/v1/namespaces/shop/jobs/" + name); }
  std::optional<core::Json> config_map(const std::string& name) {
    return get("/api/v1/namespaces/shop/configmaps/" + name);
  }
  std::optional<core::Json> deployment(const std::string& name) {
    return get("/apis/apps/v1/namespaces/shop/deployments/" + name);
  }

  // The cluster's current resourceVersion (one counter for every object in the sandbox).
  std::uint64_t resource_version() {
    auto list = client_->request_json({.method = "GET", .path = "/api/v1/namespaces"});
    return std::stoull(list["metadata"].value("resourceVersion", "0"));
  }

  // Every event after `since` for the resources at `paths` (e.g. /apis/batch/v1/namespaces/shop/jobs), merged in
  // resourceVersion order: the order the cluster saw the changes in.
  std::vector<WatchEvent> events_since(std::uint64_t since, const std::vector<std::string>& paths) {
    std::vector<WatchEvent> out;
    for (const auto& path : paths) {
      auto response = sb_->api().handle(
          {.method = "GET", .target = path + "?watch=true&resourceVersion=" + std::to_string(since), .headers = {}, .body = {}});
      REQUIRE(response.watch);
      std::string line;
      while (response.watch->next(line, std::chrono::milliseconds(100)) == sandbox::WatchStream::Next::Data) {
        auto event = core::Json::parse(line);
        if (event.value("type", "") == "BOOKMARK" || event.value("type", "") == "ERROR") continue;
        core::Object object(event["object"]);
        out.push_back({.type = event.value("type", ""),
                       .key = object.key(),
                       .resource_version = std::stoull(object.metadata().value("resourceVersion", "0")),
                       .health = differ::assess_health(&object).status,
                       .uid = object.metadata().value("uid", "")});
      }
      response.watch->cancel();
    }
    std::sort(out.begin(), out.end(),
              [](const WatchEvent& a, const WatchEvent& b) { return a.resource_version < b.resource_version; });
    return out;
  }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<sandbox::Sandbox> sb_;
  std::unique_ptr<applier::Client> client_;
  std::unique_ptr<applier::ResourceManager> manager_;
};

// The first event of `name` (of `kind`) matching `pred`; fails the test when there is none.
template <typename Pred>
std::uint64_t first_event(const std::vector<WatchEvent>& events, const std::string& kind, const std::string& name,
                          Pred pred) {
  for (const auto& e : events) {
    if (e.key.kind == kind && e.key.name == name && pred(e)) return e.resource_version;
  }
  FAIL("no matching event for " << kind << " " << name);
  return 0;
}

inline std::uint64_t added(const std::vector<WatchEvent>& events, const std::string& kind, const std::string& name) {
  return first_event(events, kind, name, [](const WatchEvent& e) { return e.type == "ADDED"; });
}

inline std::uint64_t healthy(const std::vector<WatchEvent>& events, const std::string& kind, const std::string& name) {
  return first_event(events, kind, name, [](const WatchEvent& e) { return e.health == differ::HealthStatus::Healthy; });
}

inline const engine::SyncResourceResult* result_for(const engine::OperationState& state, const std::string& kind,
                                                    const std::string& name) {
  for (const auto& r : state.resources) {
    if (r.key.kind == kind && r.key.name == name) return &r;
  }
  return nullptr;
}

}  // namespace gitmoor::test
