#pragma once
// Helm chart repositories as Application sources (spec.source.chart + repoURL + targetRevision), as Argo CD reads
// them: an https (or http) repository's index.yaml names each chart's versions and archive URLs; targetRevision is a
// version or a constraint (chart_version.hpp); the chosen archive is downloaded once, checked against the index's
// sha256 digest, unpacked under the cache and rendered like a chart from Git. Credentials are the repository
// Secrets' (repository_credentials.hpp), matched by the repository URL.
//
// The cache: <dir>/<hash of the repository URL>/<chart>-<version>/<chart>/ holds the unpacked chart, kept across
// polls and restarts (a chart version is immutable in a repository; the digest says when it is not).
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "gitmoor/core/error.hpp"
#include "gitmoor/engine/repository.hpp"

namespace gitmoor::engine {

// Any failure of a Helm repository source: unreachable, 401/404, a bad index, no matching version, a bad archive. The
// message names the repository (without credentials) and the chart.
class HelmRepositoryError : public core::EnvironmentError {
 public:
  using core::EnvironmentError::EnvironmentError;
};

struct ChartEntry {
  std::string version;
  std::vector<std::string> urls;  // absolute, or relative to the repository URL
  std::string digest;             // sha256 of the archive, hex; empty when the index gives none
};

// A chart name fit for a folder name (no path in it); else HelmRepositoryError naming `subject`.
void check_chart_name(const std::string& chart, const std::string& subject);

// index.yaml's entries for `chart` (empty when it has none). Throws HelmRepositoryError naming `subject` when the
// text is not a Helm repository index.
std::vector<ChartEntry> chart_entries(std::string_view index_yaml, const std::string& chart, const std::string& subject);

// The entry a constraint picks: the highest matching version. Throws HelmRepositoryError naming the chart, the
// constraint and the newest versions when none matches.
ChartEntry pick_chart_version(const std::vector<ChartEntry>& entries, const std::string& chart,
                              const std::string& constraint, const std::string& subject);

class HelmRepositories {
 public:
  explicit HelmRepositories(std::filesystem::path cache_dir) : cache_dir_(std::move(cache_dir)) {}

  // The entries of `charts` in the repository's index, fetched once per call (a poll asks once per repository for all
  // its apps); an unchanged index (ETag, 304) is not downloaded again.
  std::map<std::string, std::vector<ChartEntry>> index(const Repository& repository, const std::set<std::string>& charts);

  // The unpacked chart's folder (<...>/<chart>-<version>/<chart>), downloaded and unpacked when not cached yet.
  std::filesystem::path chart(const Repository& repository, const std::string& chart, const ChartEntry& entry);

  // How many index and archive downloads this object has made (tests prove the caches spare them).
  [[nodiscard]] std::size_t downloads() const;

 private:
  std::filesystem::path cache_dir_;
  mutable std::mutex mutex_;
  struct CachedIndex {
    std::string etag;
    std::set<std::string> charts;
    std::map<std::string, std::vector<ChartEntry>> entries;
  };
  std::map<std::string, CachedIndex> indexes_;  // by repository URL
  std::size_t downloads_ = 0;
};

}  // namespace gitmoor::engine
