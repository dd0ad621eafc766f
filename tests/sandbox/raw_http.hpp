#pragma once
// A minimal blocking HTTP/1.1 client over a loopback socket, for tests that need to send what no well-behaved
// client sends (malformed requests, oversized bodies) and for the benchmark.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <string>

namespace gitmoor::test {

class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port, int timeout_seconds = 10) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{timeout_seconds, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }
  ~RawConnection() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  [[nodiscard]] bool ok() const { return fd_ >= 0; }

  bool send(const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
      ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) return false;
      sent += static_cast<std::size_t>(n);
    }
    return true;
  }

  // Half-closes: the server sees the end of input (and so the end of any incomplete request).
  void finish_sending() { ::shutdown(fd_, SHUT_WR); }

  // Reads one response (Content-Length bodies, or chunked until the last chunk); returns its status, 0 on failure.
  int read_response(std::string* body = nullptr) {
    std::string headers;
    while (true) {
      auto end = buffer_.find("\r\n\r\n");
      if (end != std::string::npos) {
        headers = buffer_.substr(0, end + 4);
        buffer_.erase(0, end + 4);
        break;
      }
      if (!fill()) return 0;
    }
    int status = 0;
    if (headers.size() > 12) status = std::atoi(headers.c_str() + 9);
    std::string lower = headers;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string content;
    if (auto cl = lower.find("content-length:"); cl != std::string::npos) {
      std::size_t length = std::strtoul(lower.c_str() + cl + 15, nullptr, 10);
      while (buffer_.size() < length) {
        if (!fill()) return 0;
      }
      content = buffer_.substr(0, length);
      buffer_.erase(0, length);
    } else if (lower.find("transfer-encoding: chunked") != std::string::npos) {
      while (true) {
        auto line_end = buffer_.find("\r\n");
        while (line_end == std::string::npos) {
          if (!fill()) return 0;
          line_end = buffer_.find("\r\n");
        }
        std::size_t size = std::strtoul(buffer_.c_str(), nullptr, 16);
        while (buffer_.size() < line_end + 2 + size + 2) {
          if (!fill()) return 0;
        }
        content += buffer_.substr(line_end + 2, size);
        buffer_.erase(0, line_end + 2 + size + 2);
        if (size == 0) break;
      }
    }
    if (body) *body = content;
    return status;
  }

  std::string headers;  // extra header lines ("Name: value\r\n") sent with every request

  int request(const std::string& method, const std::string& target, const std::string& body = "",
              const std::string& content_type = "application/json", std::string* response = nullptr) {
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    req += headers;
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      req += "Content-Type: " + content_type + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    }
    req += "\r\n" + body;
    if (!send(req)) return 0;
    return read_response(response);
  }

 private:
  bool fill() {
    char buf[65536];
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<std::size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string buffer_;
};

}  // namespace gitmoor::test
