#pragma once
// Writes the tree of one commit from a bare mirror into a folder: files read-only (executables keep their bit),
// symlinks as symlinks (the renderer refuses those leaving the repository), submodules left out.
#include <filesystem>

#include <git2.h>

namespace gitmoor::engine {

// Throws GitError (CacheFailure) naming the file that could not be written.
void write_commit_tree(git_repository* repository, const git_oid& commit, const std::filesystem::path& destination);

}  // namespace gitmoor::engine
