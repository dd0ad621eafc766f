#pragma once
// Turning a failed libgit2 call into a GitError of the right kind, with every secret removed from the message.
#include <string>

#include "gitmoor/engine/git_error.hpp"
#include "gitmoor/engine/repository.hpp"

namespace gitmoor::engine {

// What the credential callback saw during the failed call.
struct AuthAttempts {
  int offered = 0;    // credentials handed to libgit2
  bool missing = false;  // the server wanted credentials the repository does not have
  // The server's identity was refused: an SSH host key not in known_hosts, or a TLS certificate not trusted.
  bool host_key_rejected = false;
  std::string host_key_detail;
};

// `step` names what failed (`ls-remote`, `fetch`). Never returns.
[[noreturn]] void throw_git_failure(int code, const std::string& step, const Repository& repository,
                                    const AuthAttempts& auth);

// Throws the GitError of credentials.unsupported (a TLS client certificate asked for), before any connection.
void check_credentials_supported(const std::string& step, const Repository& repository);

// Removes the repository's password, token and passphrase (and URL user info) from a message.
[[nodiscard]] std::string scrub_secrets(std::string message, const Repository& repository);

}  // namespace gitmoor::engine
