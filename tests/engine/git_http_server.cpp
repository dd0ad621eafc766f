// The HTTP side of GitHttpServer: one request per connection, basic auth, then git-http-backend as CGI.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "git_fixtures.hpp"
#include "gitmoor/core/subprocess.hpp"

namespace gitmoor::test {

namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// Runs git-http-backend for one request (RFC 3875 variables) and turns its CGI output into a response.
Response run_backend(const std::filesystem::path& project_root, const Request& request) {
  const std::string target(request.target());
  const auto question = target.find('?');
  core::SubprocessOptions options;
  options.environment = {
      {"GIT_PROJECT_ROOT", project_root.string()},
      {"GIT_HTTP_EXPORT_ALL", "1"},
      {"GIT_CONFIG_NOSYSTEM", "1"},
      {"REQUEST_METHOD", std::string(request.method_string())},
      {"PATH_INFO", target.substr(0, question)},
      {"QUERY_STRING", question == std::string::npos ? "" : target.substr(question + 1)},
      {"CONTENT_TYPE", std::string(request[http::field::content_type])},
      {"CONTENT_LENGTH", std::to_string(request.body().size())},
      {"REMOTE_USER", "tester"},
      {"REMOTE_ADDR", "127.0.0.1"},
      {"SERVER_PROTOCOL", "HTTP/1.1"},
      {"GIT_PROTOCOL", std::string(request["Git-Protocol"])},
  };
  options.stdin_data = request.body();
  options.timeout = std::chrono::seconds(60);
  const auto result = core::run_subprocess({"/usr/lib/git-core/git-http-backend"}, options);

  Response response{http::status::ok, request.version()};
  const std::string& out = result.stdout_data;
  auto header_end = out.find("\r\n\r\n");
  std::size_t separator = 4;
  if (header_end == std::string::npos) {
    header_end = out.find("\n\n");
    separator = 2;
  }
  if (!result.ok() || header_end == std::string::npos) {
    response.result(http::status::internal_server_error);
    response.body() = result.stderr_data;
  } else {
    std::size_t pos = 0;
    while (pos < header_end) {
      auto eol = out.find('\n', pos);
      if (eol == std::string::npos || eol > header_end) eol = header_end;
      std::string line = out.substr(pos, eol - pos);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      const auto colon = line.find(':');
      if (colon != std::string::npos) {
        const std::string name = line.substr(0, colon);
        std::string value = line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ') value.erase(0, 1);
        if (name == "Status") {
          response.result(static_cast<unsigned>(std::stoi(value)));
        } else {
          response.set(name, value);
        }
      }
      pos = eol + 1;
    }
    response.body() = out.substr(header_end + separator);
  }
  response.keep_alive(false);
  response.prepare_payload();
  return response;
}

}  // namespace

void GitHttpServer::serve() {
  boost::asio::io_context io;
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    tcp::socket socket(io);
    socket.assign(tcp::v4(), fd);
    boost::beast::flat_buffer buffer;
    Request request;
    boost::system::error_code ec;
    http::read(socket, buffer, request, ec);
    if (ec) continue;
    Response response;
    if (request[http::field::authorization] != expected_authorization_) {
      ++rejected_;
      response = Response{http::status::unauthorized, request.version()};
      response.set(http::field::www_authenticate, "Basic realm=\"git\"");
      // No body: libgit2 1.5 misreads the next response after a 401 with a body on a closing connection.
      response.body() = "";
      response.keep_alive(false);
      response.prepare_payload();
    } else {
      const std::string target(request.target());
      if (target.find("/info/refs") != std::string::npos) ++ref_advertisements_;
      if (target.find("/git-upload-pack") != std::string::npos) ++upload_packs_;
      response = run_backend(project_root_, request);
    }
    http::write(socket, response, ec);
    socket.shutdown(tcp::socket::shutdown_send, ec);
  }
}

SilentServer::SilentServer() {
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
  listen(fd_, 16);
  socklen_t length = sizeof address;
  getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
}

SilentServer::~SilentServer() { close(fd_); }

int closed_port() {
  SilentServer probe;  // a port the kernel just handed out, closed again at once
  return probe.port();
}

}  // namespace gitmoor::test
