// See managed_resources.hpp.
#include "managed_resources.hpp"

#include <map>

#include "gitmoor/differ/normalize.hpp"
#include "gitmoor/engine/sync_operation.hpp"
#include "secret_masks.hpp"

namespace gitmoor::engine {

using core::Json;

Json managed_resources_json(const std::vector<core::Object>& desired, const std::vector<core::Object>& live,
                            const differ::AppDiff& diff) {
  std::map<core::ResourceKey, const core::Object*> desired_by_key, live_by_key;
  for (const auto& object : desired) {
    if (hook_type(object).empty()) desired_by_key[object.key()] = &object;
  }
  for (const auto& object : live) live_by_key[object.key()] = &object;

  Json items = Json::array();
  for (const auto& resource : diff.resources) {
    const auto d = desired_by_key.find(resource.key);
    const auto l = live_by_key.find(resource.key);
    Json target = d == desired_by_key.end() ? Json() : d->second->json();
    Json live_state = l == live_by_key.end() ? Json() : l->second->json();
    Json normalized = resource.live;
    Json predicted = resource.predicted;
    if (resource.in_sync() && normalized.is_null() && predicted.is_null() && l != live_by_key.end()) {
      // The differ keeps no states for a resource in sync (the common case stays cheap): applying desired would
      // change nothing, so predicted live is the normalized live object itself.
      normalized = differ::normalize(l->second->json());
      predicted = normalized;
    }
    mask_secret_values({&target, &live_state, &normalized, &predicted});

    Json item{{"group", resource.key.group},
              {"kind", resource.key.kind},
              {"namespace", resource.key.ns},
              {"name", resource.key.name},
              {"targetState", target.dump()},
              {"liveState", live_state.dump()},
              {"normalizedLiveState", normalized.dump()},
              {"predictedLiveState", predicted.dump()},
              {"hook", false},
              {"modified", !resource.in_sync()}};
    // The deprecated `diff` of Argo CD: a JSON patch (RFC 6902) from the normalized live state to the predicted one.
    if (!resource.in_sync() && !normalized.is_null() && !predicted.is_null()) {
      item["diff"] = Json::diff(normalized, predicted).dump();
    }
    if (!live_state.is_null()) {
      item["resourceVersion"] = live_state.value("metadata", Json::object()).value("resourceVersion", "");
    }
    items.push_back(std::move(item));
  }
  return {{"items", std::move(items)}};
}

}  // namespace gitmoor::engine
