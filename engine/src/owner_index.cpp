// See owner_index.hpp.
#include "owner_index.hpp"

#include <algorithm>

#include "gitmoor/core/logging.hpp"
#include "tree_node.hpp"

namespace gitmoor::engine {

using core::Json;
using core::Object;

namespace {

constexpr auto kRetryAfter = std::chrono::seconds(30);

bool listable(const applier::ApiResource& resource) {
  const auto has = [&](const char* verb) {
    return std::find(resource.verbs.begin(), resource.verbs.end(), verb) != resource.verbs.end();
  };
  return has("list") && has("watch");
}

std::vector<std::string> owner_uids(const Object& object) {
  std::vector<std::string> out;
  const auto& references = object.metadata().value("ownerReferences", Json::array());
  for (const auto& reference : references) {
    if (reference.is_object() && reference.contains("uid") && reference["uid"].is_string()) {
      out.push_back(reference["uid"].get<std::string>());
    }
  }
  return out;
}

}  // namespace

std::vector<core::GroupVersionKind> owned_kinds() {
  return {{"", "v1", "Pod"},
          {"apps", "v1", "ReplicaSet"},
          {"apps", "v1", "ControllerRevision"},
          {"batch", "v1", "Job"},
          {"discovery.k8s.io", "v1", "EndpointSlice"}};
}

OwnerIndex::OwnerIndex(applier::Client& client, applier::Discovery& discovery)
    : client_(client), discovery_(discovery) {}

OwnerIndex::~OwnerIndex() { stop(); }

void OwnerIndex::watch(const std::set<std::string>& namespaces) {
  std::lock_guard watch_lock(watch_mutex_);
  const auto now = std::chrono::steady_clock::now();
  for (const auto& ns : namespaces) {
    if (ns.empty()) continue;  // cluster-scoped objects own nothing namespaced that we could list here
    {
      std::lock_guard lock(mutex_);
      if (stopped_ || caches_.count(ns) != 0) continue;
    }
    if (auto retry = retry_at_.find(ns); retry != retry_at_.end() && now < retry->second) continue;

    std::vector<applier::WatchTarget> targets;
    try {
      for (const auto& gvk : owned_kinds()) {
        auto resource = discovery_.find(gvk);
        if (resource && listable(*resource)) targets.push_back({.resource = *resource, .ns = ns, .label_selector = ""});
      }
    } catch (const std::exception& e) {
      core::logger("engine")->warn("owner index: namespace {}: discovery failed: {}", ns, e.what());
      retry_at_[ns] = now + kRetryAfter;
      continue;
    }
    if (targets.empty()) continue;
    auto cache = std::make_unique<applier::LiveCache>(
        client_, std::move(targets), applier::LiveCacheOptions{.trim = [](Object& object) {
          object = Object(compact_object(object.json()));
        }});
    cache->on_change([this](applier::LiveEvent event, const Object& object) { on_change(event, object); });
    try {
      cache->start();
    } catch (const std::exception& e) {
      core::logger("engine")->warn("owner index: namespace {}: {}; the resource tree shows no children there",
                                   ns, e.what());
      cache->stop();
      forget_namespace(ns);  // what the part of the LIST that worked indexed
      retry_at_[ns] = now + kRetryAfter;
      continue;
    }
    retry_at_.erase(ns);
    std::lock_guard lock(mutex_);
    if (stopped_) {
      cache->stop();
      continue;
    }
    caches_.emplace(ns, std::move(cache));
  }
}

void OwnerIndex::stop() {
  std::map<std::string, std::unique_ptr<applier::LiveCache>> caches;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    caches.swap(caches_);
  }
  // Outside the lock: a watch thread may be waiting for it in on_change while we join it.
  for (auto& [ns, cache] : caches) cache->stop();
}

void OwnerIndex::on_change(applier::LiveEvent event, const Object& object) {
  const auto key = object.key();
  std::lock_guard lock(mutex_);
  if (auto it = owners_.find(key); it != owners_.end()) {
    for (const auto& owner : it->second) {
      auto children = children_.find(owner);
      if (children == children_.end()) continue;
      children->second.erase(key);
      if (children->second.empty()) children_.erase(children);
    }
    owners_.erase(it);
  }
  if (event == applier::LiveEvent::Deleted) return;
  auto owners = owner_uids(object);
  if (owners.empty()) return;  // a bare Pod: nobody's child
  for (const auto& owner : owners) children_[owner].insert(key);
  owners_.emplace(key, std::move(owners));
}

void OwnerIndex::forget_namespace(const std::string& ns) {
  std::lock_guard lock(mutex_);
  for (auto it = owners_.begin(); it != owners_.end();) {
    if (it->first.ns != ns) {
      ++it;
      continue;
    }
    for (const auto& owner : it->second) {
      if (auto children = children_.find(owner); children != children_.end()) {
        children->second.erase(it->first);
        if (children->second.empty()) children_.erase(children);
      }
    }
    it = owners_.erase(it);
  }
}

std::vector<Json> OwnerIndex::children(const std::string& owner_uid) const {
  std::lock_guard lock(mutex_);
  std::vector<Json> out;
  auto it = children_.find(owner_uid);
  if (it == children_.end()) return out;
  for (const auto& key : it->second) {
    auto cache = caches_.find(key.ns);
    if (cache == caches_.end()) continue;
    if (auto object = cache->second->get(key)) out.push_back(tree_node(object->json()));
  }
  return out;
}

std::size_t OwnerIndex::size() const {
  std::lock_guard lock(mutex_);
  std::size_t total = 0;
  for (const auto& [ns, cache] : caches_) total += cache->size();
  return total;
}

std::set<std::string> OwnerIndex::namespaces() const {
  std::lock_guard lock(mutex_);
  std::set<std::string> out;
  for (const auto& [ns, cache] : caches_) out.insert(ns);
  return out;
}

}  // namespace gitmoor::engine
