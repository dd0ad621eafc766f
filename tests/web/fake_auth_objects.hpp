#pragma once
// AuthObjects in memory with Kubernetes' semantics where auth relies on them: create fails on an existing name, an
// update with a stale resourceVersion conflicts. Shared by "replicas" (two AuthServices) through a shared_ptr.
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "gitmoor/web/auth.hpp"

namespace gitmoor::test {

struct FakeCluster {
  std::mutex mutex;
  std::map<std::string, web::StoredData> secrets;
  std::map<std::string, web::StoredData> config_maps;
  int version = 0;
  int creates = 0;
  int updates = 0;
};

class FakeAuthObjects : public web::AuthObjects {
 public:
  explicit FakeAuthObjects(std::shared_ptr<FakeCluster> cluster) : cluster_(std::move(cluster)) {}

  std::optional<web::StoredData> get_secret(const std::string& name) override {
    std::lock_guard lock(cluster_->mutex);
    auto found = cluster_->secrets.find(name);
    if (found == cluster_->secrets.end()) return std::nullopt;
    return found->second;
  }
  std::optional<web::StoredData> get_config_map(const std::string& name) override {
    std::lock_guard lock(cluster_->mutex);
    auto found = cluster_->config_maps.find(name);
    if (found == cluster_->config_maps.end()) return std::nullopt;
    return found->second;
  }
  bool create_secret(const std::string& name, const std::map<std::string, std::string>& data) override {
    std::lock_guard lock(cluster_->mutex);
    if (cluster_->secrets.count(name)) return false;
    ++cluster_->creates;
    cluster_->secrets[name] = {data, std::to_string(++cluster_->version), {}};
    return true;
  }
  bool update_secret(const std::string& name, const web::StoredData& stored) override {
    std::lock_guard lock(cluster_->mutex);
    auto found = cluster_->secrets.find(name);
    if (found == cluster_->secrets.end() || found->second.resource_version != stored.resource_version) return false;
    ++cluster_->updates;
    found->second = {stored.data, std::to_string(++cluster_->version), {}};
    return true;
  }

 private:
  std::shared_ptr<FakeCluster> cluster_;
};

// Sets gitmoor-cm's data, as `kubectl apply` would.
inline void set_config_map(FakeCluster& cluster, std::map<std::string, std::string> data) {
  std::lock_guard lock(cluster.mutex);
  cluster.config_maps[web::kAuthConfigMap] = {std::move(data), std::to_string(++cluster.version), {}};
}

inline std::string secret_value(FakeCluster& cluster, const std::string& secret, const std::string& key) {
  std::lock_guard lock(cluster.mutex);
  auto found = cluster.secrets.find(secret);
  if (found == cluster.secrets.end() || !found->second.data.count(key)) return {};
  return found->second.data.at(key);
}

}  // namespace gitmoor::test
