#pragma once
// Reading paths of a commit straight from the object database (GitSource::inspect).
#include <vector>

#include <git2.h>

#include "gitmoor/engine/git_source.hpp"

namespace gitmoor::engine {

// Throws GitError (CacheFailure) when the commit or its tree cannot be read.
std::vector<PathInfo> inspect_paths(git_repository* repository, const git_oid& commit,
                                    const std::vector<PathQuery>& queries);

}  // namespace gitmoor::engine
