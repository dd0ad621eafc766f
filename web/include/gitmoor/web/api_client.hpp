#pragma once
// A client of gitmoor's REST API (Argo CD's paths and shapes) over libcurl, for the `gitmoor` CLI and for scripts.
// Requests carry `Authorization: Bearer <token>`; answers are JSON. Failures throw ApiError, whose message names the
// method, the path and the server's own message, and never the token.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "gitmoor/core/object.hpp"

namespace gitmoor::web {

struct ApiClientOptions {
  // Base URL: http(s)://host:port[/prefix]. A bare host:port means https, as `argocd login` does.
  std::string server;
  std::string auth_token;  // sent as a Bearer token; empty: none
  bool insecure = false;   // skip TLS certificate verification
  std::string ca_file;     // PEM bundle to trust instead of the system's
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};  // whole request (not for streams)
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  std::string user_agent = "gitmoor-cli";
};

// A request that failed: status 0 when the server could not be reached (connection refused, TLS, timeout).
class ApiError : public std::runtime_error {
 public:
  ApiError(std::string method, std::string path, long status, std::string error_code, std::string message,
           std::string server = {});
  [[nodiscard]] const std::string& method() const { return method_; }
  [[nodiscard]] const std::string& path() const { return path_; }  // without the query string
  [[nodiscard]] long status() const { return status_; }
  // Argo CD's `error` field (the gRPC-style code name, e.g. "NotFound") when the server sent one.
  [[nodiscard]] const std::string& error_code() const { return error_code_; }
  // The server's `message` (or the transport error).
  [[nodiscard]] const std::string& message() const { return message_; }
  // The route does not exist on this server (an older gitmoor): 404 "no route for ...".
  [[nodiscard]] bool no_route() const;
  // The base URL of the server that answered (or could not be reached), so a 401 can say where to log in.
  [[nodiscard]] const std::string& server() const { return server_; }

 private:
  std::string method_, path_;
  long status_;
  std::string error_code_, message_;
  std::string server_;
};

struct ApiResponse {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

class ApiClient {
 public:
  explicit ApiClient(ApiClientOptions options);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  [[nodiscard]] const ApiClientOptions& options() const;

  // JSON requests. `path` starts with /api/...; build query strings with with_query. A 2xx answer's body is parsed
  // (an empty body is an empty object); anything else throws ApiError.
  core::Json get(const std::string& path);
  core::Json post(const std::string& path, const core::Json& body = core::Json::object());
  core::Json put(const std::string& path, const core::Json& body);
  core::Json del(const std::string& path);

  // Any method, no status check and no JSON parsing; throws ApiError only when the server cannot be reached.
  ApiResponse request(const std::string& method, const std::string& path, const std::string& body = {});

  // A streamed GET (logs with follow, server-sent events): `on_line` gets each line as it arrives, without its
  // newline, and returns false to stop. Ends when the server closes the stream. `accept` is the Accept header.
  // Throws ApiError on a non-2xx answer (with the server's message) or a transport failure.
  void stream(const std::string& path, const std::function<bool(std::string_view)>& on_line,
              const std::string& accept = "application/json");

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Percent-encodes a query value or path segment (RFC 3986 unreserved characters stay).
std::string url_escape(std::string_view text);
// path?k=v&k2=v2, skipping empty values; values are escaped.
std::string with_query(const std::string& path, const std::map<std::string, std::string>& query);
// The server's base URL as given on the command line: "host:port" → "https://host:port"; trailing '/' dropped.
std::string normalize_server_url(const std::string& server);

}  // namespace gitmoor::web
