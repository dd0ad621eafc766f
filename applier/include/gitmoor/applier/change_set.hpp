#pragma once
// What every verb of the ResourceManager returns: one entry per object with what happened to it. Failures are
// entries too, so a failed run still reports everything it did.
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "gitmoor/core/object.hpp"

namespace gitmoor::applier {

enum class Action { Created, Configured, Unchanged, Pruned, Skipped, Failed };
std::string_view to_string(Action action);

struct ChangeSetEntry {
  core::ResourceKey key;
  Action action = Action::Unchanged;
  std::string message;  // the API server's message on failure, why on skipped
};

struct ChangeSet {
  std::vector<ChangeSetEntry> entries;

  void add(ChangeSetEntry entry) { entries.push_back(std::move(entry)); }
  void append(const ChangeSet& other);
  [[nodiscard]] bool failed() const;
  [[nodiscard]] std::size_t count(Action action) const;
  // `Deployment game/backend  configured` rows, aligned; message after the action.
  [[nodiscard]] std::string format_text() const;
  [[nodiscard]] core::Json to_json() const;
};

}  // namespace gitmoor::applier
