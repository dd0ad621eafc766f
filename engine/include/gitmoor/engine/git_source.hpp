#pragma once
// The Git source: one bare mirror per repository URL, refreshed only when a wanted ref moved; revisions resolved to
// commits; commits checked out once, shared, and removed when unused. One lock per repository, so the N
// Applications of a monorepo polled together cost one remote check and at most one fetch.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "gitmoor/engine/checkout.hpp"
#include "gitmoor/engine/git_error.hpp"
#include "gitmoor/engine/repository.hpp"

namespace gitmoor::engine {

struct GitSourceOptions {
  std::filesystem::path cache_dir;  // mirrors/ and checkouts/ go below it
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(15)};
  std::chrono::milliseconds io_timeout{std::chrono::seconds(30)};            // no byte received for this long
  std::chrono::milliseconds operation_timeout{std::chrono::minutes(5)};      // a whole ls-remote or fetch
};

struct SourceCounters {
  std::size_t remote_checks = 0;  // ls-remote round trips
  std::size_t fetches = 0;
  std::size_t clones = 0;         // mirrors created (first use, or a corrupt one re-created)
  std::size_t checkouts = 0;      // commit trees written
};

// A question about one path of a commit, answered from the mirror without a checkout.
struct PathQuery {
  std::string path;             // relative to the repository root; "" or "." is the root
  bool read_content = false;    // for a file: its bytes
  bool find_symlinks = false;   // for a folder: whether any symlink lies below it
};

struct PathInfo {
  std::string id;               // the Git object id at the path (tree or blob); "" when the path does not exist
  bool is_tree = false;
  bool has_symlink = false;     // the path is a symlink, or (find_symlinks) a folder holding one
  std::string content;
};

// The outcome for one revision of a poll: a commit, or the error saying why not (the other revisions still resolve).
struct Resolution {
  std::string commit;
  std::exception_ptr error;

  [[nodiscard]] bool ok() const { return !error; }
  // The commit, or the error rethrown.
  [[nodiscard]] const std::string& value() const;
};

struct PollResult {
  std::map<std::string, Resolution> revisions;  // by the revision as asked
  bool fetched = false;
};

// A commit as Argo CD's RevisionMetadata shows it.
struct CommitMetadata {
  std::string commit;   // full SHA
  std::string author;   // "Name <email>"
  std::string date;     // the author date, RFC 3339 UTC
  std::string message;
  std::vector<std::string> tags;  // tags pointing at the commit, sorted
};

class GitSource {
 public:
  explicit GitSource(GitSourceOptions options);
  ~GitSource();
  GitSource(const GitSource&) = delete;
  GitSource& operator=(const GitSource&) = delete;

  // One remote check for the repository; one fetch when any of `revisions` (branch, tag, annotated tag, full or
  // short SHA, HEAD, refs/...) is not in the mirror yet. Throws GitError for failures of the repository as a whole
  // (authentication, not found, network, timeout); a revision that does not exist is that revision's Resolution.
  [[nodiscard]] PollResult poll(const Repository& repository, const std::vector<std::string>& revisions);

  // poll() for one revision: its commit, or GitError.
  [[nodiscard]] std::string resolve(const Repository& repository, const std::string& revision);

  // The tree of `commit` (resolved before by poll) as a read-only folder shared with every other holder, removed
  // when the last holder lets go. The whole tree, not only the app's path: value files and file:// chart
  // dependencies may live elsewhere in the repository.
  [[nodiscard]] std::shared_ptr<const Checkout> checkout(const Repository& repository, const std::string& commit);

  // Object ids (and optionally contents) of paths at `commit`, read from the mirror in one go: what the render
  // cache needs to tell that an app's inputs did not change between two commits.
  [[nodiscard]] std::vector<PathInfo> inspect(const Repository& repository, const std::string& commit,
                                              const std::vector<PathQuery>& queries);

  // The commit a revision (SHA, branch, tag, HEAD) names, read from the mirror; a revision the mirror lacks is polled
  // for first (revision_metadata.cpp). Throws GitError (RevisionNotFound for an unknown revision).
  [[nodiscard]] CommitMetadata commit_metadata(const Repository& repository, const std::string& revision);

  [[nodiscard]] SourceCounters counters() const;
  [[nodiscard]] const GitSourceOptions& options() const { return options_; }
  // The mirror folder of a URL (tests corrupt it on purpose).
  [[nodiscard]] std::filesystem::path mirror_path(const std::string& url) const;

 private:
  struct RepositoryState;
  std::shared_ptr<RepositoryState> state_of(const std::string& url);

  GitSourceOptions options_;
  std::filesystem::path checkouts_dir_;  // removed with the source: checkouts must not outlive it
  std::mutex mutex_;  // guards states_ and checkouts_
  std::map<std::string, std::shared_ptr<RepositoryState>> states_;
  std::map<std::string, std::weak_ptr<const Checkout>> checkouts_;
  std::atomic<std::size_t> remote_checks_{0}, fetches_{0}, clones_{0}, checkouts_written_{0};
};

}  // namespace gitmoor::engine
