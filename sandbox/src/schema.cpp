#include "schema.hpp"

#include <algorithm>

namespace gitmoor::sandbox {

namespace {
bool contains(const std::vector<std::string>& path, const char* name) {
  return std::find(path.begin(), path.end(), name) != path.end();
}
ListSchema map_of(std::vector<std::string> keys) {
  ListSchema s{ListType::Map, std::move(keys), ""};
  s.merge_key = s.keys.front();
  return s;
}
}  // namespace

ListSchema list_schema(const std::vector<std::string>& path, bool builtin) {
  if (path.empty()) return {};
  const std::string& field = path.back();
  if (path.size() == 2 && path[0] == "metadata") {
    if (field == "ownerReferences") return map_of({"uid"});
    if (field == "finalizers") return {ListType::Set, {}, ""};
    return {};
  }
  if (!builtin) return {};
  if (field == "containers" || field == "initContainers" || field == "ephemeralContainers") return map_of({"name"});
  if (field == "env" || field == "imagePullSecrets" || field == "resourceClaims") return map_of({"name"});
  if (field == "volumes") return map_of({"name"});
  if (field == "volumeMounts") return map_of({"mountPath"});
  if (field == "volumeDevices") return map_of({"devicePath"});
  if (field == "conditions") return map_of({"type"});
  if (field == "hostAliases") return map_of({"ip"});
  if (field == "topologySpreadConstraints") return map_of({"topologyKey", "whenUnsatisfiable"});
  if (field == "finalizers") return {ListType::Set, {}, ""};
  // Mutating/ValidatingWebhookConfiguration (+listType=map +listMapKey=name): a cert job's caBundle stays its own.
  if (field == "webhooks" && path.size() == 1) return map_of({"name"});
  if (field == "ports") {
    if (contains(path, "containers") || contains(path, "initContainers") || contains(path, "ephemeralContainers")) {
      auto s = map_of({"containerPort", "protocol"});
      return s;
    }
    if (path.size() == 2 && path[0] == "spec") {
      auto s = map_of({"port", "protocol"});
      return s;
    }
  }
  return {};
}

}  // namespace gitmoor::sandbox
