#include "tree_writer.hpp"

#include <fstream>
#include <string>

#include "git_handles.hpp"
#include "gitmoor/engine/git_error.hpp"

namespace gitmoor::engine {

namespace fs = std::filesystem;

namespace {

struct WalkState {
  git_repository* repository;
  fs::path destination;
  std::string failure;
};

[[noreturn]] void cache_failure(const std::string& message) { throw GitError(GitErrorKind::CacheFailure, message); }

int write_entry(const char* root, const git_tree_entry* entry, void* payload) {
  auto* state = static_cast<WalkState*>(payload);
  const fs::path relative = fs::path(root) / git_tree_entry_name(entry);
  const fs::path target = state->destination / relative;
  const git_filemode_t mode = git_tree_entry_filemode(entry);
  std::error_code ec;
  if (mode == GIT_FILEMODE_TREE) {
    fs::create_directories(target, ec);
  } else if (mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE || mode == GIT_FILEMODE_LINK) {
    git_blob* raw = nullptr;
    if (git_blob_lookup(&raw, state->repository, git_tree_entry_id(entry)) != 0) {
      state->failure = relative.string() + ": " + last_git_error(-1);
      return -1;
    }
    BlobHandle blob(raw);
    const auto* data = static_cast<const char*>(git_blob_rawcontent(blob.get()));
    const auto size = static_cast<std::size_t>(git_blob_rawsize(blob.get()));
    if (mode == GIT_FILEMODE_LINK) {
      fs::create_symlink(std::string(data, size), target, ec);
    } else {
      std::ofstream out(target, std::ios::binary);
      out.write(data, static_cast<std::streamsize>(size));
      out.close();
      if (!out) ec = std::make_error_code(std::errc::io_error);
      if (!ec) {
        fs::permissions(target,
                        mode == GIT_FILEMODE_BLOB_EXECUTABLE ? fs::perms(0555) : fs::perms(0444),
                        fs::perm_options::replace, ec);
      }
    }
  }
  // Submodules (GIT_FILEMODE_COMMIT) are not part of this repository's content: skipped.
  if (ec) {
    state->failure = relative.string() + ": " + ec.message();
    return -1;
  }
  return 0;
}

}  // namespace

void write_commit_tree(git_repository* repository, const git_oid& commit_id, const fs::path& destination) {
  git_commit* raw_commit = nullptr;
  if (git_commit_lookup(&raw_commit, repository, &commit_id) != 0) {
    cache_failure("commit " + std::string(git_oid_tostr_s(&commit_id)) + ": " + last_git_error(-1));
  }
  CommitHandle commit(raw_commit);
  git_tree* raw_tree = nullptr;
  if (git_commit_tree(&raw_tree, commit.get()) != 0) {
    cache_failure("tree of commit " + std::string(git_oid_tostr_s(&commit_id)) + ": " + last_git_error(-1));
  }
  TreeHandle tree(raw_tree);
  std::error_code ec;
  fs::create_directories(destination, ec);
  if (ec) cache_failure("checkout " + destination.string() + ": " + ec.message());
  WalkState state{repository, destination, {}};
  if (git_tree_walk(tree.get(), GIT_TREEWALK_PRE, write_entry, &state) != 0) {
    cache_failure("checkout of " + std::string(git_oid_tostr_s(&commit_id)) + ": " +
                  (state.failure.empty() ? last_git_error(-1) : state.failure));
  }
}

}  // namespace gitmoor::engine
