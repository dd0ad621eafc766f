// See application_events.hpp.
#include "gitmoor/engine/application_events.hpp"

#include <map>
#include <mutex>

#include "gitmoor/core/logging.hpp"

namespace gitmoor::engine {

struct ApplicationEvents::State {
  std::mutex mutex;  // held while callbacks run, so that an unsubscribe waits for a call in progress
  std::uint64_t next_id = 1;
  std::map<std::uint64_t, ApplicationChanged> callbacks;
};

ApplicationEvents::ApplicationEvents() : state_(std::make_shared<State>()) {}
ApplicationEvents::~ApplicationEvents() = default;

Subscription ApplicationEvents::subscribe(ApplicationChanged callback) {
  std::uint64_t id = 0;
  {
    std::lock_guard lock(state_->mutex);
    id = state_->next_id++;
    state_->callbacks.emplace(id, std::move(callback));
  }
  return Subscription([weak = std::weak_ptr<State>(state_), id] {
    if (auto state = weak.lock()) {
      std::lock_guard lock(state->mutex);
      state->callbacks.erase(id);
    }
  });
}

void ApplicationEvents::changed(const std::string& name, bool deleted) const {
  std::lock_guard lock(state_->mutex);
  for (const auto& entry : state_->callbacks) {
    try {
      entry.second(name, deleted);
    } catch (const std::exception& e) {  // a watcher's bug must not end the engine's step that changed the app
      core::logger("engine")->error("application {}: change watcher failed: {}", name, e.what());
    }
  }
}

}  // namespace gitmoor::engine
