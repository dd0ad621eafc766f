// The REST API client over libcurl; see api_client.hpp.
#include "gitmoor/web/api_client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>

namespace gitmoor::web {

using core::Json;

namespace {

std::once_flag curl_init_once;

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

std::string path_only(const std::string& path) { return path.substr(0, path.find('?')); }

std::size_t write_body(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

std::size_t write_header(char* data, std::size_t size, std::size_t n, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  std::string line(data, size * n);
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    (*headers)[name] = trim(line.substr(colon + 1));
  }
  return size * n;
}

// A streamed body: lines handed out as they complete; an error answer is collected whole for its message.
struct LineSink {
  const std::function<bool(std::string_view)>* on_line = nullptr;
  CURL* handle = nullptr;
  long status = 0;
  std::string pending;
  std::string error_body;
  bool stopped = false;
};

std::size_t write_lines(char* data, std::size_t size, std::size_t n, void* user) {
  auto* sink = static_cast<LineSink*>(user);
  if (sink->status == 0) curl_easy_getinfo(sink->handle, CURLINFO_RESPONSE_CODE, &sink->status);
  if (sink->status < 200 || sink->status >= 300) {
    if (sink->error_body.size() < (1u << 20)) sink->error_body.append(data, size * n);
    return size * n;
  }
  sink->pending.append(data, size * n);
  std::size_t start = 0;
  for (auto nl = sink->pending.find('\n'); nl != std::string::npos; nl = sink->pending.find('\n', start)) {
    auto line = std::string_view(sink->pending).substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    start = nl + 1;
    if (!(*sink->on_line)(line)) {
      sink->stopped = true;
      return 0;  // aborts the transfer
    }
  }
  sink->pending.erase(0, start);
  return size * n;
}

// Argo CD's error body {error, code, message}; a body that is not JSON is shown as text (cut short).
ApiError error_from(const std::string& method, const std::string& path, long status, const std::string& body,
                    const std::string& server) {
  std::string code;
  std::string message;
  try {
    const auto json = Json::parse(body);
    if (json.is_object()) {
      if (json.contains("error") && json["error"].is_string()) code = json["error"].get<std::string>();
      if (json.contains("message") && json["message"].is_string()) message = json["message"].get<std::string>();
      if (message.empty()) message = code;
    }
  } catch (const Json::parse_error&) {
    message = trim(body.substr(0, 200));
  }
  if (message.empty()) message = "HTTP " + std::to_string(status);
  return ApiError(method, path_only(path), status, code, message, server);
}

// Handles are not shared between threads: one per request, freed on scope exit.
struct Handle {
  CURL* curl = curl_easy_init();
  curl_slist* headers = nullptr;
  ~Handle() {
    if (headers != nullptr) curl_slist_free_all(headers);
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

}  // namespace

ApiError::ApiError(std::string method, std::string path, long status, std::string error_code, std::string message,
                   std::string server)
    : std::runtime_error(method + " " + path + ": " + message +
                         (status > 0 ? " (" + std::to_string(status) + ")" : std::string())),
      method_(std::move(method)), path_(std::move(path)), status_(status), error_code_(std::move(error_code)),
      message_(std::move(message)), server_(std::move(server)) {}

bool ApiError::no_route() const { return status_ == 404 && message_.rfind("no route for ", 0) == 0; }

struct ApiClient::Impl {
  ApiClientOptions options;
  std::string base;

  // Options every request shares. `timeout` 0 = none (streams).
  void prepare(Handle& h, const std::string& method, const std::string& path, const std::string& body,
               const std::string& accept, std::chrono::milliseconds timeout, char* error_buffer) {
    if (h.curl == nullptr) throw ApiError(method, path_only(path), 0, "", "cannot create a libcurl handle");
    const std::string url = base + path;
    curl_easy_setopt(h.curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h.curl, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(h.curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h.curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h.curl, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (method == "GET") {
      curl_easy_setopt(h.curl, CURLOPT_HTTPGET, 1L);
    } else if (method != "DELETE" || !body.empty()) {
      curl_easy_setopt(h.curl, CURLOPT_POSTFIELDS, body.c_str());
      curl_easy_setopt(h.curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    }
    curl_easy_setopt(h.curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(h.curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
    curl_easy_setopt(h.curl, CURLOPT_USERAGENT, options.user_agent.c_str());
    curl_easy_setopt(h.curl, CURLOPT_ACCEPT_ENCODING, "");
    h.headers = curl_slist_append(h.headers, ("Accept: " + accept).c_str());
    if (!body.empty()) h.headers = curl_slist_append(h.headers, "Content-Type: application/json");
    h.headers = curl_slist_append(h.headers, "Expect:");
    if (!options.auth_token.empty()) {
      // The token lives only in this header list, never in a URL or a message.
      h.headers = curl_slist_append(h.headers, ("Authorization: Bearer " + options.auth_token).c_str());
    }
    curl_easy_setopt(h.curl, CURLOPT_HTTPHEADER, h.headers);
    if (options.insecure) {
      curl_easy_setopt(h.curl, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(h.curl, CURLOPT_SSL_VERIFYHOST, 0L);
    } else if (!options.ca_file.empty()) {
      curl_easy_setopt(h.curl, CURLOPT_CAINFO, options.ca_file.c_str());
    }
  }

  [[noreturn]] void transport_error(const std::string& method, const std::string& path, CURLcode code,
                                    const char* error_buffer) const {
    std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    throw ApiError(method, path_only(path), 0, "", "cannot reach " + base + ": " + detail, base);
  }
};

ApiClient::ApiClient(ApiClientOptions options) : impl_(std::make_unique<Impl>()) {
  std::call_once(curl_init_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  impl_->options = std::move(options);
  impl_->base = normalize_server_url(impl_->options.server);
}

ApiClient::~ApiClient() = default;

const ApiClientOptions& ApiClient::options() const { return impl_->options; }

ApiResponse ApiClient::request(const std::string& method, const std::string& path, const std::string& body) {
  Handle h;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  impl_->prepare(h, method, path, body, "application/json", impl_->options.timeout, error_buffer);
  ApiResponse response;
  curl_easy_setopt(h.curl, CURLOPT_WRITEFUNCTION, write_body);
  curl_easy_setopt(h.curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(h.curl, CURLOPT_HEADERFUNCTION, write_header);
  curl_easy_setopt(h.curl, CURLOPT_HEADERDATA, &response.headers);
  const CURLcode code = curl_easy_perform(h.curl);
  if (code != CURLE_OK) impl_->transport_error(method, path, code, error_buffer);
  curl_easy_getinfo(h.curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

namespace {
Json checked_json(const std::string& method, const std::string& path, const ApiResponse& r,
                  const std::string& server) {
  if (r.status < 200 || r.status >= 300) throw error_from(method, path, r.status, r.body, server);
  if (r.body.find_first_not_of(" \t\r\n") == std::string::npos) return Json::object();
  try {
    return Json::parse(r.body);
  } catch (const Json::parse_error& e) {
    throw ApiError(method, path_only(path), r.status, "", std::string("the answer is not JSON: ") + e.what(), server);
  }
}
}  // namespace

Json ApiClient::get(const std::string& path) { return checked_json("GET", path, request("GET", path), impl_->base); }

Json ApiClient::post(const std::string& path, const Json& body) {
  return checked_json("POST", path, request("POST", path, body.dump()), impl_->base);
}

Json ApiClient::put(const std::string& path, const Json& body) {
  return checked_json("PUT", path, request("PUT", path, body.dump()), impl_->base);
}

Json ApiClient::del(const std::string& path) {
  return checked_json("DELETE", path, request("DELETE", path), impl_->base);
}

void ApiClient::stream(const std::string& path, const std::function<bool(std::string_view)>& on_line,
                       const std::string& accept) {
  Handle h;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  impl_->prepare(h, "GET", path, {}, accept, std::chrono::milliseconds(0), error_buffer);
  LineSink sink;
  sink.on_line = &on_line;
  sink.handle = h.curl;
  curl_easy_setopt(h.curl, CURLOPT_WRITEFUNCTION, write_lines);
  curl_easy_setopt(h.curl, CURLOPT_WRITEDATA, &sink);
  const CURLcode code = curl_easy_perform(h.curl);
  if (sink.stopped) return;
  if (code != CURLE_OK) impl_->transport_error("GET", path, code, error_buffer);
  long status = 0;
  curl_easy_getinfo(h.curl, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status >= 300) throw error_from("GET", path, status, sink.error_body, impl_->base);
  if (!sink.pending.empty()) on_line(sink.pending);  // a last line without its newline
}

std::string url_escape(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string with_query(const std::string& path, const std::map<std::string, std::string>& query) {
  std::string out = path;
  char sep = path.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [key, value] : query) {
    if (value.empty()) continue;
    out += sep;
    out += url_escape(key) + "=" + url_escape(value);
    sep = '&';
  }
  return out;
}

std::string normalize_server_url(const std::string& server) {
  std::string url = trim(server);
  if (url.find("://") == std::string::npos) url = "https://" + url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace gitmoor::web
