#pragma once
// One bare mirror of a remote repository: its refs listed remotely (ls-remote), fetched into the mirror
// (branches and tags, force-updated and pruned, so rewritten history is followed), and revisions resolved locally.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <git2.h>

#include "git_handles.hpp"
#include "gitmoor/engine/repository.hpp"

namespace gitmoor::engine {

using RemoteRefs = std::map<std::string, git_oid>;  // `HEAD`, `refs/heads/main`, `refs/tags/v1^{}` (peeled)

class Mirror {
 public:
  // Opens the mirror at `path`, creating it when missing or unreadable; `created` says which.
  static Mirror open_or_create(const std::filesystem::path& path, bool& created);

  // Throws GitError. The callbacks enforce the deadline; the thread's NetworkScope the socket timeouts.
  [[nodiscard]] static RemoteRefs list_remote(const Repository& repository,
                                              std::chrono::steady_clock::time_point deadline);
  void fetch(const Repository& repository, std::chrono::steady_clock::time_point deadline);

  // The object a revision names remotely (peeled tag when the server advertised one), when it is a ref.
  [[nodiscard]] static std::optional<git_oid> advertised(const RemoteRefs& refs, const std::string& revision);
  [[nodiscard]] bool has_object(const git_oid& id) const;
  // A commit SHA (full or abbreviated) present in the mirror; nullopt when absent. Throws GitError
  // (RevisionNotFound) when ambiguous.
  [[nodiscard]] std::optional<git_oid> local_commit(const std::string& sha) const;
  // The commit an object (commit or tag chain) peels to; throws GitError.
  [[nodiscard]] std::string peel_to_commit(const git_oid& id, const std::string& revision,
                                           const Repository& repository) const;

  [[nodiscard]] git_repository* get() const { return repository_.get(); }

 private:
  explicit Mirror(RepositoryHandle repository) : repository_(std::move(repository)) {}
  RepositoryHandle repository_;
};

// Full or abbreviated (4+) hexadecimal: a revision that can only be a commit SHA.
[[nodiscard]] bool looks_like_sha(const std::string& revision);

}  // namespace gitmoor::engine
