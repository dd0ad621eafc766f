#pragma once
// Exec credential plugins (client.authentication.k8s.io/v1): run the command, read an ExecCredential, keep its
// token or client certificate until it expires.
#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "gitmoor/applier/kubeconfig.hpp"

namespace gitmoor::applier {

struct ExecCredential {
  std::string token;
  std::string client_cert_pem;
  std::string client_key_pem;
  std::optional<std::chrono::system_clock::time_point> expires;  // none: valid until the server refuses it
};

class ExecCredentialCache {
 public:
  explicit ExecCredentialCache(ExecConfig config) : config_(std::move(config)) {}
  // The cached credential, or a fresh one when none is cached, it has expired, or `refresh` (after a 401).
  ExecCredential get(bool refresh = false);
  [[nodiscard]] int runs() const;  // how many times the plugin ran (tests prove the cache)

 private:
  ExecCredential run();
  ExecConfig config_;
  mutable std::mutex mutex_;
  std::optional<ExecCredential> cached_;
  int runs_ = 0;
};

// Parses a plugin's stdout; throws KubeconfigError naming the command when it is not an ExecCredential.
ExecCredential parse_exec_credential(const std::string& text, const std::string& command);

}  // namespace gitmoor::applier
