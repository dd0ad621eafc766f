// See engine_runtime.hpp.
#include "engine_runtime.hpp"

#include <csignal>

#include "gitmoor/core/error.hpp"
#include "gitmoor/core/logging.hpp"

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
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) throw core::InvalidInput(flag + " " + listen + ": expected host:port");
  web::HttpServerOptions options;
  options.address = listen.substr(0, colon);
  if (options.address.empty()) options.address = "0.0.0.0";
  if (options.address.size() > 2 && options.address.front() == '[') {
    options.address = options.address.substr(1, options.address.size() - 2);
  }
  try {
    const int port = std::stoi(listen.substr(colon + 1));
    if (port < 0 || port > 65535) throw std::out_of_range("port");
    options.port = static_cast<std::uint16_t>(port);
  } catch (const std::exception&) {
    throw core::InvalidInput(flag + " " + listen + ": the port is not a number from 0 to 65535");
  }
  return options;
}

namespace {
sigset_t stop_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  return signals;
}
}  // namespace

void block_stop_signals() {
  const auto signals = stop_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

int wait_for_stop_signal() {
  const auto signals = stop_signals();
  int received = 0;
  sigwait(&signals, &received);
  return received;
}

}  // namespace gitmoor::cli
