#pragma once
// The HTTP/1.1 front of the sandbox (plain or TLS): one thread per connection reading requests with Beast's
// parser, handing them to ApiServer::handle, writing each response in one buffer (TCP_NODELAY too) and watch
// streams as chunked bodies. A reaper thread shuts down connections that overrun their deadline, so every request
// is bounded in time; the parser bounds it in size (headers 64 KiB, body 3 MiB → 413).
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gitmoor/sandbox/api_server.hpp"

namespace gitmoor::sandbox {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::string cert_pem;  // TLS when set
  std::string key_pem;
  // TLS: CAs whose client certificates authenticate; a verified certificate's CN and O become Request::user and
  // Request::groups. A client without a certificate still connects (it may send a token); one whose certificate
  // does not verify connects too and is refused with 401 by the API, as kube-apiserver does.
  std::vector<std::string> client_ca_pems;
  std::size_t max_connections = 1024;
  std::chrono::seconds idle_timeout{120};
  std::chrono::seconds request_timeout{60};  // reading one request, or writing one response
};

inline constexpr std::size_t kMaxBodyBytes = 3u << 20;
inline constexpr std::size_t kMaxHeaderBytes = 64u << 10;

class HttpServer {
 public:
  // Binds and starts accepting; throws core::EnvironmentError when it cannot bind.
  HttpServer(ApiServer& api, ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  [[nodiscard]] std::uint16_t port() const;
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace gitmoor::sandbox
