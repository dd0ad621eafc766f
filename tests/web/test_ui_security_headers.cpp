// The security headers on every answer the real server writes: API JSON, errors (the router's 404 and 405, a
// refused oversized body), the UI's page and assets (a 304 too), a stream's head; Strict-Transport-Security only
// over TLS.
#include <filesystem>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <catch2/catch.hpp>
#include <unistd.h>

#include "fake_operations.hpp"
#include "gitmoor/core/subprocess.hpp"
#include "gitmoor/web/http_server.hpp"
#include "ui_assets.hpp"

namespace gitmoor::web {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
namespace fs = std::filesystem;
using HttpResponse = http::response<http::string_body>;

constexpr const char* kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

http::request<http::string_body> make_request(http::verb method, const std::string& target, std::string body = {},
                                              const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  http::request<http::string_body> request{method, target, 11};
  request.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = std::move(body);
  request.prepare_payload();
  return request;
}

// One request on a new plain connection; only the head is read when `head_only` (a stream never ends).
HttpResponse fetch(std::uint16_t port, const http::request<http::string_body>& request, bool head_only = false) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  http::write(socket, request);
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(16 * 1024 * 1024);
  if (head_only) {
    http::read_header(socket, buffer, parser);
  } else {
    http::read(socket, buffer, parser);
  }
  return parser.release();
}

void check_security_headers(const HttpResponse& response, bool tls) {
  CHECK(response["Content-Security-Policy"] == kCsp);
  CHECK(response["X-Content-Type-Options"] == "nosniff");
  CHECK(response["Referrer-Policy"] == "same-origin");
  CHECK(response["X-Frame-Options"] == "DENY");
  if (tls) {
    CHECK(response["Strict-Transport-Security"] == "max-age=31536000");
  } else {
    CHECK(response.find("Strict-Transport-Security") == response.end());
  }
}

struct TempDir {
  TempDir() : path(fs::temp_directory_path() / ("gitmoor-ui-tls-" + std::to_string(::getpid()))) {
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
  fs::path path;
};

}  // namespace

TEST_CASE("every kind of answer carries the CSP, nosniff, the referrer policy and DENY framing", "[web][ui]") {
  test::FakeOperations ops;
  ops.add("tetris");
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  HttpServer server(ops, options);
  server.start();
  const auto port = server.port();
  const std::string asset = std::string(ui_assets_prefix()) + "/main.js";

  struct Case {
    std::string what;
    http::request<http::string_body> request;
    http::status status;
    bool head_only = false;
  };
  const std::vector<Case> cases{
      {"API", make_request(http::verb::get, "/api/v1/applications"), http::status::ok},
      {"API error", make_request(http::verb::get, "/api/v1/applications/nothing"), http::status::not_found},
      {"no route", make_request(http::verb::get, "/nothing/here"), http::status::not_found},
      {"method not allowed", make_request(http::verb::delete_, "/"), http::status::method_not_allowed},
      {"body too large", make_request(http::verb::post, "/api/v1/session", std::string(4096, 'x')),
       http::status::payload_too_large},
      {"page", make_request(http::verb::get, "/applications/tetris"), http::status::ok},
      {"asset", make_request(http::verb::get, asset, {}, {{"Accept-Encoding", "gzip"}}), http::status::ok},
      {"asset not modified",
       make_request(http::verb::get, asset, {}, {{"If-None-Match", std::string(find_ui_asset("main.js")->etag)}}),
       http::status::not_modified},
      {"stream head",
       make_request(http::verb::get, "/api/v1/stream/applications", {}, {{"Accept", "text/event-stream"}}),
       http::status::ok, true},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    const auto response = fetch(port, c.request, c.head_only);
    CHECK(response.result() == c.status);
    check_security_headers(response, false);
  }
  server.stop();
}

TEST_CASE("over TLS the answers also carry Strict-Transport-Security", "[web][ui]") {
  TempDir dir;
  const auto cert = dir.path / "tls.crt";
  const auto key = dir.path / "tls.key";
  REQUIRE(core::run_subprocess({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                "-nodes", "-days", "1", "-subj", "/CN=localhost", "-keyout", key.string(), "-out",
                                cert.string()})
              .ok());
  test::FakeOperations ops;
  HttpServerOptions options;
  options.tls_cert = cert;
  options.tls_key = key;
  HttpServer server(ops, options);
  server.start();

  for (const std::string target : {"/", "/api/v1/applications", "/nothing"}) {
    INFO(target);
    asio::io_context io;
    ssl::context context(ssl::context::tls_client);
    context.set_verify_mode(ssl::verify_none);  // self-signed; the test is about the headers
    ssl::stream<tcp::socket> stream(io, context);
    stream.next_layer().connect({asio::ip::make_address("127.0.0.1"), server.port()});
    stream.handshake(ssl::stream_base::client);
    http::write(stream, make_request(http::verb::get, target));
    boost::beast::flat_buffer buffer;
    HttpResponse response;
    http::read(stream, buffer, response);
    check_security_headers(response, true);
  }
  server.stop();
}

}  // namespace gitmoor::web
