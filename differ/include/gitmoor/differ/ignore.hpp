#pragma once
// ignoreDifferences (Argo CD's field names): differences a user declared not to be drift.
#include <string>
#include <vector>

#include "gitmoor/core/object.hpp"

namespace gitmoor::differ {

using Json = core::Json;

struct IgnoreRule {
  std::string group;  // "" matches the core group only when kind is set; "*" or absent matches every group
  bool any_group = true;
  std::string kind;       // "" matches every kind
  std::string name;       // "" matches every name
  std::string ns;         // "" matches every namespace
  std::vector<std::string> json_pointers;           // a change at or under one of these is ignored
  std::vector<std::string> managed_fields_managers;  // a change to a field owned by one of these is ignored

  [[nodiscard]] bool matches(const core::ResourceKey& key) const;
};

// Parses `[{group, kind, name, namespace, jsonPointers, managedFieldsManagers}]` (an Application's
// spec.ignoreDifferences), or an object holding that list under `ignoreDifferences`. Throws core::InvalidInput naming
// the bad entry (jqPathExpressions are refused rather than silently not applied).
std::vector<IgnoreRule> parse_ignore_rules(const Json& value);

}  // namespace gitmoor::differ
