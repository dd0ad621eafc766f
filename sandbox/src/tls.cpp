#include "tls.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "gitmoor/core/error.hpp"

namespace gitmoor::sandbox {

namespace {

struct Deleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};
template <class T>
using Ptr = std::unique_ptr<T, Deleter>;

void check(bool ok, const char* what) {
  if (!ok) throw core::EnvironmentError(std::string("sandbox: TLS set-up failed: ") + what);
}

Ptr<EVP_PKEY> make_key() {
  Ptr<EVP_PKEY> key(EVP_EC_gen("P-256"));
  check(key != nullptr, "generating a key");
  return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  Ptr<X509_EXTENSION> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  check(ext != nullptr, "making a certificate extension");
  check(X509_add_ext(cert, ext.get(), -1) == 1, "adding a certificate extension");
}

enum class Usage { Ca, Server, Client };

Ptr<X509> make_cert(EVP_PKEY* key, const char* common_name, X509* issuer, EVP_PKEY* issuer_key, Usage usage,
                    const std::string& san, const std::vector<std::string>& organizations = {}) {
  Ptr<X509> cert(X509_new());
  check(cert != nullptr, "allocating a certificate");
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * 365);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  for (const auto& o : organizations) {
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(o.c_str()), -1, -1,
                               0);
  }
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(common_name), -1, -1,
                             0);
  X509* signer = issuer ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  if (usage == Usage::Ca) {
    add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE");
    add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
    add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
  } else {
    add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
    add_extension(cert.get(), signer, NID_key_usage, "critical,digitalSignature,keyEncipherment");
    add_extension(cert.get(), signer, NID_ext_key_usage, usage == Usage::Server ? "serverAuth" : "clientAuth");
    if (!san.empty()) add_extension(cert.get(), signer, NID_subject_alt_name, san.c_str());
  }
  check(X509_sign(cert.get(), issuer_key, EVP_sha256()) > 0, "signing a certificate");
  return cert;
}

std::string pem_of(X509* cert) {
  Ptr<BIO> bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_X509(bio.get(), cert) == 1, "encoding a certificate");
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::string pem_of(EVP_PKEY* key) {
  Ptr<BIO> bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1, "encoding a key");
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

Ptr<X509> read_cert(const std::string& pem) {
  Ptr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  check(bio != nullptr, "reading a certificate");
  Ptr<X509> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  check(cert != nullptr, "reading the client CA certificate");
  return cert;
}

Ptr<EVP_PKEY> read_key(const std::string& pem) {
  Ptr<BIO> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  check(bio != nullptr, "reading a key");
  Ptr<EVP_PKEY> key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  check(key != nullptr, "reading the client CA key");
  return key;
}

std::vector<std::string> name_entries(X509_NAME* name, int nid) {
  std::vector<std::string> out;
  for (int i = X509_NAME_get_index_by_NID(name, nid, -1); i >= 0; i = X509_NAME_get_index_by_NID(name, nid, i)) {
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    unsigned char* utf8 = nullptr;
    int n = ASN1_STRING_to_UTF8(&utf8, data);
    if (n >= 0) out.emplace_back(reinterpret_cast<char*>(utf8), static_cast<std::size_t>(n));
    OPENSSL_free(utf8);
  }
  return out;
}

}  // namespace

CertificateAuthority generate_client_ca() {
  auto key = make_key();
  auto cert = make_cert(key.get(), "gitmoor-sandbox-client-ca", nullptr, key.get(), Usage::Ca, "");
  return {pem_of(cert.get()), pem_of(key.get())};
}

ClientCertificate issue_client_certificate(const CertificateAuthority& ca, const std::string& user,
                                           const std::vector<std::string>& groups) {
  auto ca_cert = read_cert(ca.cert_pem);
  auto ca_key = read_key(ca.key_pem);
  auto key = make_key();
  auto cert = make_cert(key.get(), user.c_str(), ca_cert.get(), ca_key.get(), Usage::Client, "", groups);
  return {pem_of(cert.get()), pem_of(key.get())};
}

std::optional<ClientIdentity> verified_client(SSL* ssl) {
  Ptr<X509> peer(SSL_get1_peer_certificate(ssl));
  if (!peer || SSL_get_verify_result(ssl) != X509_V_OK) return std::nullopt;
  X509_NAME* subject = X509_get_subject_name(peer.get());
  auto names = name_entries(subject, NID_commonName);
  if (names.empty() || names.front().empty()) return std::nullopt;  // kube: a certificate without CN is no user
  return ClientIdentity{names.front(), name_entries(subject, NID_organizationName)};
}

TlsMaterial generate_tls(const std::string& host) {
  auto ca_key = make_key();
  auto ca = make_cert(ca_key.get(), "gitmoor-sandbox-ca", nullptr, ca_key.get(), Usage::Ca, "");
  auto key = make_key();
  std::string san = "DNS:localhost,IP:127.0.0.1";
  if (!host.empty() && host != "127.0.0.1" && host != "0.0.0.0" && host != "::") {
    bool ip = host.find_first_not_of("0123456789.:") == std::string::npos;
    san += (ip ? ",IP:" : ",DNS:") + host;
  }
  auto cert = make_cert(key.get(), "gitmoor-sandbox", ca.get(), ca_key.get(), Usage::Server, san);
  return {pem_of(ca.get()), pem_of(cert.get()), pem_of(key.get())};
}

}  // namespace gitmoor::sandbox
