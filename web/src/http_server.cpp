// Boost.Beast's C++20 coroutine server shape: do_listen accepts and spawns one do_session per connection (each on
// its own strand); a session loops expires_after → async_read → handle_request → async_write while the client
// keeps the connection alive.
#include "gitmoor/web/http_server.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "api_routes.hpp"
#include "gitmoor/core/error.hpp"
#include "gitmoor/core/logging.hpp"
#include "responses.hpp"

namespace gitmoor::web {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// One client connection. `idle` (touched only on the connection's strand) says the session is waiting for a
// request, so stop() may cancel it without cutting a response short.
struct Connection {
  explicit Connection(tcp::socket socket) : stream(std::move(socket)) {}
  beast::tcp_stream stream;
  bool idle = true;
};

bool is_parse_error(const boost::system::error_code& ec) {
  return ec.category() == beast::http::make_error_code(http::error::bad_target).category() &&
         ec != http::error::end_of_stream;
}

}  // namespace

struct HttpServer::Impl {
  Impl(ApiServices services, HttpServerOptions opts)
      : api(std::move(services)), options(std::move(opts)), listen_strand(asio::make_strand(ioc)) {}

  asio::awaitable<void> do_listen();
  asio::awaitable<void> do_session(std::shared_ptr<Connection> connection);

  Api api;
  HttpServerOptions options;
  asio::io_context ioc;
  asio::strand<asio::io_context::executor_type> listen_strand;
  std::optional<tcp::acceptor> acceptor;
  std::uint16_t port = 0;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};

  std::mutex connections_mutex;
  std::set<std::shared_ptr<Connection>> connections;
};

asio::awaitable<void> HttpServer::Impl::do_listen() {
  auto log = core::logger("web");
  while (!stopping) {
    tcp::socket socket(ioc);
    try {
      socket = co_await acceptor->async_accept(asio::make_strand(ioc), asio::use_awaitable);
    } catch (const boost::system::system_error& e) {
      if (stopping || e.code() == asio::error::operation_aborted) break;
      log->warn("http {}: accept failed: {}", port, e.what());  // e.g. out of file descriptors; keep serving
      continue;
    }
    socket.set_option(tcp::no_delay(true));
    auto connection = std::make_shared<Connection>(std::move(socket));
    {
      std::lock_guard lock(connections_mutex);
      connections.insert(connection);
    }
    asio::co_spawn(connection->stream.get_executor(), do_session(connection), asio::detached);
  }
}

asio::awaitable<void> HttpServer::Impl::do_session(std::shared_ptr<Connection> connection) {
  auto log = core::logger("web");
  auto& stream = connection->stream;
  beast::flat_buffer buffer;
  while (!stopping) {
    Request request;
    boost::system::error_code read_error;
    connection->idle = true;
    stream.expires_after(options.timeout);
    try {
      co_await http::async_read(stream, buffer, request, asio::use_awaitable);
    } catch (const boost::system::system_error& e) {
      read_error = e.code();
    }
    connection->idle = false;
    std::optional<Response> response;
    if (read_error) {
      if (!is_parse_error(read_error)) break;  // closed by the client, timed out, or cancelled by stop()
      // A malformed request: say so, then close (where the next request would start is unknown).
      response.emplace(http::status::bad_request, 11);
      response->set(http::field::server, "gitmoor");
      response->set(http::field::content_type, "application/json");
      response->body() = core::Json{{"error", "malformed HTTP request: " + read_error.message()}}.dump();
      response->keep_alive(false);
      response->prepare_payload();
    } else {
      ConnectionInfo info;
      boost::system::error_code peer_error;
      const auto peer = stream.socket().remote_endpoint(peer_error);
      if (!peer_error) info.peer_address = peer.address().to_string();
      auto reply = api.handle(request, info);
      if (reply.stream) {  // TODO(streams): the server does not stream yet
        reply = error_response(request, http::status::not_implemented, "streamed responses are not served yet");
      }
      response = std::move(reply.response);
      if (response->result() == http::status::internal_server_error) {
        log->warn("{} {}: {}", std::string(request.method_string()), std::string(request.target()), response->body());
      }
    }
    const bool keep_alive = response->keep_alive();
    boost::system::error_code write_error;
    try {
      co_await http::async_write(stream, *response, asio::use_awaitable);
    } catch (const boost::system::system_error& e) {
      write_error = e.code();
    }
    if (write_error || !keep_alive) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.socket().close(ignored);
  std::lock_guard lock(connections_mutex);
  connections.erase(connection);
}

HttpServer::HttpServer(engine::Operations& operations, HttpServerOptions options)
    : HttpServer(ApiServices{operations, nullptr}, std::move(options)) {}

HttpServer::HttpServer(ApiServices services, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(services), std::move(options))) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() {
  if (impl_->acceptor) return;
  const auto where = impl_->options.address + ":" + std::to_string(impl_->options.port);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(impl_->options.address, ec);
  if (ec) throw core::InvalidInput("http server: invalid listen address " + impl_->options.address);
  const tcp::endpoint endpoint(address, impl_->options.port);
  tcp::acceptor acceptor(impl_->ioc);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw core::EnvironmentError("http server: cannot listen on " + where + ": " + ec.message());
  impl_->port = acceptor.local_endpoint().port();
  impl_->acceptor.emplace(std::move(acceptor));
  asio::co_spawn(impl_->listen_strand, impl_->do_listen(), asio::detached);
  const int threads = std::max(1, impl_->options.threads);
  for (int i = 0; i < threads; ++i) {
    impl_->threads.emplace_back([this] {
      // Handlers catch their own errors; this only keeps a bug in one connection from ending the server.
      while (true) {
        try {
          impl_->ioc.run();
          return;
        } catch (const std::exception& e) {
          core::logger("web")->error("http server: {}", e.what());
        }
      }
    });
  }
  core::logger("web")->info("http server listening on {}", url());
}

void HttpServer::stop() {
  if (!impl_->acceptor || impl_->stopping.exchange(true)) return;
  asio::post(impl_->listen_strand, [impl = impl_.get()] {
    boost::system::error_code ignored;
    impl->acceptor->close(ignored);
  });
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(impl_->connections_mutex);
    open.assign(impl_->connections.begin(), impl_->connections.end());
  }
  for (auto& connection : open) {
    // On the connection's strand: a session waiting for a request is cancelled; one handling or writing a
    // request finishes it and then sees `stopping`.
    asio::post(connection->stream.get_executor(), [connection] {
      if (connection->idle) connection->stream.cancel();
    });
  }
  for (auto& thread : impl_->threads) thread.join();
  impl_->threads.clear();
}

std::uint16_t HttpServer::port() const { return impl_->port; }

std::string HttpServer::url() const {
  const bool v6 = impl_->options.address.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + impl_->options.address + "]" : impl_->options.address) + ":" +
         std::to_string(impl_->port);
}

}  // namespace gitmoor::web
