#include "path_inspector.hpp"

#include <filesystem>

#include "git_handles.hpp"

namespace gitmoor::engine {

namespace {

using EntryHandle = std::unique_ptr<git_tree_entry, GitDeleter<git_tree_entry, git_tree_entry_free>>;

[[noreturn]] void cache_failure(const std::string& message) { throw GitError(GitErrorKind::CacheFailure, message); }

int stop_at_symlink(const char* /*root*/, const git_tree_entry* entry, void* payload) {
  if (git_tree_entry_filemode(entry) == GIT_FILEMODE_LINK) {
    *static_cast<bool*>(payload) = true;
    return -1;  // found one: stop walking
  }
  return 0;
}

std::string normal(const std::string& path) {
  std::string p = std::filesystem::path(path).lexically_normal().generic_string();
  while (!p.empty() && p.back() == '/') p.pop_back();
  return p == "." ? std::string() : p;
}

}  // namespace

std::vector<PathInfo> inspect_paths(git_repository* repository, const git_oid& commit_id,
                                    const std::vector<PathQuery>& queries) {
  git_commit* raw_commit = nullptr;
  if (git_commit_lookup(&raw_commit, repository, &commit_id) != 0) {
    cache_failure("commit " + std::string(git_oid_tostr_s(&commit_id)) + ": " + last_git_error(-1));
  }
  CommitHandle commit(raw_commit);
  git_tree* raw_tree = nullptr;
  if (git_commit_tree(&raw_tree, commit.get()) != 0) {
    cache_failure("tree of " + std::string(git_oid_tostr_s(&commit_id)) + ": " + last_git_error(-1));
  }
  TreeHandle root(raw_tree);

  std::vector<PathInfo> out(queries.size());
  for (std::size_t i = 0; i < queries.size(); ++i) {
    const std::string path = normal(queries[i].path);
    PathInfo& info = out[i];
    git_oid id = *git_tree_id(root.get());
    git_filemode_t mode = GIT_FILEMODE_TREE;
    if (!path.empty()) {
      if (path.starts_with("..")) continue;  // outside the repository: no object
      git_tree_entry* raw_entry = nullptr;
      if (git_tree_entry_bypath(&raw_entry, root.get(), path.c_str()) != 0) continue;
      EntryHandle entry(raw_entry);
      id = *git_tree_entry_id(entry.get());
      mode = git_tree_entry_filemode(entry.get());
    }
    info.id = git_oid_tostr_s(&id);
    info.is_tree = mode == GIT_FILEMODE_TREE;
    info.has_symlink = mode == GIT_FILEMODE_LINK;
    if (info.is_tree && queries[i].find_symlinks) {
      git_tree* raw_subtree = nullptr;
      if (git_tree_lookup(&raw_subtree, repository, &id) != 0) {
        cache_failure("tree " + path + ": " + last_git_error(-1));
      }
      TreeHandle subtree(raw_subtree);
      git_tree_walk(subtree.get(), GIT_TREEWALK_PRE, stop_at_symlink, &info.has_symlink);
    } else if (!info.is_tree && queries[i].read_content) {
      git_blob* raw_blob = nullptr;
      if (git_blob_lookup(&raw_blob, repository, &id) != 0) cache_failure("file " + path + ": " + last_git_error(-1));
      BlobHandle blob(raw_blob);
      info.content.assign(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                          static_cast<std::size_t>(git_blob_rawsize(blob.get())));
    }
  }
  return out;
}

}  // namespace gitmoor::engine
