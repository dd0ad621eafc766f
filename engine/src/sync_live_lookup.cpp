// get_live_lookup: a LiveLookup that reads the cluster directly. See sync_operation.hpp.
#include "gitmoor/engine/sync_operation.hpp"

namespace gitmoor::engine {

LiveLookup get_live_lookup(applier::ResourceManager& resources, applier::Client& client) {
  return [&resources, &client](const core::ResourceKey& key) -> std::optional<core::Object> {
    // A ResourceKey has no version: the preferred version of its group serves it.
    for (const auto& resource : resources.discovery().listable()) {
      if (resource.gvk.group != key.group || resource.gvk.kind != key.kind) continue;
      auto response = client.send({.method = "GET", .path = resource.path(key.ns, key.name)});
      if (response.status == 404) return std::nullopt;
      if (response.status >= 400) throw applier::api_error(response, key.to_string() + " get");
      auto json = response.json();
      json["apiVersion"] = resource.gvk.api_version();
      json["kind"] = resource.gvk.kind;
      return core::Object(std::move(json));
    }
    return std::nullopt;  // a kind the server does not serve has no live object
  };
}

}  // namespace gitmoor::engine
