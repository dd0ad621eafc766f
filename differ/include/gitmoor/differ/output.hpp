#pragma once
// How a diff is shown: text (a unified YAML diff per resource, like kubectl diff) and JSON. Both redact Secrets.
#include <string>

#include "gitmoor/core/object.hpp"
#include "gitmoor/differ/result.hpp"

namespace gitmoor::differ {

// Unified diff of each resource that is not in sync, normalized live → predicted live, headed by its key.
std::string format_text(const AppDiff& diff);

// {"status": "...", "resources": [{"key", "group", "kind", "namespace", "name", "status", "changes": [{path, op,
// desired, live}]}]}
core::Json format_json(const AppDiff& diff);

}  // namespace gitmoor::differ
