#pragma once
// What an app's render reads, identified by Git object ids, so that a commit which leaves an app's inputs alone
// (in a monorepo, most commits for most apps) renders nothing again.
#include <string>
#include <vector>

#include "gitmoor/engine/git_source.hpp"
#include "gitmoor/engine/manifest_poller.hpp"

namespace gitmoor::engine {

// For each app (all in `repository` at `commit`, read in one pass over the mirror): `inputs:<app tree id>;<value
// file ids>` when the render reads only the app's folder and its value files; empty when it may read beyond them —
// a kustomization (bases anywhere), a chart with file:// dependencies, a symlink — and the commit itself must be
// the identity.
[[nodiscard]] std::vector<std::string> render_inputs_identities(GitSource& source, const Repository& repository,
                                                                const std::string& commit,
                                                                const std::vector<const AppSource*>& apps);

}  // namespace gitmoor::engine
