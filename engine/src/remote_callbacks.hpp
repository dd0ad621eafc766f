#pragma once
// The libgit2 callbacks of one remote operation: credentials from the Repository (offered once: a rejected
// password is not retried in a loop), SSH host keys checked against known_hosts, TLS certificates
// also against the repository's own CA file, and the overall deadline.
#include <chrono>
#include <string>

#include <git2.h>

#include "git_failure.hpp"
#include "gitmoor/engine/repository.hpp"

namespace gitmoor::engine {

class RemoteCallbacks {
 public:
  RemoteCallbacks(const Repository& repository, std::chrono::steady_clock::time_point deadline)
      : repository_(repository), deadline_(deadline) {}

  // Callbacks whose payload is this object; it must outlive the operation.
  [[nodiscard]] git_remote_callbacks callbacks();
  [[nodiscard]] const AuthAttempts& auth() const { return auth_; }

 private:
  static int on_credentials(git_credential** out, const char* url, const char* username_from_url,
                            unsigned int allowed_types, void* payload);
  static int on_certificate(git_cert* cert, int valid, const char* host, void* payload);
  int check_tls_certificate(git_cert* cert, bool valid, const std::string& host);
  static int on_transfer(const git_indexer_progress* stats, void* payload);
  static int on_sideband(const char* text, int length, void* payload);

  const Repository& repository_;
  std::chrono::steady_clock::time_point deadline_;
  AuthAttempts auth_;
};

}  // namespace gitmoor::engine
