#pragma once
// A throwaway certificate authority and a server certificate it signs (IP 127.0.0.1 and the listen host,
// DNS localhost), made with OpenSSL at start-up for `--tls`.
#include <string>

namespace gitmoor::sandbox {

struct TlsMaterial {
  std::string ca_pem;
  std::string cert_pem;  // server certificate
  std::string key_pem;   // server private key
};

// Throws core::EnvironmentError when OpenSSL fails.
TlsMaterial generate_tls(const std::string& host);

}  // namespace gitmoor::sandbox
