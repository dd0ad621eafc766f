// The server's limits: a body past its cap is 413 in Argo CD's error shape (a path may have its own cap), a header
// past its cap is 431, and connections past the cap are refused while the server keeps serving the others.
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <catch2/catch.hpp>

#include "eventually.hpp"
#include "fake_operations.hpp"
#include "gitmoor/web/http_server.hpp"

namespace gitmoor::web {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

struct RawClient {
  explicit RawClient(std::uint16_t port) : socket(io) { socket.connect({asio::ip::make_address("127.0.0.1"), port}); }
  void send(const std::string& bytes) {
    boost::system::error_code ignored;  // the server may stop reading (and close) before everything is sent
    asio::write(socket, asio::buffer(bytes), ignored);
  }
  http::response<http::string_body> response() {
    http::response<http::string_body> out;
    http::read(socket, buffer, out);
    return out;
  }
  asio::io_context io;
  tcp::socket socket;
  boost::beast::flat_buffer buffer;
};

std::string post(const std::string& path, std::size_t body_size) {
  return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
         std::to_string(body_size) + "\r\n\r\n" + std::string(body_size, ' ');
}

}  // namespace

TEST_CASE("a request body past the cap is 413 in Argo CD's error shape, a path may have its own cap", "[web][server][limits]") {
  test::FakeOperations ops;
  ops.add("tetris");
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  options.body_limits["/api/v1/applications/tetris/refresh"] = 4096;
  HttpServer server(ops, options);
  server.start();

  {
    RawClient client(server.port());
    client.send(post("/api/v1/applications/tetris/sync", 64 * 1024));
    auto response = client.response();
    CHECK(response.result() == http::status::payload_too_large);
    const auto body = core::Json::parse(response.body());
    CHECK(body["code"] == 8);
    CHECK(body["error"] == body["message"]);
    CHECK(body["message"].get<std::string>().find("1024 bytes") != std::string::npos);
    CHECK(ops.syncs.empty());
  }
  {
    // A chunked body is counted as it arrives.
    RawClient client(server.port());
    client.send("POST /api/v1/applications/tetris/sync HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" +
                std::string(0x800, ' ') + "\r\n0\r\n\r\n");
    CHECK(client.response().result() == http::status::payload_too_large);
  }
  {
    // Under the path's own, larger cap.
    RawClient client(server.port());
    client.send(post("/api/v1/applications/tetris/refresh", 2048));
    CHECK(client.response().result() == http::status::accepted);
  }
  // And the server serves the next client.
  RawClient next(server.port());
  next.send(post("/api/v1/applications/tetris/sync", 2));
  CHECK(next.response().result() == http::status::ok);
}

TEST_CASE("a request header past the cap is 431 and the connection closes", "[web][server][limits]") {
  test::FakeOperations ops;
  HttpServerOptions options;
  options.max_header_bytes = 2048;
  HttpServer server(ops, options);
  server.start();
  RawClient client(server.port());
  client.send("GET /healthz HTTP/1.1\r\nHost: x\r\nCookie: " + std::string(8192, 'c') + "\r\n\r\n");
  auto response = client.response();
  CHECK(response.result() == http::status::request_header_fields_too_large);
  CHECK(core::Json::parse(response.body())["message"].get<std::string>().find("2048") != std::string::npos);
  CHECK_FALSE(response.keep_alive());

  RawClient next(server.port());
  next.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(next.response().result() == http::status::ok);
}

TEST_CASE("connections past the cap are refused with 503, and served again once others close", "[web][server][limits]") {
  test::FakeOperations ops;
  HttpServerOptions options;
  options.max_connections = 3;
  HttpServer server(ops, options);
  server.start();

  std::vector<std::unique_ptr<RawClient>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(std::make_unique<RawClient>(server.port()));
    held.back()->send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    REQUIRE(held.back()->response().result() == http::status::ok);  // served, and kept alive
  }
  RawClient refused(server.port());
  auto answer = refused.response();
  CHECK(answer.result() == http::status::service_unavailable);
  CHECK(core::Json::parse(answer.body())["message"] == "too many connections");

  // The held connections still work; once one closes, a new client is served.
  held[0]->send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(held[0]->response().result() == http::status::ok);
  held[1]->socket.close();
  CHECK(test::eventually([&] {
    RawClient again(server.port());
    again.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    boost::system::error_code ec;
    http::response<http::string_body> response;
    http::read(again.socket, again.buffer, response, ec);
    return !ec && response.result() == http::status::ok;
  }));
}

}  // namespace gitmoor::web
