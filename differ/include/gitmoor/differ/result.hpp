#pragma once
// What the differ says about a resource and an application: the vocabulary of Argo CD (Synced, OutOfSync, Missing,
// Extraneous) with the changes server-side apply would make.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gitmoor/core/object.hpp"

namespace gitmoor::differ {

using Json = core::Json;

enum class SyncStatus { Synced, OutOfSync, Missing, Extraneous };
std::string_view to_string(SyncStatus status);

enum class ChangeOp { Add, Remove, Replace };
std::string_view to_string(ChangeOp op);

// One field server-side apply would change. Values of Secrets are already redacted here: changes are for display.
struct Change {
  std::string path;  // JSON pointer into the live object (list elements by their index in live, or in desired if new)
  ChangeOp op = ChangeOp::Replace;
  Json desired;      // null for Remove
  Json live;         // null for Add
};

struct ResourceDiff {
  core::ResourceKey key;
  SyncStatus status = SyncStatus::Synced;
  std::vector<Change> changes;
  // Normalized objects (server-populated fields dropped): live as it is, and live as it would be after applying
  // desired. Null when that side is absent. NOT redacted: pass them through redact_secret() before showing them.
  Json live;
  Json predicted;
  bool ignored_extraneous = false;  // Extraneous but annotated compare-options IgnoreExtraneous

  [[nodiscard]] bool in_sync() const { return status == SyncStatus::Synced || ignored_extraneous; }
};

struct AppDiff {
  std::vector<ResourceDiff> resources;  // sorted by key

  // Synced when every resource is in sync; OutOfSync otherwise.
  [[nodiscard]] SyncStatus status() const;
  [[nodiscard]] bool in_sync() const { return status() == SyncStatus::Synced; }
  [[nodiscard]] std::size_t count(SyncStatus status) const;
};

}  // namespace gitmoor::differ
