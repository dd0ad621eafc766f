// See tls_credentials.hpp.
#include "tls_credentials.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "gitmoor/core/error.hpp"
#include "gitmoor/core/logging.hpp"

namespace gitmoor::web {

namespace ssl = boost::asio::ssl;

namespace {

// OpenSSL's queued errors as one line (and the queue emptied for the next caller).
std::string openssl_errors() {
  std::string out;
  while (const unsigned long code = ERR_get_error()) {
    char text[256];
    ERR_error_string_n(code, text, sizeof text);
    out += (out.empty() ? "" : "; ") + std::string(text);
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

}  // namespace

TlsCredentials::TlsCredentials(std::filesystem::path cert, std::filesystem::path key,
                               std::chrono::milliseconds check_interval)
    : cert_(std::move(cert)), key_(std::move(key)), check_interval_(check_interval) {
  tried_ = stamp();
  context_ = load();  // throws: a server that cannot serve TLS at start does not start
  checked_at_ = std::chrono::steady_clock::now();
}

TlsCredentials::Stamp TlsCredentials::stamp() const {
  Stamp out;
  std::error_code ec;
  out.cert_time = std::filesystem::last_write_time(cert_, ec);
  out.cert_size = std::filesystem::file_size(cert_, ec);
  out.key_time = std::filesystem::last_write_time(key_, ec);
  out.key_size = std::filesystem::file_size(key_, ec);
  return out;
}

std::shared_ptr<ssl::context> TlsCredentials::load() const {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
  SSL_CTX* native = context->native_handle();
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(native, cert_.c_str()) != 1) {
    throw core::InvalidInput("TLS certificate " + cert_.string() + ": " + openssl_errors());
  }
  if (SSL_CTX_use_PrivateKey_file(native, key_.c_str(), SSL_FILETYPE_PEM) != 1) {
    const auto errors = openssl_errors();
    if (errors.find("key values mismatch") != std::string::npos) {
      throw core::InvalidInput("TLS key " + key_.string() + " does not match the certificate " + cert_.string());
    }
    throw core::InvalidInput("TLS key " + key_.string() + ": " + errors);
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    throw core::InvalidInput("TLS key " + key_.string() + " does not match the certificate " + cert_.string() + ": " +
                             openssl_errors());
  }
  return context;
}

std::shared_ptr<ssl::context> TlsCredentials::current() {
  std::lock_guard lock(mutex_);
  const auto now = std::chrono::steady_clock::now();
  if (now - checked_at_ < check_interval_) return context_;
  checked_at_ = now;
  const auto seen = stamp();
  if (seen == tried_) return context_;
  tried_ = seen;  // a bad pair is reported once, then again only after the files change again
  try {
    context_ = load();
    core::logger("web")->info("TLS certificate {} and key {} reloaded", cert_.string(), key_.string());
  } catch (const std::exception& e) {
    core::logger("web")->error("{}; still serving the previous certificate", e.what());
  }
  return context_;
}

}  // namespace gitmoor::web
