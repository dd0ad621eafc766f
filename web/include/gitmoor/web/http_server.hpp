#pragma once
// The engine's HTTP endpoints (Boost.Beast on one Asio io_context): /healthz, /readyz and the REST API under
// /api/v1/applications, served from an engine::Operations. The handlers only read snapshots or enqueue work, so
// nothing blocks the io_context.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "gitmoor/engine/operations.hpp"
#include "gitmoor/web/api_services.hpp"

namespace gitmoor::web {

// The server-sent event streams (/api/v1/stream/...).
struct EventStreamOptions {
  std::chrono::milliseconds keepalive{std::chrono::seconds(15)};  // a ": keep-alive" comment this often
  // Changes come from engine::Operations::watch_applications; the Applications are also listed again this often, so
  // that an engine that does not say (or a missed change) still reaches the clients.
  std::chrono::milliseconds resync{std::chrono::seconds(30)};
  // Resource trees change with their Pods, which the engine does not report: a watched tree is recomputed this often.
  std::chrono::milliseconds tree_interval{std::chrono::seconds(5)};
};

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port (see HttpServer::port())
  int threads = 1;         // threads running the io_context (they only move bytes)
  // Threads running the route handlers, which may block: a refresh waiting for its compare, a login's scrypt, a read
  // of events or logs from the API server. A slow handler then never stalls the other connections.
  int handler_threads = 8;
  // A connection idle this long, or a request (or response) taking longer, is closed. A streamed response is not
  // limited, but one write that makes no progress this long drops the client.
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};

  // Limits: every request, connection and stream is bounded, so no client can make the server grow without limit.
  std::uint64_t max_body_bytes = 1024 * 1024;  // 413 past it
  // A larger (or smaller) cap for the requests to one path, e.g. {"/api/webhook", <--webhook-max-payload>}.
  std::map<std::string, std::uint64_t> body_limits;
  std::uint32_t max_header_bytes = 16 * 1024;  // request line and headers; 431 past it
  std::size_t max_connections = 1024;          // more are answered 503 and closed; the server keeps serving
  // What a streamed response (SSE, followed logs) may queue for one client that reads slower than it is fed; past
  // it the client is disconnected.
  std::size_t stream_buffer_bytes = 256 * 1024;

  // TLS: both set, or neither (plain HTTP). The files are checked for changes (mtime, size) on new connections, at
  // most every tls_check_interval; a changed pair is loaded for the connections after it; a bad new pair keeps the
  // old one and logs the error naming the file.
  std::filesystem::path tls_cert;
  std::filesystem::path tls_key;
  std::chrono::milliseconds tls_check_interval{std::chrono::seconds(2)};

  EventStreamOptions streams;
};

class HttpServer {
 public:
  // `operations` must outlive the server.
  HttpServer(engine::Operations& operations, HttpServerOptions options = {});
  // What the services point to must outlive the server.
  HttpServer(ApiServices services, HttpServerOptions options);
  ~HttpServer();  // stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving; throws core::EnvironmentError naming the address when it cannot bind, and
  // core::InvalidInput naming the file when the TLS certificate or key cannot be loaded.
  void start();
  // Stops accepting, lets responses being written finish, closes idle connections, ends streamed responses, joins
  // the threads. Idempotent.
  void stop();

  [[nodiscard]] std::uint16_t port() const;  // the bound port, after start()
  [[nodiscard]] std::string url() const;     // http(s)://<address>:<port>

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace gitmoor::web
