#include "gitmoor/renderer/render_cache.hpp"

#include <string_view>

#include "gitmoor/core/metrics.hpp"

namespace gitmoor::renderer {

namespace {

// Length-prefixed fields: unambiguous whatever the values contain, and cheap (a poll builds one key per app).
void field(std::string& key, std::string_view value) {
  key.append(std::to_string(value.size())).push_back(':');
  key.append(value);
}

// gitmoor_render_cache_hits_total: renders the cache saved, across every cache of the process.
void count_hit() {
  static auto& hits = core::metrics::registry()
                          .counter("gitmoor_render_cache_hits_total",
                                   "Renders answered from the render cache (same commit, path and parameters).")
                          .get();
  hits.inc();
}

}  // namespace

std::string RenderCache::key_of(const RenderRequest& request) {
  const HelmOptions& helm = request.helm;
  // The repository root is not part of the key: one commit renders the same wherever it is checked out.
  std::string key;
  key.reserve(256);
  field(key, request.commit);
  field(key, request.app_path);
  field(key, request.type ? to_string(*request.type) : std::string_view());
  field(key, helm.release_name);
  field(key, helm.ns);
  key.append(std::to_string(helm.value_files.size())).push_back('v');
  for (const auto& file : helm.value_files) field(key, file);
  key.push_back(helm.ignore_missing_value_files ? 'I' : 'i');
  field(key, helm.values);
  field(key, helm.values_object.is_null() ? std::string() : helm.values_object.dump());
  key.append(std::to_string(helm.parameters.size())).push_back('p');
  for (const auto& p : helm.parameters) {
    field(key, p.name);
    field(key, p.value);
    key.push_back(p.force_string ? 'S' : 's');
  }
  field(key, helm.kube_version);
  key.append(std::to_string(helm.api_versions.size())).push_back('a');
  for (const auto& api : helm.api_versions) field(key, api);
  key.push_back(helm.skip_crds ? 'C' : 'c');
  key.push_back(request.directory.recurse ? 'R' : 'r');
  field(key, request.directory.include);
  field(key, request.directory.exclude);
  field(key, std::to_string(request.limits.max_output_bytes) + "/" + std::to_string(request.limits.max_objects));
  return key;
}

std::shared_ptr<const RenderResult> RenderCache::render(const RenderRequest& request) {
  if (request.commit.empty()) {
    std::lock_guard lock(mutex_);
    ++stats_.misses;
  } else {
    const std::string key = key_of(request);
    {
      std::lock_guard lock(mutex_);
      if (auto it = entries_.find(key); it != entries_.end()) {
        lru_.splice(lru_.begin(), lru_, it->second.position);
        ++stats_.hits;
        count_hit();
        return it->second.result;
      }
      ++stats_.misses;
    }
    // Rendered outside the lock: other apps keep hitting the cache meanwhile. Two concurrent misses on one key
    // both render; the second insert is dropped.
    auto result = std::make_shared<const RenderResult>(renderer::render(request));
    std::lock_guard lock(mutex_);
    if (!entries_.contains(key)) {
      lru_.push_front(key);
      entries_.emplace(key, Entry{result, lru_.begin()});
      while (entries_.size() > options_.max_entries) {
        entries_.erase(lru_.back());
        lru_.pop_back();
      }
    }
    return result;
  }
  return std::make_shared<const RenderResult>(renderer::render(request));
}

std::shared_ptr<const RenderResult> RenderCache::find(const RenderRequest& request) {
  if (request.commit.empty()) return nullptr;
  const std::string key = key_of(request);
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second.position);
  ++stats_.hits;
  count_hit();
  return it->second.result;
}

RenderCacheStats RenderCache::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

std::size_t RenderCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace gitmoor::renderer
