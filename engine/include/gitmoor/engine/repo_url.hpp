#pragma once
// One spelling for every way a repository URL is written, so a webhook's `https://github.com/Org/Repo` finds the
// Application whose repoURL is `git@github.com:org/repo.git`. Two URLs name the same repository when their
// normalized forms are equal.
#include <string>
#include <string_view>

namespace gitmoor::engine {

// `host[:port]/path` for network URLs (https, http, ssh, git, scp-like `user@host:path`): scheme, user and
// password, the scheme's default port, a `.git` suffix, trailing slashes, query and fragment dropped; host and path
// lower-cased (GitHub, GitLab and Bitbucket treat both case-insensitively; a false match only costs a refresh).
// `file://` URLs and plain paths keep their case (file systems do not fold it) and become `file://<path>`.
// Never throws: text that is no URL at all is returned trimmed and lower-cased, and matches only itself.
[[nodiscard]] std::string normalize_repo_url(std::string_view url);

// True when `a` and `b` name the same repository (equal normalized forms; an empty URL matches nothing).
[[nodiscard]] bool same_repository(std::string_view a, std::string_view b);

}  // namespace gitmoor::engine
