#include "gitmoor/applier/change_set.hpp"

#include <algorithm>
#include <sstream>

namespace gitmoor::applier {

std::string_view to_string(Action action) {
  switch (action) {
    case Action::Created: return "created";
    case Action::Configured: return "configured";
    case Action::Unchanged: return "unchanged";
    case Action::Pruned: return "pruned";
    case Action::Skipped: return "skipped";
    case Action::Failed: return "failed";
  }
  return "unknown";
}

void ChangeSet::append(const ChangeSet& other) {
  entries.insert(entries.end(), other.entries.begin(), other.entries.end());
}

bool ChangeSet::failed() const { return count(Action::Failed) > 0; }

std::size_t ChangeSet::count(Action action) const {
  return static_cast<std::size_t>(
      std::count_if(entries.begin(), entries.end(), [&](const ChangeSetEntry& e) { return e.action == action; }));
}

namespace {
std::string subject(const core::ResourceKey& key) {
  return key.kind + " " + (key.ns.empty() ? "" : key.ns + "/") + key.name;
}
}  // namespace

std::string ChangeSet::format_text() const {
  std::size_t width = 0;
  for (const auto& e : entries) width = std::max(width, subject(e.key).size());
  std::ostringstream out;
  for (const auto& e : entries) {
    const auto s = subject(e.key);
    out << s << std::string(width - s.size() + 2, ' ') << to_string(e.action);
    if (!e.message.empty()) out << "  " << e.message;
    out << "\n";
  }
  return out.str();
}

core::Json ChangeSet::to_json() const {
  core::Json items = core::Json::array();
  for (const auto& e : entries) {
    items.push_back({{"group", e.key.group},
                     {"kind", e.key.kind},
                     {"namespace", e.key.ns},
                     {"name", e.key.name},
                     {"action", std::string(to_string(e.action))},
                     {"message", e.message}});
  }
  return {{"entries", items}, {"failed", failed()}};
}

}  // namespace gitmoor::applier
