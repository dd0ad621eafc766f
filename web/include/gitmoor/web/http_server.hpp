#pragma once
// The engine's HTTP endpoints (Boost.Beast on one Asio io_context): /healthz, /readyz and the REST API under
// /api/v1/applications, served from an engine::Operations. The handlers only read snapshots or enqueue work, so
// nothing blocks the io_context.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "gitmoor/engine/operations.hpp"
#include "gitmoor/web/api_services.hpp"

namespace gitmoor::web {

struct HttpServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port (see HttpServer::port())
  int threads = 1;         // threads running the io_context
  // A connection idle this long, or a request (or response) taking longer, is closed.
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
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

  // Binds and starts serving; throws core::EnvironmentError naming the address when it cannot bind.
  void start();
  // Stops accepting, lets responses being written finish, closes idle connections, joins the threads. Idempotent.
  void stop();

  [[nodiscard]] std::uint16_t port() const;  // the bound port, after start()
  [[nodiscard]] std::string url() const;     // http://<address>:<port>

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace gitmoor::web
