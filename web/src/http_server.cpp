// Boost.Beast's C++20 coroutine server shape: do_listen accepts and spawns one do_session per connection (each on
// its own strand); a session (after a TLS handshake, under --tls-cert) loops expires_after → read (header, then a
// body within its cap) → handle_request → write while the client keeps the connection alive. A streamed reply
// (server-sent events) ends that loop: its head is written, then whatever the producer pushes, until the producer
// closes, the client goes, or the server stops.
#include "gitmoor/web/http_server.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "api_routes.hpp"
#include "gitmoor/core/error.hpp"
#include "gitmoor/core/logging.hpp"
#include "request_target.hpp"
#include "responses.hpp"
#include "stream_sink.hpp"
#include "tls_credentials.hpp"

namespace gitmoor::web {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// One client connection, plain or TLS. Everything here is touched only on the connection's strand, except `sink`
// (thread-safe) which a producer feeds from its own thread.
struct Connection {
  Connection(tcp::socket socket, std::shared_ptr<asio::ssl::context> context) : tls_context(std::move(context)) {
    if (tls_context) {
      secure.emplace(beast::tcp_stream(std::move(socket)), *tls_context);
    } else {
      plain.emplace(std::move(socket));
    }
  }
  beast::tcp_stream& transport() { return secure ? beast::get_lowest_layer(*secure) : *plain; }

  std::shared_ptr<asio::ssl::context> tls_context;  // kept alive for the stream that uses it
  std::optional<beast::tcp_stream> plain;
  std::optional<TlsStream> secure;
  // The session waits for a request: stop() may cancel it without cutting a response short.
  bool idle = true;
  // While a streamed reply is written: its queue, and the timer the writer sleeps on until the sink wakes it.
  std::shared_ptr<BoundedStreamSink> sink;
  std::optional<asio::steady_timer> wakeup;
};

bool is_parse_error(const boost::system::error_code& ec) {
  return ec.category() == beast::http::make_error_code(http::error::bad_target).category() &&
         ec != http::error::end_of_stream;
}

// An answer to a request that could not be read (its head only, or nothing of it): said once, then the connection
// closes, since where the next request would start is unknown.
Response unreadable_request_response(const Request* head, http::status status, const std::string& message) {
  Request fallback{http::verb::get, "/", 11};
  auto response = error_response(head ? *head : fallback, status, message);
  response.keep_alive(false);
  return response;
}

// A streaming connection's only read: it ends when the client closes (or sends something, which a stream does not
// expect; it is discarded), and then fails the sink so the writer stops.
template <class Stream>
asio::awaitable<void> watch_for_close(Stream& stream, std::shared_ptr<Connection> connection,
                                      std::shared_ptr<BoundedStreamSink> sink) {
  char scratch[512];
  try {
    for (;;) co_await stream.async_read_some(asio::buffer(scratch), asio::use_awaitable);
  } catch (const boost::system::system_error&) {
  }
  sink->fail();
  (void)connection;  // kept alive until the read ends
}

// After refusing a request whose body was not read (413, 431): stop sending, then read and discard what the client
// is still sending for a moment, so that closing does not reset the connection before it has read the answer.
asio::awaitable<void> drain(beast::tcp_stream& stream) {
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.expires_after(std::chrono::seconds(1));
  std::size_t drained = 0;
  char scratch[16 * 1024];
  try {
    while (drained < 4 * 1024 * 1024) drained += co_await stream.async_read_some(asio::buffer(scratch), asio::use_awaitable);
  } catch (const boost::system::system_error&) {
  }
}

}  // namespace

struct HttpServer::Impl {
  Impl(ApiServices services, HttpServerOptions opts)
      : options(std::move(opts)),
        api(std::move(services), options.streams),
        handlers(static_cast<std::size_t>(std::max(1, options.handler_threads))),
        listen_strand(asio::make_strand(ioc)) {}

  asio::awaitable<void> do_listen();
  asio::awaitable<void> do_session(std::shared_ptr<Connection> connection);
  template <class Stream>
  asio::awaitable<void> serve_requests(Stream& stream, std::shared_ptr<Connection> connection, bool tls);
  template <class Stream>
  asio::awaitable<void> write_stream(Stream& stream, std::shared_ptr<Connection> connection, Response head,
                                     std::shared_ptr<StreamProducer> producer);
  [[nodiscard]] std::uint64_t body_limit(const std::string& path) const;
  [[nodiscard]] std::uint64_t largest_body_limit() const;
  void refuse(tcp::socket& socket);

  HttpServerOptions options;
  Api api;
  std::unique_ptr<TlsCredentials> tls;
  asio::thread_pool handlers;  // runs api.handle (see HttpServerOptions::handler_threads)
  asio::io_context ioc;
  asio::strand<asio::io_context::executor_type> listen_strand;
  std::optional<tcp::acceptor> acceptor;
  std::uint16_t port = 0;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};

  std::mutex connections_mutex;
  std::set<std::shared_ptr<Connection>> connections;
};

std::uint64_t HttpServer::Impl::body_limit(const std::string& path) const {
  auto it = options.body_limits.find(path);
  return it == options.body_limits.end() ? options.max_body_bytes : it->second;
}

std::uint64_t HttpServer::Impl::largest_body_limit() const {
  std::uint64_t largest = options.max_body_bytes;
  for (const auto& [path, limit] : options.body_limits) largest = std::max(largest, limit);
  return largest;
}

// Over the connection cap: a short 503 written without waiting (it fits the socket's buffer; a client that does not
// read just misses it), then closed. The server never queues work for a connection it refused.
void HttpServer::Impl::refuse(tcp::socket& socket) {
  static const std::string answer = [] {
    const std::string body = core::Json{{"error", "too many connections"}, {"code", 14}, {"message", "too many connections"}}.dump();
    return "HTTP/1.1 503 Service Unavailable\r\nServer: gitmoor\r\nContent-Type: application/json\r\nConnection: "
           "close\r\nRetry-After: 1\r\nContent-Security-Policy: " + std::string(kContentSecurityPolicy) +
           "\r\nX-Content-Type-Options: nosniff\r\nReferrer-Policy: same-origin\r\nX-Frame-Options: DENY"
           "\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
  }();
  boost::system::error_code ignored;
  socket.non_blocking(true, ignored);
  socket.write_some(asio::buffer(answer), ignored);
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

asio::awaitable<void> HttpServer::Impl::do_listen() {
  auto log = core::logger("web");
  auto last_refusal_log = std::chrono::steady_clock::time_point{};
  while (!stopping) {
    tcp::socket socket(ioc);
    try {
      socket = co_await acceptor->async_accept(asio::make_strand(ioc), asio::use_awaitable);
    } catch (const boost::system::system_error& e) {
      if (stopping || e.code() == asio::error::operation_aborted) break;
      log->warn("http {}: accept failed: {}", port, e.what());  // e.g. out of file descriptors; keep serving
      continue;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    std::size_t open = 0;
    {
      std::lock_guard lock(connections_mutex);
      open = connections.size();
    }
    if (open >= options.max_connections) {
      const auto now = std::chrono::steady_clock::now();
      if (now - last_refusal_log > std::chrono::seconds(10)) {  // a flood must not flood the log too
        log->warn("http {}: {} connections open (--max-connections); refusing new ones", port, open);
        last_refusal_log = now;
      }
      refuse(socket);
      continue;
    }
    auto connection = std::make_shared<Connection>(std::move(socket), tls ? tls->current() : nullptr);
    {
      std::lock_guard lock(connections_mutex);
      connections.insert(connection);
    }
    asio::co_spawn(connection->transport().get_executor(), do_session(connection), asio::detached);
  }
}

asio::awaitable<void> HttpServer::Impl::do_session(std::shared_ptr<Connection> connection) {
  if (connection->secure) {
    bool handshaken = false;
    connection->transport().expires_after(options.timeout);
    try {
      co_await connection->secure->async_handshake(asio::ssl::stream_base::server, asio::use_awaitable);
      handshaken = true;
    } catch (const boost::system::system_error& e) {
      // A plain-HTTP client, a scanner, a client that does not trust the certificate: its problem, not the server's.
      core::logger("web")->debug("http {}: TLS handshake failed: {}", port, e.code().message());
    }
    if (handshaken) co_await serve_requests(*connection->secure, connection, true);
  } else {
    co_await serve_requests(*connection->plain, connection, false);
  }
  boost::system::error_code ignored;
  auto& socket = connection->transport().socket();
  socket.shutdown(tcp::socket::shutdown_send, ignored);
  socket.close(ignored);
  std::lock_guard lock(connections_mutex);
  connections.erase(connection);
}

template <class Stream>
asio::awaitable<void> HttpServer::Impl::serve_requests(Stream& stream, std::shared_ptr<Connection> connection,
                                                       bool tls_connection) {
  auto log = core::logger("web");
  beast::flat_buffer buffer;
  while (!stopping) {
    // The parser checks the header size as it reads, and a declared Content-Length against the largest cap at once
    // (the route's own cap is checked when the head is in); a chunked body is counted as it comes.
    http::request_parser<http::string_body> parser;
    parser.header_limit(options.max_header_bytes);
    parser.body_limit(largest_body_limit());
    boost::system::error_code read_error;
    std::optional<Response> response;
    connection->idle = true;
    connection->transport().expires_after(options.timeout);
    try {
      co_await http::async_read_header(stream, buffer, parser, asio::use_awaitable);
    } catch (const boost::system::system_error& e) {
      read_error = e.code();
    }
    connection->idle = false;
    if (!read_error) {
      const auto path = split_target(std::string_view(parser.get().target().data(), parser.get().target().size())).path;
      const auto limit = body_limit(path);
      if (parser.content_length() && *parser.content_length() > limit) {
        read_error = http::error::body_limit;
      } else {
        parser.body_limit(limit);
        try {
          if (!parser.is_done()) co_await http::async_read(stream, buffer, parser, asio::use_awaitable);
        } catch (const boost::system::system_error& e) {
          read_error = e.code();
        }
      }
    }
    if (read_error == http::error::body_limit) {
      const auto limit = body_limit(split_target(std::string_view(parser.get().target().data(),
                                                                  parser.get().target().size())).path);
      response = unreadable_request_response(&parser.get(), http::status::payload_too_large,
                                              "request body too large: the limit is " + std::to_string(limit) +
                                                  " bytes");
    } else if (read_error == http::error::header_limit) {
      response = unreadable_request_response(nullptr, http::status::request_header_fields_too_large,
                                              "request header too large: the limit is " +
                                                  std::to_string(options.max_header_bytes) + " bytes");
    } else if (read_error) {
      if (!is_parse_error(read_error)) break;  // closed by the client, timed out, or cancelled by stop()
      response = unreadable_request_response(nullptr, http::status::bad_request,
                                              "malformed HTTP request: " + read_error.message());
    } else {
      Request request = parser.release();
      ConnectionInfo info;
      info.tls = tls_connection;
      boost::system::error_code peer_error;
      const auto peer = connection->transport().socket().remote_endpoint(peer_error);
      if (!peer_error) info.peer_address = peer.address().to_string();
      // On the handler pool; the session's coroutine resumes on its strand with the reply.
      auto handled = co_await asio::co_spawn(
          handlers,
          [this, &request, &info]() -> asio::awaitable<std::optional<Reply>> { co_return api.handle(request, info); },
          asio::use_awaitable);
      auto& reply = *handled;
      if (reply.stream) {
        set_security_headers(reply.response, tls_connection);
        co_await write_stream(stream, connection, std::move(reply.response), std::move(reply.stream));
        break;  // a streamed response ends its connection
      }
      response = std::move(reply.response);
      if (response->result() == http::status::internal_server_error) {
        log->warn("{} {}: {}", std::string(request.method_string()), std::string(request.target()), response->body());
      }
    }
    set_security_headers(*response, tls_connection);
    const bool keep_alive = response->keep_alive();
    const bool unread_body = read_error == http::error::body_limit || read_error == http::error::header_limit;
    boost::system::error_code write_error;
    connection->transport().expires_after(options.timeout);
    try {
      co_await http::async_write(stream, *response, asio::use_awaitable);
    } catch (const boost::system::system_error& e) {
      write_error = e.code();
    }
    if (!write_error && unread_body) co_await drain(connection->transport());
    if (write_error || !keep_alive) break;
  }
}

// A streamed reply: the head (chunked under HTTP/1.1; under 1.0 the body ends when the connection closes), then what
// the producer pushes. Meanwhile a read on the connection notices at once when the client goes away (it sends
// nothing more after its request). Ends when the producer closes the sink, the client goes, the client does not
// keep up (the sink overflows, or one write makes no progress within the timeout), or the server stops.
template <class Stream>
asio::awaitable<void> HttpServer::Impl::write_stream(Stream& stream, std::shared_ptr<Connection> connection,
                                                     Response head, std::shared_ptr<StreamProducer> producer) {
  auto& tcp_stream = connection->transport();
  const bool chunked = head.version() >= 11;
  head.erase(http::field::content_length);
  head.body().clear();
  head.keep_alive(false);  // the stream is the connection's last response
  if (chunked) head.chunked(true);
  try {
    tcp_stream.expires_after(options.timeout);
    http::response_serializer<http::string_body> serializer{head};
    co_await http::async_write_header(stream, serializer, asio::use_awaitable);
  } catch (const boost::system::system_error&) {
    co_return;  // gone before the stream started: the producer was never started
  }

  const auto executor = tcp_stream.get_executor();
  connection->wakeup.emplace(executor, asio::steady_timer::time_point::max());
  std::weak_ptr<Connection> weak = connection;
  connection->sink = std::make_shared<BoundedStreamSink>(options.stream_buffer_bytes, [weak, executor] {
    // From the producer's thread: wake the writer on its strand. A failed sink (overflow) also cancels a write in
    // progress, which is where a client that stopped reading keeps the writer.
    asio::post(executor, [weak] {
      auto connection = weak.lock();
      if (!connection || !connection->sink) return;
      if (connection->sink->failed()) connection->transport().cancel();
      if (connection->wakeup) connection->wakeup->cancel();
    });
  });
  auto sink = connection->sink;

  // The watcher: reads until the client closes (or sends something, which a stream does not expect; it is
  // discarded). It is the only read, so the write deadlines below never touch it.
  tcp_stream.expires_never();
  asio::co_spawn(executor, watch_for_close(stream, connection, sink), asio::detached);

  producer->start(sink);
  bool drop = false;
  while (!stopping) {
    auto batch = sink->take();
    if (batch.failed) {
      if (sink->overflowed()) {
        core::logger("web")->info("http {}: a streaming client did not keep up ({} bytes queued); disconnected", port,
                                  options.stream_buffer_bytes);
      }
      drop = true;
      break;
    }
    if (!batch.data.empty()) {
      boost::system::error_code write_error;
      tcp_stream.expires_after(options.timeout);
      try {
        if (chunked) {
          co_await asio::async_write(stream, http::make_chunk(asio::buffer(batch.data)), asio::use_awaitable);
        } else {
          co_await asio::async_write(stream, asio::buffer(batch.data), asio::use_awaitable);
        }
      } catch (const boost::system::system_error& e) {
        write_error = e.code();
      }
      if (write_error) {
        drop = true;
        break;
      }
      continue;
    }
    if (batch.closed) break;
    connection->wakeup->expires_at(asio::steady_timer::time_point::max());
    try {
      co_await connection->wakeup->async_wait(asio::use_awaitable);
    } catch (const boost::system::system_error&) {
      // woken by the sink, or by stop()
    }
  }
  sink->fail();  // from here pushes fail; the producer learns it is done
  producer->stop();
  if (!drop && !stopping && chunked) {
    tcp_stream.expires_after(options.timeout);
    try {
      co_await asio::async_write(stream, http::make_chunk_last(), asio::use_awaitable);
    } catch (const boost::system::system_error&) {
    }
  }
  tcp_stream.cancel();  // ends the watcher's read
}

HttpServer::HttpServer(engine::Operations& operations, HttpServerOptions options)
    : HttpServer(ApiServices{operations, nullptr}, std::move(options)) {}

HttpServer::HttpServer(ApiServices services, HttpServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(services), std::move(options))) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() {
  if (impl_->acceptor) return;
  const auto& options = impl_->options;
  if (options.tls_cert.empty() != options.tls_key.empty()) {
    throw core::InvalidInput("http server: TLS needs both a certificate and a key (--tls-cert and --tls-key)");
  }
  if (!options.tls_cert.empty()) {
    impl_->tls = std::make_unique<TlsCredentials>(options.tls_cert, options.tls_key, options.tls_check_interval);
  }
  const auto where = options.address + ":" + std::to_string(options.port);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options.address, ec);
  if (ec) throw core::InvalidInput("http server: invalid listen address " + options.address);
  const tcp::endpoint endpoint(address, options.port);
  tcp::acceptor acceptor(impl_->ioc);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw core::EnvironmentError("http server: cannot listen on " + where + ": " + ec.message());
  impl_->port = acceptor.local_endpoint().port();
  impl_->acceptor.emplace(std::move(acceptor));
  asio::co_spawn(impl_->listen_strand, impl_->do_listen(), asio::detached);
  const int threads = std::max(1, options.threads);
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
    // request finishes it and then sees `stopping`; a stream is ended (its producer stopped) and closed.
    asio::post(connection->transport().get_executor(), [connection] {
      if (connection->sink) {
        connection->sink->fail();
        connection->transport().cancel();
        if (connection->wakeup) connection->wakeup->cancel();
      } else if (connection->idle) {
        connection->transport().cancel();
      }
    });
  }
  for (auto& thread : impl_->threads) thread.join();
  impl_->threads.clear();
}

std::uint16_t HttpServer::port() const { return impl_->port; }

std::string HttpServer::url() const {
  const bool v6 = impl_->options.address.find(':') != std::string::npos;
  const std::string scheme = impl_->options.tls_cert.empty() ? "http://" : "https://";
  return scheme + (v6 ? "[" + impl_->options.address + "]" : impl_->options.address) + ":" +
         std::to_string(impl_->port);
}

}  // namespace gitmoor::web
