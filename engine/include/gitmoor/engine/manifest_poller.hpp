#pragma once
// One poll of many Applications: their repositories checked once each (all the revisions of a repository in one
// remote check, at most one fetch), each app's revision resolved, and its manifests taken from the render cache or
// rendered from a checkout shared by every app at that commit. An unchanged repository costs one ls-remote per
// repository and no render at all; a new commit re-renders only the apps whose inputs (folder, value files) it
// changed.
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gitmoor/engine/git_source.hpp"
#include "gitmoor/engine/helm_repository.hpp"
#include "gitmoor/renderer/render_cache.hpp"

namespace gitmoor::engine {

// spec.source of one Application, as the poller needs it.
struct AppSource {
  std::string app;  // the Application's name, for messages
  Repository repository;
  std::string target_revision = "HEAD";  // with `chart`: a chart version or a constraint (chart_version.hpp)
  std::string path = ".";
  // spec.source.chart: repository.url is then a Helm chart repository, not a Git one, and path is not used.
  std::string chart;
  // type, helm, directory and limits; repo_root, app_path and commit are filled by the poller.
  renderer::RenderRequest render;
};

struct AppManifests {
  std::string app;
  std::string commit;  // empty when the revision could not be resolved; a chart's version for a Helm repository
  std::shared_ptr<const renderer::RenderResult> manifests;     // null on error
  std::exception_ptr error;                                    // GitError or RenderError; never prune on one
  bool rendered = false;                                       // a renderer ran (not from the cache)

  [[nodiscard]] bool ok() const { return !error; }
};

class ManifestPoller {
 public:
  // Charts from Helm repositories are cached under the source's cache folder, in charts/.
  ManifestPoller(GitSource& source, renderer::RenderCache& cache);
  ~ManifestPoller();

  // One entry per app, in the order given. Failures are per app (a repository failure fails its apps only).
  [[nodiscard]] std::vector<AppManifests> poll(const std::vector<AppSource>& apps);

  [[nodiscard]] const HelmRepositories& helm_repositories() const { return *charts_; }

 private:
  static constexpr std::size_t kMaxIdentities = 100000;
  // The apps at `indices` whose source is a Helm chart repository: each repository's index fetched once for all.
  void poll_charts(const std::vector<AppSource>& apps, const std::vector<std::size_t>& indices,
                   std::vector<AppManifests>& out);

  GitSource& source_;
  renderer::RenderCache& cache_;
  std::unique_ptr<HelmRepositories> charts_;
  std::mutex mutex_;
  // (commit, app source) → the render cache's identity of the app's inputs: their object ids when they can be
  // known (a commit elsewhere in the monorepo then renders nothing), else the commit.
  std::map<std::string, std::string> identities_;
};

}  // namespace gitmoor::engine
