// Controller::Impl's side of the user's Lua health rules: the snapshot readers take, and a change re-comparing
// every app (see health_rules_watch.hpp for where the rules come from).
#include "controller_impl.hpp"

namespace gitmoor::engine {

std::shared_ptr<const differ::LuaHealthRules> Controller::Impl::current_health_rules() const {
  std::lock_guard lock(health_rules_mutex);
  return health_rules;
}

void Controller::Impl::health_rules_changed(std::shared_ptr<const differ::LuaHealthRules> rules) {
  {
    std::lock_guard lock(health_rules_mutex);
    health_rules = std::move(rules);
  }
  std::vector<std::string> names;
  {
    std::lock_guard lock(mutex);
    for (auto& [name, record] : apps) {
      // The compare of an idle app is skipped while its inputs are unchanged; new rules are a new input.
      ++record->spec_changes;
      names.push_back(name);
    }
  }
  for (const auto& name : names) queue.add(name);
}

}  // namespace gitmoor::engine
