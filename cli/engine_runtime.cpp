// See engine_runtime.hpp.
#include "engine_runtime.hpp"

#include "gitmoor/core/error.hpp"
#include "gitmoor/core/logging.hpp"

namespace gitmoor::cli {

EngineRuntime::EngineRuntime(applier::ClusterConfig cluster, EngineRuntimeOptions options)
    : options_(std::move(options)), client_(std::make_unique<applier::Client>(std::move(cluster))) {
  options_.controller.start_leading = !options_.leader_election.has_value();
  controller_ = std::make_unique<engine::Controller>(*client_, options_.controller);
  web::ApiServices services{*controller_, nullptr};
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

web::HttpServerOptions parse_listen(const std::string& listen, const std::string& flag) {
  const auto address = parse_listen_address(listen, flag);
  web::HttpServerOptions options;
  options.address = address.host;
  options.port = address.port;
  return options;
}

bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

}  // namespace gitmoor::cli
