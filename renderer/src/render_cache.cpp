#include "gitmoor/renderer/render_cache.hpp"

#include "gitmoor/core/object.hpp"

namespace gitmoor::renderer {

std::string RenderCache::key_of(const RenderRequest& request) {
  const HelmOptions& helm = request.helm;
  core::Json parameters = core::Json::array();
  for (const auto& p : helm.parameters) parameters.push_back({p.name, p.value, p.force_string});
  // The repository root is not part of the key: one commit renders the same wherever it is checked out.
  const core::Json key{
      {"commit", request.commit},
      {"path", request.app_path},
      {"type", request.type ? std::string(to_string(*request.type)) : std::string()},
      {"helm",
       {{"release", helm.release_name}, {"namespace", helm.ns}, {"valueFiles", helm.value_files},
        {"ignoreMissing", helm.ignore_missing_value_files}, {"values", helm.values},
        {"valuesObject", helm.values_object}, {"parameters", parameters}, {"kubeVersion", helm.kube_version},
        {"apiVersions", helm.api_versions}, {"skipCrds", helm.skip_crds}}},
      {"directory",
       {{"recurse", request.directory.recurse}, {"include", request.directory.include},
        {"exclude", request.directory.exclude}}},
      {"limits", {request.limits.max_output_bytes, request.limits.max_objects}},
  };
  return key.dump();
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
