#pragma once
// Failures of the Git source, by kind, so a status condition can say which (and a retry policy can tell a wrong
// password from a flaky network). Messages carry the repository URL with any credential removed; never a secret.
#include <string>
#include <string_view>

#include "gitmoor/core/error.hpp"

namespace gitmoor::engine {

enum class GitErrorKind {
  AuthenticationFailed,  // the server rejected (or demanded) credentials; a host key that does not match
  RepositoryNotFound,    // no repository at that URL (or not exported / not visible to these credentials)
  RevisionNotFound,      // the repository has no branch, tag or commit by that name
  NetworkUnreachable,    // name resolution, connection refused, no route
  Timeout,               // a connect, a read or a whole operation took longer than configured
  CacheFailure,          // the local mirror or a checkout could not be written
  Other,
};

[[nodiscard]] std::string_view to_string(GitErrorKind kind);

class GitError : public core::EnvironmentError {
 public:
  GitError(GitErrorKind kind, const std::string& message) : core::EnvironmentError(message), kind_(kind) {}
  [[nodiscard]] GitErrorKind kind() const { return kind_; }

 private:
  GitErrorKind kind_;
};

// `https://user:token@host/x` → `https://***@host/x`; also scp-style and ssh URLs keep only the user name.
[[nodiscard]] std::string redact_url(std::string_view url);
// `https://user:token@host/x` → `https://host/x`: the URL with no user information at all, for places that show it
// to anyone (metric labels). scp-style `git@host:path` stays: its user is no secret.
[[nodiscard]] std::string url_without_userinfo(std::string_view url);

}  // namespace gitmoor::engine
