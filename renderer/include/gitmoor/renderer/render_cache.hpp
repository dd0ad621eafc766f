#pragma once
// Rendered objects keyed by (commit, path, render parameters). A commit never changes, so an entry never goes
// stale: an unchanged key never runs helm again. Bounded by entry count, least recently used out first.
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "gitmoor/renderer/render.hpp"

namespace gitmoor::renderer {

struct RenderCacheOptions {
  std::size_t max_entries = 4096;
};

struct RenderCacheStats {
  std::size_t hits = 0;
  std::size_t misses = 0;  // renders run
};

class RenderCache {
 public:
  explicit RenderCache(RenderCacheOptions options = {}) : options_(options) {}

  // The cached result for the request's key, rendering on a miss. Requests without a commit (a local tree that may
  // change under us) are rendered every time. Failures are not cached: the next poll retries.
  [[nodiscard]] std::shared_ptr<const RenderResult> render(const RenderRequest& request);

  // The cached result for the request's key (a hit), or null (not counted as a miss): callers that must prepare
  // the tree first (a checkout) ask before preparing it.
  [[nodiscard]] std::shared_ptr<const RenderResult> find(const RenderRequest& request);

  // The key: commit, path, type override and every parameter that changes the output.
  [[nodiscard]] static std::string key_of(const RenderRequest& request);

  [[nodiscard]] RenderCacheStats stats() const;
  [[nodiscard]] std::size_t size() const;

 private:
  using Lru = std::list<std::string>;
  struct Entry {
    std::shared_ptr<const RenderResult> result;
    Lru::iterator position;
  };

  RenderCacheOptions options_;
  mutable std::mutex mutex_;
  Lru lru_;  // most recent first
  std::unordered_map<std::string, Entry> entries_;
  RenderCacheStats stats_;
};

}  // namespace gitmoor::renderer
