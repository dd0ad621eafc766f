#include "server.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <condition_variable>
#include <list>
#include <map>
#include <mutex>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "gitmoor/core/error.hpp"
#include "gitmoor/core/logging.hpp"
#include "tls.hpp"

namespace gitmoor::sandbox {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

const char* reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
  }
}

std::string status_body(int code, const std::string& reason, const std::string& message) {
  return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"" + message +
         "\",\"reason\":\"" + reason + "\",\"code\":" + std::to_string(code) + "}";
}

std::string head(const Response& r, bool chunked, bool close) {
  std::string out = "HTTP/1.1 " + std::to_string(r.status) + " " + reason_phrase(r.status) + "\r\n";
  out += "Content-Type: " + r.content_type + "\r\n";
  out += "Cache-Control: no-cache, private\r\n";
  for (const auto& [k, v] : r.headers) out += k + ": " + v + "\r\n";
  if (chunked) {
    out += "Transfer-Encoding: chunked\r\n";
  } else {
    out += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  }
  if (close) out += "Connection: close\r\n";
  out += "\r\n";
  return out;
}

// Whether the peer has closed its side (checked while a watch is idle).
bool peer_closed(int fd) {
  pollfd p{fd, POLLIN | POLLRDHUP, 0};
  if (::poll(&p, 1, 0) <= 0) return false;
  if (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) return true;
  char c;
  ssize_t n = ::recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0;
}

}  // namespace

struct Connection {
  int fd = -1;
  std::string user;  // from a verified client certificate (TLS); empty otherwise
  std::vector<std::string> groups;
  std::atomic<std::int64_t> deadline_ms{0};  // 0: none; otherwise steady-clock milliseconds
  std::atomic<bool> done{false};
  std::thread thread;
  std::mutex fd_mutex;  // the fd is shut down by other threads only while it is open
  bool fd_closed = false;

  void shutdown_fd() {
    std::lock_guard lock(fd_mutex);
    if (!fd_closed) ::shutdown(fd, SHUT_RDWR);
  }
  void mark_closed() {
    std::lock_guard lock(fd_mutex);
    fd_closed = true;
  }

  void set_deadline(std::chrono::seconds from_now) {
    deadline_ms = std::chrono::duration_cast<std::chrono::milliseconds>((Clock::now() + from_now).time_since_epoch())
                      .count();
  }
  void clear_deadline() { deadline_ms = 0; }
};

struct HttpServer::Impl {
  Impl(ApiServer& a, ServerOptions o) : api(a), options(std::move(o)), acceptor(io) {}

  ApiServer& api;
  ServerOptions options;
  asio::io_context io;
  tcp::acceptor acceptor;
  std::unique_ptr<asio::ssl::context> ssl;
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::list<std::shared_ptr<Connection>> connections;
  std::thread accept_thread;
  std::thread reaper_thread;
  std::condition_variable reaper_cv;
  std::uint16_t port = 0;

  void accept_loop();
  void reaper_loop();
  template <class Stream>
  void serve(Stream& stream, Connection& conn);
  template <class Stream>
  bool write_all(Stream& stream, Connection& conn, const std::string& data);
  template <class Stream>
  bool stream_watch(Stream& stream, Connection& conn, Response& response, bool close);
  void run_connection(tcp::socket socket, std::shared_ptr<Connection> conn);
};

template <class Stream>
bool HttpServer::Impl::write_all(Stream& stream, Connection& conn, const std::string& data) {
  conn.set_deadline(options.request_timeout);
  beast::error_code ec;
  asio::write(stream, asio::buffer(data), ec);
  conn.clear_deadline();
  return !ec;
}

template <class Stream>
bool HttpServer::Impl::stream_watch(Stream& stream, Connection& conn, Response& response, bool close) {
  auto watch = response.watch;
  if (!write_all(stream, conn, head(response, true, close))) {
    watch->cancel();
    return false;
  }
  std::string line;
  std::string chunk;
  while (true) {
    if (stopping) {
      watch->cancel();
      break;
    }
    auto next = watch->next(line, std::chrono::milliseconds(500));
    if (next == WatchStream::Next::End) break;
    if (next == WatchStream::Next::Idle) {
      if (peer_closed(conn.fd)) {
        watch->cancel();
        return false;
      }
      continue;
    }
    std::string batch = std::move(line);
    // Coalesce what is already waiting into one chunk.
    while (batch.size() < (64u << 10) && watch->next(line, std::chrono::milliseconds(0)) == WatchStream::Next::Data) {
      batch += line;
    }
    char size[32];
    std::snprintf(size, sizeof size, "%zx\r\n", batch.size());
    chunk = size;
    chunk += batch;
    chunk += "\r\n";
    if (!write_all(stream, conn, chunk)) {
      watch->cancel();
      return false;
    }
  }
  return write_all(stream, conn, "0\r\n\r\n");
}

// After answering a request we will not read (too large, malformed), read and drop what the client is still
// sending for a moment, so closing does not reset the connection before the client reads the answer.
template <class Stream>
void drain(Stream& stream, Connection& conn) {
  conn.set_deadline(std::chrono::seconds(2));
  char buf[16384];
  std::size_t total = 0;
  beast::error_code ec;
  while (total < (16u << 20)) {
    std::size_t n = stream.read_some(asio::buffer(buf), ec);
    if (ec || n == 0) break;
    total += n;
  }
  conn.clear_deadline();
}

template <class Stream>
void HttpServer::Impl::serve(Stream& stream, Connection& conn) {
  beast::flat_buffer buffer;
  auto log = core::logger("sandbox");
  while (!stopping) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(kMaxHeaderBytes);
    parser.body_limit(kMaxBodyBytes);
    beast::error_code ec;
    conn.set_deadline(options.idle_timeout);
    // Wait for the first byte under the idle deadline, then the whole request under the request deadline.
    http::read_header(stream, buffer, parser, ec);
    if (!ec && !parser.is_done()) {
      conn.set_deadline(options.request_timeout);
      http::read(stream, buffer, parser, ec);
    }
    conn.clear_deadline();
    if (ec) {
      if (ec == http::error::body_limit) {
        Response r;
        r.status = 413;
        r.body = status_body(413, "RequestEntityTooLarge", "the server has received too large a request body");
        write_all(stream, conn, head(r, false, true) + r.body);
        drain(stream, conn);
      } else if (ec == http::error::header_limit) {
        Response r;
        r.status = 431;
        r.body = status_body(431, "RequestHeaderFieldsTooLarge", "request header fields too large");
        write_all(stream, conn, head(r, false, true) + r.body);
        drain(stream, conn);
      } else if (ec != http::error::end_of_stream && ec != asio::error::eof &&
                 ec != asio::error::connection_reset && ec != asio::error::operation_aborted &&
                 &ec.category() == &http::make_error_code(http::error::bad_method).category()) {
        Response r;
        r.status = 400;
        r.body = status_body(400, "BadRequest", "malformed HTTP request");
        write_all(stream, conn, head(r, false, true) + r.body);
      }
      return;
    }
    auto& req = parser.get();
    Request request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    for (const auto& field : req) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      auto [it, added] = request.headers.try_emplace(name, field.value());
      if (!added) {
        // Impersonate-Group and Impersonate-Extra-* come once per value: keep them all, one per line.
        if (name.rfind("impersonate-", 0) == 0) it->second += "\n" + std::string(field.value());
        else it->second = std::string(field.value());
      }
    }
    request.body = std::move(req.body());
    request.user = conn.user;
    request.groups = conn.groups;
    bool close = !req.keep_alive();
    Response response = api.handle(request);
    if (log->should_log(spdlog::level::debug)) {
      log->debug("sandbox: {} {} content-type={} accept={} -> {}", request.method, request.target,
                 request.header("content-type"), request.header("accept"), response.status);
    }
    close = close || response.close;
    if (response.watch) {
      if (!stream_watch(stream, conn, response, close)) return;
    } else {
      std::string out = head(response, false, close);
      if (request.method != "HEAD") out += response.body;
      if (!write_all(stream, conn, out)) return;
    }
    if (close) return;
  }
}

void HttpServer::Impl::run_connection(tcp::socket socket, std::shared_ptr<Connection> conn) {
  beast::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  try {
    if (ssl) {
      asio::ssl::stream<tcp::socket> stream(std::move(socket), *ssl);
      conn->set_deadline(options.request_timeout);
      stream.handshake(asio::ssl::stream_base::server, ec);
      conn->clear_deadline();
      if (!ec) {
        if (auto identity = verified_client(stream.native_handle())) {
          conn->user = identity->user;
          conn->groups = identity->groups;
        }
        serve(stream, *conn);
        conn->set_deadline(std::chrono::seconds(2));
        stream.shutdown(ec);
      }
      conn->mark_closed();
      stream.lowest_layer().close(ec);
    } else {
      serve(socket, *conn);
      socket.shutdown(tcp::socket::shutdown_both, ec);
      conn->mark_closed();
      socket.close(ec);
    }
  } catch (const std::exception& e) {
    core::logger("sandbox")->warn("sandbox: connection ended by an error: {}", e.what());
  }
  conn->mark_closed();
  conn->done = true;
}

void HttpServer::Impl::accept_loop() {
  while (!stopping) {
    beast::error_code ec;
    tcp::socket socket(io);
    acceptor.accept(socket, ec);
    if (stopping) break;
    if (ec) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    std::lock_guard lock(mutex);
    // Join the threads of connections that have ended.
    for (auto it = connections.begin(); it != connections.end();) {
      if ((*it)->done) {
        if ((*it)->thread.joinable()) (*it)->thread.join();
        it = connections.erase(it);
      } else {
        ++it;
      }
    }
    if (connections.size() >= options.max_connections) {
      std::string body = status_body(503, "ServiceUnavailable", "too many open connections");
      Response r;
      r.status = 503;
      asio::write(socket, asio::buffer(head(r, false, true) + body), ec);
      socket.close(ec);
      continue;
    }
    auto conn = std::make_shared<Connection>();
    conn->fd = socket.native_handle();
    conn->thread = std::thread([this, conn, s = std::move(socket)]() mutable { run_connection(std::move(s), conn); });
    connections.push_back(conn);
  }
}

void HttpServer::Impl::reaper_loop() {
  std::unique_lock lock(mutex);
  while (!stopping) {
    reaper_cv.wait_for(lock, std::chrono::milliseconds(250));
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count();
    for (auto& c : connections) {
      auto deadline = c->deadline_ms.load();
      if (!c->done && deadline != 0 && deadline < now) {
        c->shutdown_fd();
        c->deadline_ms = 0;
      }
    }
  }
}

HttpServer::HttpServer(ApiServer& api, ServerOptions options) : impl_(std::make_unique<Impl>(api, std::move(options))) {
  auto& o = impl_->options;
  if (!o.cert_pem.empty()) {
    impl_->ssl = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    impl_->ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                            asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                            asio::ssl::context::no_tlsv1_1);
    impl_->ssl->use_certificate_chain(asio::buffer(o.cert_pem));
    impl_->ssl->use_private_key(asio::buffer(o.key_pem), asio::ssl::context::pem);
    if (!o.client_ca_pems.empty()) {
      for (const auto& ca : o.client_ca_pems) impl_->ssl->add_certificate_authority(asio::buffer(ca));
      // Ask for a certificate, never fail the handshake over it: verified_client() reads the outcome afterwards,
      // so a missing or foreign certificate becomes a 401 (or a token login), not a TLS alert.
      impl_->ssl->set_verify_mode(asio::ssl::verify_peer);
      impl_->ssl->set_verify_callback([](bool, asio::ssl::verify_context&) { return true; });
    }
  }
  beast::error_code ec;
  auto address = asio::ip::make_address(o.host, ec);
  if (ec) throw core::EnvironmentError("sandbox: cannot listen on " + o.host + ": " + ec.message());
  tcp::endpoint endpoint(address, o.port);
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw core::EnvironmentError("sandbox: cannot listen on " + o.host + ":" + std::to_string(o.port) + ": " +
                                 ec.message());
  }
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->accept_thread = std::thread([this] { impl_->accept_loop(); });
  impl_->reaper_thread = std::thread([this] { impl_->reaper_loop(); });
}

HttpServer::~HttpServer() { stop(); }

std::uint16_t HttpServer::port() const { return impl_->port; }

void HttpServer::stop() {
  if (impl_->stopping.exchange(true)) return;
  ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
  if (impl_->accept_thread.joinable()) impl_->accept_thread.join();
  beast::error_code ec;
  impl_->acceptor.close(ec);
  impl_->reaper_cv.notify_all();
  if (impl_->reaper_thread.joinable()) impl_->reaper_thread.join();
  std::list<std::shared_ptr<Connection>> connections;
  {
    std::lock_guard lock(impl_->mutex);
    for (auto& c : impl_->connections) {
      if (!c->done) c->shutdown_fd();
    }
    connections.swap(impl_->connections);
  }
  for (auto& c : connections) {
    if (c->thread.joinable()) c->thread.join();
  }
}

}  // namespace gitmoor::sandbox
