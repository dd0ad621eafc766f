// See engine_runtime.hpp.
#include "engine_runtime.hpp"

#include <limits>

#include "gitmoor/core/duration.hpp"
#include "gitmoor/core/error.hpp"
#include "gitmoor/core/logging.hpp"
#include "gitmoor/core/quantity.hpp"

namespace gitmoor::cli {

EngineRuntime::EngineRuntime(applier::ClusterConfig cluster, EngineRuntimeOptions options)
    : options_(std::move(options)), client_(std::make_unique<applier::Client>(std::move(cluster))) {
  options_.controller.start_leading = !options_.leader_election.has_value();
  controller_ = std::make_unique<engine::Controller>(*client_, options_.controller);
  http_ = std::make_unique<web::HttpServer>(*controller_, options_.http);
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

}  // namespace gitmoor::cli
