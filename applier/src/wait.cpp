// ResourceManager::wait: poll live objects until the differ's health module calls them Healthy (or Suspended).
#include <map>
#include <thread>

#include "gitmoor/applier/resource_manager.hpp"

namespace gitmoor::applier {

using core::Object;

ChangeSet ResourceManager::wait(const std::vector<Object>& objects, const WaitOptions& options) {
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  std::map<core::ResourceKey, std::pair<std::string, differ::Health>> pending;  // key → (path, last health)
  for (const auto& o : objects) {
    const auto resource = discovery_.find(o.gvk());
    if (!resource) continue;
    pending[o.key()] = {resource->path(o.ns(), o.name()), {differ::HealthStatus::Missing, "not read yet"}};
  }
  for (;;) {
    for (auto it = pending.begin(); it != pending.end();) {
      auto& [path, health] = it->second;
      try {
        auto response = client_.send({.method = "GET", .path = path});
        if (response.status == 404) {
          health = differ::assess_health(nullptr);
        } else if (response.status < 400) {
          const Object live(response.json());
          health = differ::assess_health(&live);
        }
      } catch (const std::exception& e) {
        health = {differ::HealthStatus::Unknown, e.what()};
      }
      const bool done =
          health.status == differ::HealthStatus::Healthy || health.status == differ::HealthStatus::Suspended;
      it = done ? pending.erase(it) : std::next(it);
    }
    if (pending.empty() || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(options.interval);
  }
  ChangeSet result;
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(options.timeout).count();
  for (const auto& [key, value] : pending) {
    const auto& health = value.second;
    result.add({.key = key,
                .action = Action::Failed,
                .message = "not healthy after " + std::to_string(seconds) + "s: " +
                           std::string(differ::to_string(health.status)) +
                           (health.message.empty() ? "" : " (" + health.message + ")")});
  }
  return result;
}

}  // namespace gitmoor::applier
