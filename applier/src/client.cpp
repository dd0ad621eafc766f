// The Kubernetes API client over libcurl; see client.hpp.
#include "gitmoor/applier/client.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "gitmoor/applier/exec_credential.hpp"
#include "request_metrics.hpp"
#include "request_path.hpp"

namespace gitmoor::applier {

using core::Json;
using Clock = std::chrono::steady_clock;

namespace {

std::once_flag curl_init_once;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

std::size_t write_body(char* data, std::size_t size, std::size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

// A watch body: lines handed out as they complete.
struct StreamSink {
  const std::function<bool(std::string_view)>* on_line = nullptr;
  const std::function<bool()>* cancelled = nullptr;
  std::string pending;
  std::string* error_body = nullptr;
  long status = 0;
  CURL* handle = nullptr;
};

std::size_t write_stream(char* data, std::size_t size, std::size_t n, void* user) {
  auto* sink = static_cast<StreamSink*>(user);
  if (sink->status == 0) curl_easy_getinfo(sink->handle, CURLINFO_RESPONSE_CODE, &sink->status);
  if (sink->status >= 300) {
    if (sink->error_body != nullptr) sink->error_body->append(data, size * n);
    return size * n;
  }
  sink->pending.append(data, size * n);
  std::size_t start = 0;
  for (auto nl = sink->pending.find('\n'); nl != std::string::npos; nl = sink->pending.find('\n', start)) {
    if (nl > start && !(*sink->on_line)(std::string_view(sink->pending).substr(start, nl - start))) return 0;
    start = nl + 1;
  }
  sink->pending.erase(0, start);
  return size * n;
}

int stream_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* sink = static_cast<StreamSink*>(user);
  return (*sink->cancelled)() ? 1 : 0;
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

// A token bucket: `burst` requests at once, then `qps` per second.
class RateLimiter {
 public:
  RateLimiter(double qps, int burst) : qps_(qps), burst_(std::max(1, burst)), tokens_(burst_), last_(Clock::now()) {}
  void acquire() {
    if (qps_ <= 0) return;
    std::unique_lock lock(mutex_);
    for (;;) {
      const auto now = Clock::now();
      tokens_ = std::min<double>(burst_, tokens_ + std::chrono::duration<double>(now - last_).count() * qps_);
      last_ = now;
      if (tokens_ >= 1) {
        tokens_ -= 1;
        return;
      }
      const auto wait = std::chrono::duration<double>((1 - tokens_) / qps_);
      lock.unlock();
      std::this_thread::sleep_for(wait);
      lock.lock();
    }
  }

 private:
  double qps_;
  int burst_;
  double tokens_;
  Clock::time_point last_;
  std::mutex mutex_;
};

// scheme://host:port and the rest of the server URL (a path prefix behind a proxy).
struct ServerUrl {
  std::string scheme, host, port, prefix;
};

ServerUrl parse_server(const std::string& server) {
  ServerUrl out;
  auto rest = server;
  const auto sep = rest.find("://");
  out.scheme = sep == std::string::npos ? "https" : rest.substr(0, sep);
  if (sep != std::string::npos) rest = rest.substr(sep + 3);
  const auto slash = rest.find('/');
  std::string hostport = rest.substr(0, slash);
  out.prefix = slash == std::string::npos ? "" : rest.substr(slash);
  while (!out.prefix.empty() && out.prefix.back() == '/') out.prefix.pop_back();
  const auto colon = hostport.rfind(':');
  if (colon != std::string::npos && hostport.find(']', colon) == std::string::npos) {
    out.host = hostport.substr(0, colon);
    out.port = hostport.substr(colon + 1);
  } else {
    out.host = hostport;
    out.port = out.scheme == "http" ? "80" : "443";
  }
  return out;
}

}  // namespace

Json HttpResponse::json() const {
  if (body.empty()) return Json::object();
  return Json::parse(body);
}

struct Client::Impl {
  ClusterConfig cluster;
  ClientOptions options;
  ServerUrl server;
  std::string base_url;    // what requests are sent to (the tls-server-name when set)
  std::string connect_to;  // CURLOPT_CONNECT_TO entry mapping it back to the real host
  RateLimiter limiter;
  std::optional<ExecCredentialCache> exec;

  std::mutex pool_mutex;
  std::vector<CURL*> idle;  // easy handles keep their connections alive between requests

  mutable std::mutex stats_mutex;
  std::map<std::tuple<std::string, std::string, long>, RequestStat> stats;

  std::mutex random_mutex;
  std::mt19937_64 random{std::random_device{}()};

  Impl(ClusterConfig c, ClientOptions o)
      : cluster(std::move(c)), options(std::move(o)), server(parse_server(cluster.server)),
        limiter(options.qps, options.burst) {
    std::call_once(curl_init_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    if (!cluster.tls_server_name.empty()) {
      base_url = server.scheme + "://" + cluster.tls_server_name + ":" + server.port + server.prefix;
      connect_to = cluster.tls_server_name + ":" + server.port + ":" + server.host + ":" + server.port;
    } else {
      base_url = server.scheme + "://" + server.host + ":" + server.port + server.prefix;
    }
    if (cluster.exec) exec.emplace(*cluster.exec);
  }

  ~Impl() {
    for (CURL* h : idle) curl_easy_cleanup(h);
  }

  CURL* acquire() {
    {
      std::lock_guard lock(pool_mutex);
      if (!idle.empty()) {
        CURL* h = idle.back();
        idle.pop_back();
        return h;
      }
    }
    CURL* h = curl_easy_init();
    if (h == nullptr) throw ApiError(0, "", "cannot create a libcurl handle");
    return h;
  }

  void release(CURL* h) {
    std::lock_guard lock(pool_mutex);
    idle.push_back(h);
  }

  std::chrono::milliseconds backoff(int attempt) {
    const auto base = options.backoff_base.count() * (1LL << std::min(attempt, 10));
    const auto capped = std::min<long long>(base, options.backoff_max.count());
    std::lock_guard lock(random_mutex);
    // Full jitter: clients retrying together do not come back together.
    std::uniform_int_distribution<long long> dist(capped / 2, std::max<long long>(capped / 2, capped));
    return std::chrono::milliseconds(dist(random));
  }

  void record(const RequestKind& kind, long code, Clock::duration latency, bool streamed) {
    record_request_metrics(kind, code, latency, streamed);
    std::lock_guard lock(stats_mutex);
    auto& s = stats[{kind.verb, kind.resource, code}];
    s.verb = kind.verb;
    s.resource = kind.resource;
    s.code = code;
    ++s.count;
    s.total_latency += std::chrono::duration_cast<std::chrono::microseconds>(latency);
  }

  // One attempt. Returns the curl code; fills response.
  CURLcode perform(const HttpRequest& request, HttpResponse& response, std::string& error, bool refresh_exec,
                   StreamSink* sink = nullptr) {
    CURL* h = acquire();
    curl_easy_reset(h);  // keeps the handle's connection cache
    char error_buffer[CURL_ERROR_SIZE] = {0};
    const std::string url = base_url + request.path;
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method == "GET") {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (!request.body.empty() || request.method == "POST" || request.method == "PUT" ||
               request.method == "PATCH") {
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.c_str());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    }
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // gzip and whatever else libcurl decodes
    const auto timeout = request.timeout.count() > 0 ? request.timeout : options.timeout;
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_USERAGENT, options.user_agent.c_str());
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);

    curl_slist* headers = nullptr;
    headers = curl_slist_append(headers, "Accept: application/json");
    if (!request.body.empty()) headers = curl_slist_append(headers, ("Content-Type: " + request.content_type).c_str());
    headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip for large bodies

    // Credentials: a bearer token (inline, file re-read every time so rotation is picked up, or exec plugin),
    // client certificate, or basic auth.
    std::string token = cluster.token;
    if (!cluster.token_file.empty()) token = trim(read_file(cluster.token_file));
    std::string cert_pem = cluster.client_cert_pem, key_pem = cluster.client_key_pem;
    if (exec) {
      const auto credential = exec->get(refresh_exec);
      if (!credential.token.empty()) token = credential.token;
      if (!credential.client_cert_pem.empty()) {
        cert_pem = credential.client_cert_pem;
        key_pem = credential.client_key_pem;
      }
    }
    std::string auth_header;
    if (!token.empty()) {
      auth_header = "Authorization: Bearer " + token;
      headers = curl_slist_append(headers, auth_header.c_str());
    } else if (!cluster.username.empty()) {
      curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
      curl_easy_setopt(h, CURLOPT_USERNAME, cluster.username.c_str());
      curl_easy_setopt(h, CURLOPT_PASSWORD, cluster.password.c_str());
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);

    curl_slist* connect_to_list = nullptr;
    if (!connect_to.empty()) {
      connect_to_list = curl_slist_append(connect_to_list, connect_to.c_str());
      curl_easy_setopt(h, CURLOPT_CONNECT_TO, connect_to_list);
    }
    if (cluster.insecure_skip_tls_verify) {
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    curl_blob ca_blob{};
    if (!cluster.ca_pem.empty()) {
      ca_blob = {const_cast<char*>(cluster.ca_pem.data()), cluster.ca_pem.size(), CURL_BLOB_NOCOPY};
      curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &ca_blob);
    } else if (!cluster.ca_file.empty()) {
      curl_easy_setopt(h, CURLOPT_CAINFO, cluster.ca_file.c_str());
    }
    curl_blob cert_blob{}, key_blob{};
    if (!cert_pem.empty()) {
      cert_blob = {cert_pem.data(), cert_pem.size(), CURL_BLOB_NOCOPY};
      key_blob = {key_pem.data(), key_pem.size(), CURL_BLOB_NOCOPY};
      curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &cert_blob);
      curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
      curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &key_blob);
      curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
    } else if (!cluster.client_cert_file.empty()) {
      curl_easy_setopt(h, CURLOPT_SSLCERT, cluster.client_cert_file.c_str());
      curl_easy_setopt(h, CURLOPT_SSLKEY, cluster.client_key_file.c_str());
    }
    if (!cluster.proxy_url.empty()) curl_easy_setopt(h, CURLOPT_PROXY, cluster.proxy_url.c_str());

    response = {};
    if (sink != nullptr) {
      sink->handle = h;
      curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_stream);
      curl_easy_setopt(h, CURLOPT_WRITEDATA, sink);
      curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, stream_progress);
      curl_easy_setopt(h, CURLOPT_XFERINFODATA, sink);
    } else {
      curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_body);
      curl_easy_setopt(h, CURLOPT_WRITEDATA, &response.body);
    }
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, write_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &response.headers);

    const CURLcode code = curl_easy_perform(h);
    if (code == CURLE_OK) {
      curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
    } else {
      error = error_buffer[0] != '\0' ? std::string(error_buffer) : std::string(curl_easy_strerror(code));
    }
    // Nothing that points into this stack frame may stay on the pooled handle.
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(h, CURLOPT_CONNECT_TO, nullptr);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
    curl_slist_free_all(headers);
    curl_slist_free_all(connect_to_list);
    release(h);
    return code;
  }
};

Client::Client(ClusterConfig cluster, ClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(cluster), std::move(options))) {}

Client::~Client() = default;

const ClusterConfig& Client::cluster() const { return impl_->cluster; }

HttpResponse Client::send(const HttpRequest& request) {
  const auto kind = classify_request(request.method, request.path);
  const std::string subject = request.method + " " + impl_->base_url + request.path;
  bool refreshed_exec = false;
  bool reread_token = false;
  for (int attempt = 0;; ++attempt) {
    impl_->limiter.acquire();
    HttpResponse response;
    std::string error;
    const auto started = Clock::now();
    const CURLcode code = impl_->perform(request, response, error, false);
    impl_->record(kind, code == CURLE_OK ? response.status : 0, Clock::now() - started, false);
    const bool can_retry = request.idempotent && attempt < impl_->options.max_retries;
    if (code != CURLE_OK) {
      // TLS verification failures will not heal by retrying; say so plainly.
      const bool tls = code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE ||
                       code == CURLE_SSL_CERTPROBLEM || code == CURLE_SSL_CONNECT_ERROR;
      if (tls || !can_retry) {
        throw ApiError(0, tls ? "TLSError" : "ConnectionError",
                       subject + ": " + (tls ? "TLS error: " : "") + error);
      }
      std::this_thread::sleep_for(impl_->backoff(attempt));
      continue;
    }
    if (response.status == 401 && impl_->exec && !refreshed_exec) {
      // The plugin's credential may have been revoked before its expiry: ask once more.
      refreshed_exec = true;
      impl_->exec->get(true);
      continue;
    }
    if (response.status == 401 && !impl_->cluster.token_file.empty() && !reread_token) {
      // A rotated service-account token: the kubelet swaps the file before the old token stops working, but a request
      // that read the old one just before the swap can reach the server after its revocation. Once more, with the
      // file as it is now (perform reads it on every attempt).
      reread_token = true;
      continue;
    }
    if ((response.status == 429 || response.status >= 500) && can_retry) {
      auto wait = impl_->backoff(attempt);
      if (auto it = response.headers.find("retry-after"); it != response.headers.end()) {
        try {
          wait = std::max(wait, std::chrono::milliseconds(std::stoll(it->second) * 1000));
        } catch (const std::exception&) {
        }
        wait = std::min(wait, std::chrono::milliseconds(std::chrono::seconds(30)));
      }
      std::this_thread::sleep_for(wait);
      continue;
    }
    return response;
  }
}

long Client::stream(const std::string& path, const std::function<bool(std::string_view)>& on_line,
                    const std::function<bool()>& cancelled, std::chrono::milliseconds timeout,
                    std::string* error_body) {
  const auto kind = classify_request("GET", path);
  // As send(): a 401 with a token file is tried once more with the file as it is now (a rotation in between).
  for (bool reread_token = false;; reread_token = true) {
    impl_->limiter.acquire();
    StreamSink sink{.on_line = &on_line, .cancelled = &cancelled, .pending = {}, .error_body = error_body};
    HttpResponse response;
    std::string error;
    const auto started = Clock::now();
    const CURLcode code =
        impl_->perform({.method = "GET", .path = path, .timeout = timeout}, response, error, false, &sink);
    const long status = code == CURLE_OK || code == CURLE_WRITE_ERROR || code == CURLE_OPERATION_TIMEDOUT
                            ? (response.status != 0 ? response.status : sink.status)
                            : 0;
    impl_->record(kind, status, Clock::now() - started, true);
    if (status == 401 && !impl_->cluster.token_file.empty() && !reread_token) {
      if (error_body != nullptr) error_body->clear();
      continue;
    }
    return status;
  }
}

Json Client::request_json(const HttpRequest& request) {
  auto response = send(request);
  if (response.status >= 400) throw api_error(response, request.method + " " + request.path);
  try {
    return response.json();
  } catch (const std::exception&) {
    throw ApiError(response.status, "BadResponse", request.method + " " + request.path + ": response is not JSON");
  }
}

std::vector<RequestStat> Client::stats() const {
  std::lock_guard lock(impl_->stats_mutex);
  std::vector<RequestStat> out;
  for (const auto& [key, stat] : impl_->stats) out.push_back(stat);
  return out;
}

ApiError api_error(const HttpResponse& response, const std::string& subject) {
  std::string reason, message;
  try {
    const auto body = response.json();
    if (body.is_object()) {
      reason = body.value("reason", "");
      message = body.value("message", "");
    }
  } catch (const std::exception&) {
    message = response.body.substr(0, 300);
  }
  if (message.empty()) message = "HTTP " + std::to_string(response.status);
  return ApiError(response.status, reason, subject + ": " + message);
}

}  // namespace gitmoor::applier
