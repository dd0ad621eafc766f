#include "git_handles.hpp"

#include <mutex>
#include <string>

#include "network_stream.hpp"

namespace gitmoor::engine {

void ensure_libgit2() {
  static std::once_flag once;
  std::call_once(once, [] {
    git_libgit2_init();
    register_network_stream();
    // A mirror is a cache that is re-cloned when damaged: fsync on every ref update would only slow polls.
    git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 0);
  });
}

std::string last_git_error(int code) {
  const git_error* error = git_error_last();
  if (error != nullptr && error->message != nullptr) return error->message;
  return "libgit2 error " + std::to_string(code);
}

}  // namespace gitmoor::engine

// LeakSanitizer builds (GITMOOR_SANITIZE): Debian's libgit2 1.5 leaves pcre2 match frames and its per-thread error
// state allocated, and libssh2 1.10 a small buffer per failed authentication; those are the libraries', not ours,
// and would otherwise fail every sanitized run using Git.
extern "C" const char* __lsan_default_suppressions() { return "leak:libgit2.so\nleak:libpcre2-8.so\nleak:libssh2.so\n"; }
