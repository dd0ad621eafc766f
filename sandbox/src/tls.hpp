#pragma once
// A throwaway certificate authority and a server certificate it signs (IP 127.0.0.1 and the listen host,
// DNS localhost), made with OpenSSL at start-up for `--tls`; and for client-certificate authentication, a client
// CA, client certificates it issues (user in CN, groups in O, as kube reads them) and the identity a verified peer
// certificate carries.
#include <optional>
#include <string>
#include <vector>

#include "gitmoor/sandbox/sandbox.hpp"

typedef struct ssl_st SSL;

namespace gitmoor::sandbox {

struct TlsMaterial {
  std::string ca_pem;
  std::string cert_pem;  // server certificate
  std::string key_pem;   // server private key
};

// Throws core::EnvironmentError when OpenSSL fails.
TlsMaterial generate_tls(const std::string& host);

struct CertificateAuthority {
  std::string cert_pem;
  std::string key_pem;
};

CertificateAuthority generate_client_ca();
// A client certificate (extended key usage clientAuth) for `user` in `groups`, signed by `ca`.
ClientCertificate issue_client_certificate(const CertificateAuthority& ca, const std::string& user,
                                           const std::vector<std::string>& groups);

struct ClientIdentity {
  std::string user;                 // the subject's CN
  std::vector<std::string> groups;  // the subject's O entries
};
// The identity of the peer's certificate after a handshake, when it verified against the client CAs; nullopt when
// the peer sent none or it did not verify.
std::optional<ClientIdentity> verified_client(SSL* ssl);

}  // namespace gitmoor::sandbox
