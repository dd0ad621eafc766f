#include "gitmoor/differ/result.hpp"

#include <algorithm>

namespace gitmoor::differ {

std::string_view to_string(SyncStatus status) {
  switch (status) {
    case SyncStatus::Synced: return "Synced";
    case SyncStatus::OutOfSync: return "OutOfSync";
    case SyncStatus::Missing: return "Missing";
    case SyncStatus::Extraneous: return "Extraneous";
  }
  return "Unknown";
}

std::string_view to_string(ChangeOp op) {
  switch (op) {
    case ChangeOp::Add: return "add";
    case ChangeOp::Remove: return "remove";
    case ChangeOp::Replace: return "replace";
  }
  return "unknown";
}

SyncStatus AppDiff::status() const {
  bool all = std::all_of(resources.begin(), resources.end(), [](const ResourceDiff& r) { return r.in_sync(); });
  return all ? SyncStatus::Synced : SyncStatus::OutOfSync;
}

std::size_t AppDiff::count(SyncStatus status) const {
  return static_cast<std::size_t>(
      std::count_if(resources.begin(), resources.end(), [&](const ResourceDiff& r) { return r.status == status; }));
}

}  // namespace gitmoor::differ
