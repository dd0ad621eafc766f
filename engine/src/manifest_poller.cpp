#include "gitmoor/engine/manifest_poller.hpp"

#include <map>

namespace gitmoor::engine {

std::vector<AppManifests> ManifestPoller::poll(const std::vector<AppSource>& apps) {
  std::vector<AppManifests> out(apps.size());
  // Apps by repository, so each repository is checked once for all the revisions its apps want.
  std::map<std::string, std::vector<std::size_t>> by_repository;
  for (std::size_t i = 0; i < apps.size(); ++i) {
    out[i].app = apps[i].app;
    by_repository[redact_url(apps[i].repository.url)].push_back(i);
  }

  for (const auto& [url, indices] : by_repository) {
    const Repository& repository = apps[indices.front()].repository;
    std::vector<std::string> revisions;
    for (auto i : indices) revisions.push_back(apps[i].target_revision);
    PollResult polled;
    try {
      polled = source_.poll(repository, revisions);
    } catch (...) {
      for (auto i : indices) out[i].error = std::current_exception();
      continue;
    }
    // Held for the whole poll, so apps at the same commit share one checkout.
    std::map<std::string, std::shared_ptr<const Checkout>> checkouts;
    for (auto i : indices) {
      AppManifests& result = out[i];
      try {
        result.commit = polled.revisions.at(apps[i].target_revision).value();
        renderer::RenderRequest request = apps[i].render;
        request.app_path = apps[i].path;
        request.commit = result.commit;
        if ((result.manifests = cache_.find(request))) continue;
        auto& checkout = checkouts[result.commit];
        if (!checkout) checkout = source_.checkout(repository, result.commit);
        request.repo_root = checkout->root();
        result.manifests = cache_.render(request);
        result.rendered = true;
      } catch (...) {
        result.error = std::current_exception();
      }
    }
  }
  return out;
}

}  // namespace gitmoor::engine
