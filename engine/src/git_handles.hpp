#pragma once
// libgit2 objects owned by unique_ptrs, and the library's one-time initialisation.
#include <memory>

#include <git2.h>

namespace gitmoor::engine {

template <typename T, void (*Free)(T*)>
struct GitDeleter {
  void operator()(T* p) const { Free(p); }
};

using RepositoryHandle = std::unique_ptr<git_repository, GitDeleter<git_repository, git_repository_free>>;
using RemoteHandle = std::unique_ptr<git_remote, GitDeleter<git_remote, git_remote_free>>;
using ObjectHandle = std::unique_ptr<git_object, GitDeleter<git_object, git_object_free>>;
using CommitHandle = std::unique_ptr<git_commit, GitDeleter<git_commit, git_commit_free>>;
using TreeHandle = std::unique_ptr<git_tree, GitDeleter<git_tree, git_tree_free>>;
using BlobHandle = std::unique_ptr<git_blob, GitDeleter<git_blob, git_blob_free>>;
using OdbHandle = std::unique_ptr<git_odb, GitDeleter<git_odb, git_odb_free>>;

// Initialises libgit2 once per process and registers the socket stream with timeouts (network_stream.hpp).
void ensure_libgit2();

// The last libgit2 error message of this thread, or a fallback naming the code.
[[nodiscard]] std::string last_git_error(int code);

}  // namespace gitmoor::engine
