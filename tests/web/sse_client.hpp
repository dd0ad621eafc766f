#pragma once
// A server-sent events client for the web tests: one HTTP/1.1 request over TCP, the chunked body decoded by Beast's
// parser, events taken one at a time with a timeout (a bound that ends a hung test, never a timing assertion).
#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include "gitmoor/core/object.hpp"

namespace gitmoor::test {

class SseClient {
 public:
  SseClient(std::uint16_t port, const std::string& target, bool event_stream = true) : socket_(io_) {
    socket_.connect(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (event_stream) request += "Accept: text/event-stream\r\n";
    request += "\r\n";
    boost::asio::write(socket_, boost::asio::buffer(request));
    parser_.body_limit(std::uint64_t{1} << 40);  // boost::none trips Beast 1.74 on a Content-Length
    boost::beast::http::read_header(socket_, buffer_, parser_);
  }

  [[nodiscard]] const boost::beast::http::response<boost::beast::http::string_body>& head() { return parser_.get(); }

  // The whole body of a response that is not a stream (an error).
  std::string read_all() {
    boost::beast::http::read(socket_, buffer_, parser_);
    return parser_.get().body();
  }

  // The next event's text (its lines without the blank line that ends it, e.g. "data: {...}" or ": keep-alive");
  // nullopt when none came within `timeout` or the stream ended.
  std::optional<std::string> next(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto& body = parser_.get().body();
      if (const auto end = body.find("\n\n", offset_); end != std::string::npos) {
        std::string event = body.substr(offset_, end - offset_);
        offset_ = end + 2;
        return event;
      }
      if (ended_ || std::chrono::steady_clock::now() >= deadline) return std::nullopt;
      boost::system::error_code error;
      bool done = false;
      boost::beast::http::async_read_some(socket_, buffer_, parser_,
                                          [&](boost::system::error_code ec, std::size_t) {
                                            error = ec;
                                            done = true;
                                          });
      io_.restart();
      io_.run_until(deadline);
      if (!done) {
        socket_.cancel();
        io_.restart();
        io_.run();
        return std::nullopt;
      }
      if (error || parser_.is_done()) ended_ = true;
    }
  }

  // The next `data:` event as JSON, skipping keep-alive comments.
  std::optional<core::Json> next_data(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto event = next(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
      if (!event) return std::nullopt;
      if (event->rfind("data: ", 0) == 0) return core::Json::parse(event->substr(6));
    }
    return std::nullopt;
  }

  // True once the server ended the stream (reads until then, for at most `timeout`).
  bool ended(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!ended_ && std::chrono::steady_clock::now() < deadline) {
      next(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
    }
    return ended_;
  }

  void close() {
    boost::system::error_code ignored;
    socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  boost::beast::http::response_parser<boost::beast::http::string_body> parser_;
  std::size_t offset_ = 0;
  bool ended_ = false;
};

}  // namespace gitmoor::test
