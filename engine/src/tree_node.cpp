// See tree_node.hpp.
#include "tree_node.hpp"

#include <set>

#include "gitmoor/differ/health.hpp"

namespace gitmoor::engine {

using core::Json;

namespace {

constexpr const char* kNode = "node";  // the member of a compact object holding health, info and images

const Json& member(const Json& object, const char* name) {
  static const Json empty;
  if (!object.is_object()) return empty;
  const auto it = object.find(name);
  return it == object.end() ? empty : *it;
}

std::string text(const Json& object, const char* name) {
  const auto& value = member(object, name);
  return value.is_string() ? value.get<std::string>() : std::string();
}

long long number(const Json& object, const char* name) {
  const auto& value = member(object, name);
  return value.is_number() ? value.get<long long>() : 0;
}

std::pair<std::string, std::string> group_version(const std::string& api_version) {
  const auto slash = api_version.find('/');
  if (slash == std::string::npos) return {"", api_version};
  return {api_version.substr(0, slash), api_version.substr(slash + 1)};
}

// The pod spec of a Pod or of a workload's template (CronJob: its job template's).
const Json* pod_spec(const Json& object) {
  const std::string kind = text(object, "kind");
  const Json* spec = &member(object, "spec");
  if (!spec->is_object()) return nullptr;
  if (kind == "Pod") return spec;
  if (kind == "CronJob") spec = &member(member(*spec, "jobTemplate"), "spec");
  const Json& inner = member(member(*spec, "template"), "spec");
  return inner.is_object() ? &inner : nullptr;
}

Json images_of(const Json& object) {
  const Json* spec = pod_spec(object);
  std::set<std::string> images;
  if (spec != nullptr) {
    for (const char* field : {"initContainers", "containers"}) {
      const auto& list = member(*spec, field);
      if (!list.is_array()) continue;
      for (const auto& container : list) {
        if (auto image = text(container, "image"); !image.empty()) images.insert(image);
      }
    }
  }
  Json out = Json::array();
  for (const auto& image : images) out.push_back(image);
  return out;
}

Json info_item(std::string name, std::string value) { return {{"name", std::move(name)}, {"value", std::move(value)}}; }

// What a terminated container's state says, as kubectl prints it: its reason, else the signal or exit code.
std::string terminated_reason(const Json& terminated, const std::string& prefix) {
  if (auto reason = text(terminated, "reason"); !reason.empty()) return prefix + reason;
  if (auto signal = number(terminated, "signal"); signal != 0) return prefix + "Signal:" + std::to_string(signal);
  return prefix + "ExitCode:" + std::to_string(number(terminated, "exitCode"));
}

Json node_info(const Json& object) {
  const std::string kind = text(object, "kind");
  const auto [group, version] = group_version(text(object, "apiVersion"));
  (void)version;
  if (group.empty() && kind == "Pod") return pod_info(object);
  Json info = Json::array();
  if (group == "apps" && (kind == "ReplicaSet" || kind == "Deployment")) {
    const auto revision = text(member(member(object, "metadata"), "annotations"), "deployment.kubernetes.io/revision");
    if (!revision.empty()) info.push_back(info_item("Revision", "Rev:" + revision));
  }
  return info;
}

}  // namespace

Json pod_info(const Json& pod) {
  const Json& spec = member(pod, "spec");
  const Json& status = member(pod, "status");
  std::string reason = text(status, "phase");
  if (auto r = text(status, "reason"); !r.empty()) reason = r;
  long long restarts = 0;

  // Init containers first: while one has not finished, the Pod is initializing and that is its reason.
  bool initializing = false;
  const auto& init_statuses = member(status, "initContainerStatuses");
  const auto init_count = member(spec, "initContainers").is_array() ? member(spec, "initContainers").size() : 0;
  if (init_statuses.is_array()) {
    for (std::size_t i = 0; i < init_statuses.size(); ++i) {
      const auto& container = init_statuses[i];
      restarts += number(container, "restartCount");
      const auto& state = member(container, "state");
      const auto& terminated = member(state, "terminated");
      const auto& waiting = member(state, "waiting");
      if (terminated.is_object() && number(terminated, "exitCode") == 0) continue;
      initializing = true;
      if (terminated.is_object()) {
        reason = terminated_reason(terminated, "Init:");
      } else if (auto w = text(waiting, "reason"); !w.empty() && w != "PodInitializing") {
        reason = "Init:" + w;
      } else {
        reason = "Init:" + std::to_string(i) + "/" + std::to_string(init_count);
      }
      break;
    }
  }

  long long ready = 0;
  const auto& containers = member(spec, "containers");
  const std::size_t total = containers.is_array() ? containers.size() : 0;
  if (!initializing) {
    restarts = 0;
    bool running = false;
    const auto& statuses = member(status, "containerStatuses");
    if (statuses.is_array()) {
      // Last to first, as kubectl does: the first container's state is the one that shows.
      for (auto it = statuses.rbegin(); it != statuses.rend(); ++it) {
        const auto& container = *it;
        restarts += number(container, "restartCount");
        const auto& state = member(container, "state");
        const auto& waiting = member(state, "waiting");
        const auto& terminated = member(state, "terminated");
        if (auto w = text(waiting, "reason"); !w.empty()) {
          reason = w;
        } else if (terminated.is_object()) {
          reason = terminated_reason(terminated, "");
        } else if (member(container, "ready") == true && member(state, "running").is_object()) {
          running = true;
          ++ready;
        }
      }
    }
    // One container done and another still serving: the Pod is running.
    if (reason == "Completed" && running) reason = "Running";
  }
  const auto& metadata = member(pod, "metadata");
  if (!member(metadata, "deletionTimestamp").is_null()) {
    reason = text(status, "reason") == "NodeLost" ? "Unknown" : "Terminating";
  }

  Json info = Json::array();
  if (!reason.empty()) info.push_back(info_item("Status Reason", reason));
  if (auto node = text(spec, "nodeName"); !node.empty()) info.push_back(info_item("Node", node));
  info.push_back(info_item("Containers", std::to_string(ready) + "/" + std::to_string(total)));
  info.push_back(info_item("Restart Count", std::to_string(restarts)));
  return info;
}

Json compact_object(const Json& object, const differ::LuaHealthRules& health_rules) {
  if (member(object, kNode).is_object()) return object;
  const Json& metadata = member(object, "metadata");
  Json compact_metadata = Json::object();
  for (const char* field : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
    if (auto value = text(metadata, field); !value.empty()) compact_metadata[field] = value;
  }
  Json owners = Json::array();
  const auto& references = member(metadata, "ownerReferences");
  if (references.is_array()) {
    for (const auto& reference : references) {
      owners.push_back({{"apiVersion", text(reference, "apiVersion")},
                        {"kind", text(reference, "kind")},
                        {"name", text(reference, "name")},
                        {"uid", text(reference, "uid")}});
    }
  }
  if (!owners.empty()) compact_metadata["ownerReferences"] = std::move(owners);

  const core::Object live{object};
  const auto health = differ::assess_health(&live, health_rules);
  Json health_json{{"status", std::string(differ::to_string(health.status))}};
  if (!health.message.empty()) health_json["message"] = health.message;
  Json node{{"health", std::move(health_json)}, {"info", node_info(object)}};
  if (auto images = images_of(object); !images.empty()) node["images"] = std::move(images);
  return {{"apiVersion", text(object, "apiVersion")},
          {"kind", text(object, "kind")},
          {"metadata", std::move(compact_metadata)},
          {kNode, std::move(node)}};
}

Json tree_node(const Json& object, const differ::LuaHealthRules& health_rules) {
  const Json compact = compact_object(object, health_rules);
  const Json& metadata = member(compact, "metadata");
  const Json& node = member(compact, kNode);
  const auto [group, version] = group_version(text(compact, "apiVersion"));
  const std::string ns = text(metadata, "namespace");

  Json parents = Json::array();
  const auto& owners = member(metadata, "ownerReferences");
  if (owners.is_array()) {
    for (const auto& owner : owners) {
      parents.push_back({{"group", group_version(text(owner, "apiVersion")).first},
                         {"kind", text(owner, "kind")},
                         {"namespace", ns},  // owners are in the same namespace (or cluster-scoped)
                         {"name", text(owner, "name")},
                         {"uid", text(owner, "uid")}});
    }
  }
  Json out{{"group", group},
           {"version", version},
           {"kind", text(compact, "kind")},
           {"namespace", ns},
           {"name", text(metadata, "name")},
           {"uid", text(metadata, "uid")},
           {"resourceVersion", text(metadata, "resourceVersion")},
           {"parentRefs", std::move(parents)},
           {"health", member(node, "health")},
           {"info", member(node, "info").is_array() ? member(node, "info") : Json::array()},
           {"images", member(node, "images").is_array() ? member(node, "images") : Json::array()}};
  if (auto created = text(metadata, "creationTimestamp"); !created.empty()) out["createdAt"] = created;
  return out;
}

}  // namespace gitmoor::engine
