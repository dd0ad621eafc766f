#include "gitmoor/engine/manifest_poller.hpp"

#include <map>
#include <set>

#include "render_inputs.hpp"

namespace gitmoor::engine {

ManifestPoller::ManifestPoller(GitSource& source, renderer::RenderCache& cache)
    : source_(source),
      cache_(cache),
      charts_(std::make_unique<HelmRepositories>(source.options().cache_dir / "charts")) {}

ManifestPoller::~ManifestPoller() = default;

void ManifestPoller::poll_charts(const std::vector<AppSource>& apps, const std::vector<std::size_t>& indices,
                                 std::vector<AppManifests>& out) {
  std::map<std::string, std::vector<std::size_t>> by_repository;
  for (auto i : indices) by_repository[apps[i].repository.url].push_back(i);
  for (const auto& [url, members] : by_repository) {
    const Repository& repository = apps[members.front()].repository;
    const std::string subject = "Helm repository " + redact_url(url);
    // A bad chart name fails its app only, not the others on the repository.
    std::set<std::string> charts;
    std::vector<std::size_t> valid;
    for (auto i : members) {
      try {
        check_chart_name(apps[i].chart, subject);
        charts.insert(apps[i].chart);
        valid.push_back(i);
      } catch (...) {
        out[i].error = std::current_exception();
      }
    }
    if (valid.empty()) continue;
    std::map<std::string, std::vector<ChartEntry>> entries;
    try {
      entries = charts_->index(repository, charts);
    } catch (...) {
      for (auto i : valid) out[i].error = std::current_exception();
      continue;
    }
    for (auto i : valid) {
      try {
        const auto& chart = apps[i].chart;
        const auto entry = pick_chart_version(entries[chart], chart, apps[i].target_revision, subject);
        out[i].commit = entry.version;
        renderer::RenderRequest request = apps[i].render;
        request.type = renderer::SourceType::Helm;
        request.app_path = chart;
        // The render cache's identity of the inputs: a version's archive, which its digest pins.
        request.commit = "helm " + url + " " + chart + " " + entry.version + " " + entry.digest;
        if ((out[i].manifests = cache_.find(request))) continue;
        request.repo_root = charts_->chart(repository, chart, entry).parent_path();
        out[i].manifests = cache_.render(request);
        out[i].rendered = true;
      } catch (...) {
        out[i].error = std::current_exception();
      }
    }
  }
}

std::vector<AppManifests> ManifestPoller::poll(const std::vector<AppSource>& apps) {
  std::vector<AppManifests> out(apps.size());
  // Apps by repository, so each repository is checked once for all the revisions its apps want.
  std::map<std::string, std::vector<std::size_t>> by_repository;
  std::vector<std::size_t> chart_apps;
  for (std::size_t i = 0; i < apps.size(); ++i) {
    out[i].app = apps[i].app;
    if (!apps[i].chart.empty()) {
      chart_apps.push_back(i);
    } else {
      by_repository[redact_url(apps[i].repository.url)].push_back(i);
    }
  }
  if (!chart_apps.empty()) poll_charts(apps, chart_apps, out);

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
    // The render cache's identity of each app's inputs: looked up per (commit, app); computed, for the apps
    // at a commit not seen before, in one pass over the mirror.
    std::vector<std::string> parameters(indices.size()), identities(indices.size());
    std::map<std::string, std::vector<std::size_t>> unknown;  // commit → positions in `indices`
    for (std::size_t k = 0; k < indices.size(); ++k) {
      const auto i = indices[k];
      try {
        out[i].commit = polled.revisions.at(apps[i].target_revision).value();
      } catch (...) {
        out[i].error = std::current_exception();
        continue;
      }
      renderer::RenderRequest request = apps[i].render;
      request.app_path = apps[i].path;
      parameters[k] = renderer::RenderCache::key_of(request);  // commit left empty: the rest of the key
      std::lock_guard lock(mutex_);
      if (auto it = identities_.find(out[i].commit + parameters[k]); it != identities_.end()) {
        identities[k] = it->second;
      } else {
        unknown[out[i].commit].push_back(k);
      }
    }
    for (const auto& [commit, positions] : unknown) {
      std::vector<const AppSource*> batch;
      for (auto k : positions) batch.push_back(&apps[indices[k]]);
      std::vector<std::string> computed;
      try {
        computed = render_inputs_identities(source_, repository, commit, batch);
      } catch (const GitError&) {
        computed.assign(batch.size(), std::string());  // the checkout will report what is wrong
      }
      std::lock_guard lock(mutex_);
      if (identities_.size() + positions.size() > kMaxIdentities) identities_.clear();
      for (std::size_t b = 0; b < positions.size(); ++b) {
        const auto k = positions[b];
        identities[k] = computed[b].empty() ? commit : computed[b];
        identities_[commit + parameters[k]] = identities[k];
      }
    }

    // Held for the whole poll, so apps at the same commit share one checkout.
    std::map<std::string, std::shared_ptr<const Checkout>> checkouts;
    for (std::size_t k = 0; k < indices.size(); ++k) {
      const auto i = indices[k];
      AppManifests& result = out[i];
      if (result.error) continue;
      try {
        renderer::RenderRequest request = apps[i].render;
        request.app_path = apps[i].path;
        request.commit = identities[k];
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
