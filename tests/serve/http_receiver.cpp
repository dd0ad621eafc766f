// See http_receiver.hpp.
#include "http_receiver.hpp"

#include <sys/socket.h>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace gitmoor::test {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

HttpReceiver::HttpReceiver(Handler handler)
    : handler_(std::move(handler)), acceptor_(io_, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)) {
  port_ = acceptor_.local_endpoint().port();
  acceptor_thread_ = std::thread([this] { accept_loop(); });
}

HttpReceiver::~HttpReceiver() {
  stopping_ = true;
  release();
  // Wake the blocking accept with one connection; it then sees stopping_ and returns.
  boost::system::error_code ignored;
  {
    boost::asio::io_context io;
    tcp::socket wake(io);
    wake.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_), ignored);
  }
  if (acceptor_thread_.joinable()) acceptor_thread_.join();
  acceptor_.close(ignored);
  std::vector<std::thread> connections;
  {
    std::lock_guard lock(mutex_);
    connections.swap(connections_);
    for (const int fd : sockets_) ::shutdown(fd, SHUT_RDWR);
  }
  for (auto& connection : connections) {
    if (connection.joinable()) connection.join();
  }
}

std::string HttpReceiver::url() const { return "http://127.0.0.1:" + std::to_string(port_); }

std::vector<ReceivedRequest> HttpReceiver::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::size_t HttpReceiver::hanging() const {
  std::lock_guard lock(mutex_);
  return hanging_;
}

void HttpReceiver::set_handler(Handler handler) {
  std::lock_guard lock(mutex_);
  handler_ = std::move(handler);
}

void HttpReceiver::release() {
  {
    std::lock_guard lock(mutex_);
    released_ = true;
  }
  released_cv_.notify_all();
}

void HttpReceiver::accept_loop() {
  while (!stopping_) {
    boost::system::error_code error;
    tcp::socket socket(io_);
    acceptor_.accept(socket, error);
    if (error || stopping_) return;
    std::lock_guard lock(mutex_);
    sockets_.push_back(socket.native_handle());
    connections_.emplace_back([this, s = std::move(socket)]() mutable { serve(std::move(s)); });
  }
}

void HttpReceiver::serve(tcp::socket socket) {
  // Off the list before the socket closes (declared after it, so destroyed first): its number may be reused.
  struct Forget {
    HttpReceiver& receiver;
    int fd;
    ~Forget() {
      std::lock_guard lock(receiver.mutex_);
      std::erase(receiver.sockets_, fd);
    }
  } forget{*this, socket.native_handle()};
  beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> request;
    boost::system::error_code error;
    http::read(socket, buffer, request, error);
    if (error) return;
    ReceivedRequest received{.method = std::string(request.method_string()),
                             .target = std::string(request.target()),
                             .headers = {},
                             .body = request.body()};
    for (const auto& field : request) {
      std::string name(field.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      received.headers[name] = std::string(field.value());
    }
    ReceiverAnswer answer;
    {
      std::unique_lock lock(mutex_);
      requests_.push_back(received);
      if (handler_) answer = handler_(received);
      if (answer.hang && !released_) {
        ++hanging_;
        released_cv_.wait(lock, [&] { return released_; });
        --hanging_;
        answer = ReceiverAnswer{};
      }
    }
    if (stopping_) return;
    http::response<http::string_body> response{static_cast<http::status>(answer.status), request.version()};
    response.set(http::field::content_type, "application/json");
    response.body() = answer.body;
    response.keep_alive(request.keep_alive());
    response.prepare_payload();
    http::write(socket, response, error);
    if (error || !request.keep_alive()) return;
  }
}

}  // namespace gitmoor::test
