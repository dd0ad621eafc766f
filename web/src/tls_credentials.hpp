#pragma once
// The server's certificate and key (--tls-cert/--tls-key), reloaded when the files change: cert-manager or an
// operator replaces them in place and new connections get the new pair, with no restart. A bad new pair (half
// written, mismatched, unreadable) keeps the old one in use and logs the error naming the file, once per change.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/ssl/context.hpp>

namespace gitmoor::web {

class TlsCredentials {
 public:
  // Loads the pair; throws core::InvalidInput naming the file that cannot be used.
  TlsCredentials(std::filesystem::path cert, std::filesystem::path key, std::chrono::milliseconds check_interval);

  // The context for a new connection: reloaded first when the files changed since the last look (looked at, at
  // most, every check_interval). Thread-safe. A connection keeps the context it started with.
  std::shared_ptr<boost::asio::ssl::context> current();

 private:
  struct Stamp {
    std::filesystem::file_time_type cert_time{};
    std::filesystem::file_time_type key_time{};
    std::uintmax_t cert_size = 0;
    std::uintmax_t key_size = 0;
    bool operator==(const Stamp&) const = default;
  };
  [[nodiscard]] Stamp stamp() const;
  [[nodiscard]] std::shared_ptr<boost::asio::ssl::context> load() const;

  const std::filesystem::path cert_;
  const std::filesystem::path key_;
  const std::chrono::milliseconds check_interval_;
  std::mutex mutex_;
  std::shared_ptr<boost::asio::ssl::context> context_;
  Stamp tried_;  // the files as last loaded (or last failed to load: not tried again until they change)
  std::chrono::steady_clock::time_point checked_at_{};
};

}  // namespace gitmoor::web
