// See engine_runtime.hpp.
#include "engine_runtime.hpp"

#include <limits>

#include "gitmoor/core/duration.hpp"
#include <openssl/evp.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "gitmoor/core/error.hpp"
#include "gitmoor/core/logging.hpp"
#include "gitmoor/core/quantity.hpp"

namespace gitmoor::cli {

namespace {

// One key of a Secret, re-read through the API every few seconds on a thread of its own, so the HTTP thread that
// asks never waits for the API server (a changed secret takes effect within that period; on a read error the last
// value is kept). The webhook's GitHub secret is read this way until the settings store for gitmoor-secret serves
// it. Never logs the value.
class SecretKeyReader {
 public:
  SecretKeyReader(applier::Client& client, std::string ns, std::string name, std::string key)
      : client_(client), ns_(std::move(ns)), name_(std::move(name)), key_(std::move(key)) {
    thread_ = std::jthread([this](std::stop_token stop) { loop(stop); });
  }
  ~SecretKeyReader() {
    thread_.request_stop();
    changed_.notify_all();
  }
  SecretKeyReader(const SecretKeyReader&) = delete;
  SecretKeyReader& operator=(const SecretKeyReader&) = delete;

  // The last value read; before the first read has finished, waits for it (a few seconds at most).
  std::string value() {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, kFirstReadWait, [this] { return read_; });
    return value_;
  }

 private:
  static constexpr auto kPeriod = std::chrono::seconds(5);
  static constexpr auto kFirstReadWait = std::chrono::seconds(4);

  void loop(std::stop_token stop) {
    std::mutex m;
    std::condition_variable_any sleeper;
    while (!stop.stop_requested()) {
      read_once();
      std::unique_lock lock(m);
      sleeper.wait_for(lock, stop, kPeriod, [] { return false; });
    }
  }

  void read_once() {
    std::string value;
    try {
      applier::HttpRequest request;
      request.path = "/api/v1/namespaces/" + ns_ + "/secrets/" + name_;
      request.timeout = std::chrono::seconds(3);
      const auto response = client_.send(request);
      if (response.status == 200) {
        const auto data = response.json().value("data", core::Json::object());
        if (data.contains(key_) && data[key_].is_string()) value = decode(data[key_].get<std::string>());
      } else if (response.status != 404) {
        throw core::EnvironmentError("HTTP " + std::to_string(response.status));
      }
    } catch (const std::exception& e) {
      if (!failing_) {
        core::logger("web")->warn("Secret {}/{} (key {}) could not be read; keeping the last value: {}", ns_, name_,
                                  key_, e.what());
      }
      failing_ = true;
      std::lock_guard lock(mutex_);
      read_ = true;
      changed_.notify_all();
      return;
    }
    failing_ = false;
    std::lock_guard lock(mutex_);
    value_ = std::move(value);
    read_ = true;
    changed_.notify_all();
  }

  static std::string decode(const std::string& base64) {
    if (base64.empty() || base64.size() % 4 != 0) return {};
    std::string out(base64.size() / 4 * 3, '\0');
    const int length = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                       reinterpret_cast<const unsigned char*>(base64.data()),
                                       static_cast<int>(base64.size()));
    if (length < 0) return {};
    out.resize(static_cast<std::size_t>(length));
    for (std::size_t i = base64.size(); i > 0 && base64[i - 1] == '='; --i) out.pop_back();  // padding
    return out;
  }

  applier::Client& client_;
  std::string ns_, name_, key_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string value_;
  bool read_ = false;
  bool failing_ = false;  // only the reading thread touches it
  std::jthread thread_;   // last: started once everything it uses exists, joined first
};

}  // namespace

EngineRuntime::EngineRuntime(applier::ClusterConfig cluster, EngineRuntimeOptions options)
    : options_(std::move(options)), client_(std::make_unique<applier::Client>(std::move(cluster))) {
  options_.controller.start_leading = !options_.leader_election.has_value();
  controller_ = std::make_unique<engine::Controller>(*client_, options_.controller);
  auto github_secret = std::make_shared<SecretKeyReader>(*client_, options_.controller.apps_namespace,
                                                          "gitmoor-secret", "webhook.github.secret");
  web::ApiServices services{*controller_, nullptr};
  services.webhook.github_secret = [github_secret] { return github_secret->value(); };
  services.webhook.max_body_bytes = options_.webhook_max_payload_bytes;
  services.ui = options_.ui;
  // The server reads a webhook body up to the webhook's own cap (which may exceed --max-request-body).
  options_.http.body_limits["/api/webhook"] = options_.webhook_max_payload_bytes;
  if (options_.auth) {
    auth_ = web::start_builtin_auth(web::kubernetes_auth_objects(*client_, options_.auth->apps_namespace),
                                    *options_.auth);
    services.auth = auth_;
    services.guard = web::make_auth_guard(auth_);
  }
  http_ = std::make_unique<web::HttpServer>(services, options_.http);
}

EngineRuntime::~EngineRuntime() { stop(); }

void EngineRuntime::start() {
  http_->start();
  controller_->start();
  if (options_.leader_election) {
    auto* controller = controller_.get();
    elector_ = std::make_unique<engine::LeaderElector>(
        *client_, *options_.leader_election,
        engine::LeaderCallbacks{
            .on_started_leading = [controller] { controller->set_leading(true); },
            .on_stopped_leading = [controller] { controller->set_leading(false); },
            .on_new_leader = [](const std::string& holder) {
              core::logger("engine")->info("leader: {}", holder.empty() ? "(none)" : holder);
            }});
    elector_->start();
  }
}

void EngineRuntime::stop() {
  if (elector_) elector_->stop();
  if (controller_) controller_->stop();
  if (http_) http_->stop();
}

std::string EngineRuntime::url() const { return http_->url(); }

std::filesystem::path ui_folder(const std::string& dir) {
  if (dir.empty()) return {};
  std::error_code error;
  const auto path = std::filesystem::absolute(dir, error);
  if (error || !std::filesystem::is_regular_file(path / "index.html", error)) {
    throw core::InvalidInput("--ui-dir: " + dir + " is not a folder holding index.html (the web UI's, web/ui)");
  }
  return path;
}

web::HttpServerOptions parse_listen(const std::string& listen, const std::string& flag) {
  const auto address = parse_listen_address(listen, flag);
  web::HttpServerOptions options;
  options.address = address.host;
  options.port = address.port;
  return options;
}

// `gitmoor serve`'s HTTP flags: TLS files and the server's limits (see web::HttpServerOptions).
namespace {

std::uint64_t parse_size(const std::string& text, const std::string& flag) {
  std::int64_t value = 0;
  try {
    value = core::Quantity::parse(text).value();
  } catch (const core::InvalidInput& e) {
    throw core::InvalidInput(flag + ": " + e.what());
  }
  if (value <= 0) throw core::InvalidInput(flag + ": must be more than 0, not " + text);
  return static_cast<std::uint64_t>(value);
}

}  // namespace

void apply_http_limits(web::HttpServerOptions& options, const HttpFlags& flags) {
  if (flags.tls_cert.empty() != flags.tls_key.empty()) {
    throw core::InvalidInput(flags.tls_cert.empty() ? "--tls-key needs --tls-cert" : "--tls-cert needs --tls-key");
  }
  options.tls_cert = flags.tls_cert;
  options.tls_key = flags.tls_key;
  if (!flags.max_request_body.empty()) options.max_body_bytes = parse_size(flags.max_request_body, "--max-request-body");
  if (!flags.max_header_size.empty()) {
    const auto size = parse_size(flags.max_header_size, "--max-header-size");
    if (size > std::numeric_limits<std::uint32_t>::max()) {
      throw core::InvalidInput("--max-header-size: at most 4Gi, not " + flags.max_header_size);
    }
    options.max_header_bytes = static_cast<std::uint32_t>(size);
  }
  if (flags.max_connections == 0) throw core::InvalidInput("--max-connections: must be more than 0");
  options.max_connections = flags.max_connections;
  if (!flags.idle_timeout.empty()) options.timeout = core::parse_duration(flags.idle_timeout, "--idle-timeout");
  if (!flags.stream_keepalive.empty()) {
    options.streams.keepalive = core::parse_duration(flags.stream_keepalive, "--stream-keepalive");
  }
}

bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

}  // namespace gitmoor::cli
