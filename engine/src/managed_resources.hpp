#pragma once
// Argo CD's ManagedResourcesResponse: per resource of the last comparison its target (desired, as it would be
// applied), live, normalized live and predicted live states as JSON strings, with Secret values masked the same way
// in all of them (secret_masks.hpp) and the JSON patch from normalized live to predicted live. Pure.
#include <vector>

#include "gitmoor/core/object.hpp"
#include "gitmoor/differ/result.hpp"

namespace gitmoor::engine {

// `desired`: the prepared desired objects (hooks are left out, as in the comparison); `live`: the app's live objects
// (only those the diff names are used); `diff`: the comparison's. {"items": [{group, kind, namespace, name,
// targetState, liveState, normalizedLiveState, predictedLiveState, diff, hook, modified, resourceVersion}]},
// sorted by key; an absent side reads "null", as Argo CD's does.
// A resource in sync carries no states in the diff: its normalized and predicted live states are then both the
// normalized live object (applying desired would change nothing), so a client's diff of them is empty.
core::Json managed_resources_json(const std::vector<core::Object>& desired, const std::vector<core::Object>& live,
                                  const differ::AppDiff& diff);

}  // namespace gitmoor::engine
