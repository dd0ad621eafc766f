#include "git_failure.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "git_handles.hpp"
#include "network_stream.hpp"

namespace gitmoor::engine {

namespace {

bool contains(const std::string& haystack, std::string_view needle) {
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(),
                        [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
  return it != haystack.end();
}

void replace_all(std::string& text, const std::string& what, std::string_view with) {
  if (what.empty()) return;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + with.size())) {
    text.replace(pos, what.size(), with);
  }
}

GitErrorKind classify(int code, const std::string& message, const AuthAttempts& auth) {
  const NetworkOutcome& network = network_outcome();
  if (network.timed_out) return GitErrorKind::Timeout;
  if (auth.host_key_rejected || code == GIT_EAUTH || code == GIT_ECERTIFICATE || auth.missing ||
      auth.offered > 1 || contains(message, "authentication") || contains(message, "failed to authenticate") ||
      contains(message, "status code: 401") ||
      contains(message, "status code: 403")) {
    return GitErrorKind::AuthenticationFailed;
  }
  if (network.unreachable) return GitErrorKind::NetworkUnreachable;
  static constexpr std::array<std::string_view, 9> kNotFound{"status code: 404", "not found",
                                                             "could not find repository",
                                        "access denied or repository not exported", "not appear to be a git",
                                        "failed to resolve path", "repository not found", "no such repository",
                                        "no such file"};
  for (auto needle : kNotFound) {
    if (contains(message, needle)) return GitErrorKind::RepositoryNotFound;
  }
  static constexpr std::array<std::string_view, 8> kNetwork{"failed to connect", "connection refused",
                                                            "could not resolve",
                                       "network is unreachable", "no route to host", "failed to resolve address",
                                       "early eof", "connection reset"};
  for (auto needle : kNetwork) {
    if (contains(message, needle)) return GitErrorKind::NetworkUnreachable;
  }
  if (code == GIT_ENOTFOUND) return GitErrorKind::RepositoryNotFound;
  return GitErrorKind::Other;
}

}  // namespace

std::string scrub_secrets(std::string message, const Repository& repository) {
  const RepositoryCredentials& c = repository.credentials;
  replace_all(message, repository.url, redact_url(repository.url));
  // Secrets of a few characters would garble every message they happen to occur in; real ones are longer.
  for (const std::string* secret : {&c.password, &c.ssh_passphrase}) {
    if (secret->size() >= 4) replace_all(message, *secret, "***");
  }
  return message;
}

void check_credentials_supported(const std::string& step, const Repository& repository) {
  const std::string& unsupported = repository.credentials.unsupported;
  if (unsupported.empty()) return;
  const auto kind = GitErrorKind::AuthenticationFailed;
  throw GitError(kind, scrub_secrets(redact_url(repository.url) + ": " + step + ": " + std::string(to_string(kind)) +
                                         " (" + unsupported + ")",
                                     repository));
}

void throw_git_failure(int code, const std::string& step, const Repository& repository, const AuthAttempts& auth) {
  std::string detail = last_git_error(code);
  if (network_outcome().timed_out && !network_outcome().detail.empty()) detail = network_outcome().detail;
  if (auth.host_key_rejected) detail = auth.host_key_detail;
  const GitErrorKind kind = classify(code, detail, auth);
  std::string message = redact_url(repository.url) + ": " + step + ": " + std::string(to_string(kind));
  if (kind == GitErrorKind::AuthenticationFailed && auth.missing) {
    detail = "the server requires credentials and none are configured for this repository";
  } else if (kind == GitErrorKind::AuthenticationFailed && contains(detail, "private key file")) {
    // libssh2 could not load the key (a wrong passphrase, an unknown format): nothing reached the server.
    detail = "the configured SSH private key cannot be used (" + detail + ")";
  } else if (kind == GitErrorKind::AuthenticationFailed && auth.offered > 0 && !auth.host_key_rejected) {
    const auto& source = repository.credentials.source;
    detail = "the server rejected the configured credentials" + (source.empty() ? "" : " from " + source) + " (" +
             detail + ")";
  }
  message += " (" + detail + ")";
  throw GitError(kind, scrub_secrets(std::move(message), repository));
}

}  // namespace gitmoor::engine
