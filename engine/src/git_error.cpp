#include "gitmoor/engine/git_error.hpp"

namespace gitmoor::engine {

std::string_view to_string(GitErrorKind kind) {
  switch (kind) {
    case GitErrorKind::AuthenticationFailed: return "authentication failed";
    case GitErrorKind::RepositoryNotFound: return "repository not found";
    case GitErrorKind::RevisionNotFound: return "revision not found";
    case GitErrorKind::NetworkUnreachable: return "network unreachable";
    case GitErrorKind::Timeout: return "timeout";
    case GitErrorKind::CacheFailure: return "cache failure";
    case GitErrorKind::Other: return "git error";
  }
  return "git error";
}

std::string redact_url(std::string_view url) {
  std::string out(url);
  const auto scheme = out.find("://");
  if (scheme == std::string::npos) return out;  // scp-style user@host:path holds no secret
  const auto authority = scheme + 3;
  const auto path = out.find('/', authority);
  const auto at = out.rfind('@', path == std::string::npos ? std::string::npos : path);
  if (at == std::string::npos || at < authority) return out;
  const std::string userinfo = out.substr(authority, at - authority);
  const auto colon = userinfo.find(':');
  // ssh://git@host keeps its user (not a secret); anything with a password or token goes.
  if (colon == std::string::npos && out.compare(0, scheme, "ssh") == 0) return out;
  return out.substr(0, authority) + "***" + out.substr(at);
}

std::string url_without_userinfo(std::string_view url) {
  std::string out(url);
  const auto scheme = out.find("://");
  if (scheme == std::string::npos) return out;
  const auto authority = scheme + 3;
  const auto path = out.find('/', authority);
  const auto at = out.rfind('@', path == std::string::npos ? std::string::npos : path);
  if (at == std::string::npos || at < authority) return out;
  return out.substr(0, authority) + out.substr(at + 1);
}

}  // namespace gitmoor::engine
