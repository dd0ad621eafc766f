#include "metrics_api.hpp"

#include <tuple>

#include "selectors.hpp"
#include "status.hpp"

namespace gitmoor::sandbox {

namespace {

// What a node uses besides its Pods (kubelet, container runtime, system daemons).
constexpr std::int64_t kNodeBaseNanocores = 100'000'000;          // 100m
constexpr std::int64_t kNodeBaseMemoryBytes = 512LL * 1024 * 1024;  // 512Mi
// metrics-server's sampling window.
const char* kWindow = "10s";

std::string query_value(const std::map<std::string, std::string>& q, const char* key) {
  auto it = q.find(key);
  return it == q.end() ? std::string() : it->second;
}

// metrics-server reports the Pods whose containers run.
bool has_metrics(const Json& pod) { return pod.value("status", Json::object()).value("phase", "") == "Running"; }

Json metrics_metadata(const Json& object, const std::string& now) {
  const Json& md = object["metadata"];
  Json out{{"name", md.value("name", "")}, {"creationTimestamp", now}};
  if (md.contains("namespace")) out["namespace"] = md["namespace"];
  if (md.contains("labels")) out["labels"] = md["labels"];
  return out;
}

Json pod_metrics(const Json& pod, const Usage& usage, const std::string& now) {
  Json containers = Json::array();
  for (const auto& c : usage.pod_usage(pod)) {
    containers.push_back(
        {{"name", c.name}, {"usage", {{"cpu", cpu_quantity(c.cpu_nanocores)}, {"memory", memory_quantity(c.memory_bytes)}}}});
  }
  return {{"metadata", metrics_metadata(pod, now)}, {"timestamp", now}, {"window", kWindow}, {"containers", containers}};
}

std::vector<ObjectPtr> all(Cluster& cluster, const std::string& resource_id, const std::string& ns) {
  std::string next;
  std::size_t remaining = 0;
  return cluster.store.list(resource_id, ns, "", 0, [](const Json&) { return true; }, next, remaining);
}

Json node_metrics(Cluster& cluster, const Json& node, const Usage& usage, const std::string& now) {
  std::int64_t cpu = kNodeBaseNanocores;
  std::int64_t memory = kNodeBaseMemoryBytes;
  const std::string name = node["metadata"].value("name", "");
  for (const auto& pod : all(cluster, "pods", "")) {
    if (!has_metrics(*pod) || (*pod).value("spec", Json::object()).value("nodeName", "") != name) continue;
    for (const auto& c : usage.pod_usage(*pod)) {
      cpu += c.cpu_nanocores;
      memory += c.memory_bytes;
    }
  }
  return {{"metadata", metrics_metadata(node, now)},
          {"timestamp", now},
          {"window", kWindow},
          {"usage", {{"cpu", cpu_quantity(cpu)}, {"memory", memory_quantity(memory)}}}};
}

}  // namespace

void register_metrics_types(Registry& registry) {
  for (auto [plural, kind, namespaced] : {std::tuple{"pods", "PodMetrics", true}, {"nodes", "NodeMetrics", false}}) {
    ResourceType t;
    t.group = kMetricsGroup;
    t.versions = {kMetricsVersion};
    t.plural = plural;
    t.singular = std::string(kind) == "PodMetrics" ? "podmetrics" : "nodemetrics";
    t.kind = kind;
    t.namespaced = namespaced;
    t.verbs = {"get", "list"};
    registry.put(std::move(t));
  }
}

void install_metrics_api_service(Cluster& cluster) {
  const ResourceType* type = cluster.registry.find_by_id("apiservices.apiregistration.k8s.io");
  const std::string name = std::string(kMetricsVersion) + "." + kMetricsGroup;
  if (!type || cluster.store.get({type->id(), "", name})) return;
  Json service{{"apiVersion", "apiregistration.k8s.io/v1"},
               {"kind", "APIService"},
               {"metadata", {{"name", name}, {"labels", {{"k8s-app", "metrics-server"}}}}},
               {"spec",
                {{"group", kMetricsGroup},
                 {"version", kMetricsVersion},
                 {"groupPriorityMinimum", 100},
                 {"versionPriority", 100},
                 {"insecureSkipTLSVerify", true},
                 {"service", {{"name", "metrics-server"}, {"namespace", "kube-system"}, {"port", 443}}}}}};
  Json created = cluster.create(*type, "", service, {.manager = "kubectl-client-side-apply"});
  Json after = created;
  after["status"] = {{"conditions",
                      {{{"type", "Available"},
                        {"status", "True"},
                        {"reason", "Passed"},
                        {"message", "all checks passed"},
                        {"lastTransitionTime", now_rfc3339()}}}}};
  cluster.commit(*type, "", name, cluster.store.get({type->id(), "", name}), after,
                 {.manager = "kube-apiserver", .subresource = "status"}, true);
}

Json serve_metrics(Cluster& cluster, const Usage& usage, const std::string& resource, const std::string& verb,
                   const std::string& ns, const std::string& name, const std::map<std::string, std::string>& query) {
  if (verb != "get" && verb != "list") {
    throw ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
  }
  const bool pods = resource == "pods";
  LabelSelector labels = LabelSelector::parse(query_value(query, "labelSelector"));
  FieldSelector fields = FieldSelector::parse(query_value(query, "fieldSelector"));
  const std::string now = now_rfc3339();
  auto metrics_of = [&](const Json& object) {
    return pods ? pod_metrics(object, usage, now) : node_metrics(cluster, object, usage, now);
  };
  const std::string kind = pods ? "PodMetrics" : "NodeMetrics";
  if (verb == "get") {
    ObjectPtr object = cluster.store.get({pods ? "pods" : "nodes", pods ? ns : "", name});
    if (!object || (pods && !has_metrics(*object))) {
      throw not_found(kMetricsGroup, pods ? "podmetrics" : "nodemetrics", name);
    }
    Json out = metrics_of(*object);
    out["kind"] = kind;
    out["apiVersion"] = std::string(kMetricsGroup) + "/" + kMetricsVersion;
    return out;
  }
  Json items = Json::array();
  for (const auto& object : all(cluster, pods ? "pods" : "nodes", pods ? ns : "")) {
    if (pods && !has_metrics(*object)) continue;
    if (!labels.empty() && !labels.matches((*object)["metadata"].value("labels", Json::object()))) continue;
    if (!fields.empty() && !fields.matches(*object)) continue;
    items.push_back(metrics_of(*object));
  }
  return {{"kind", kind + "List"},
          {"apiVersion", std::string(kMetricsGroup) + "/" + kMetricsVersion},
          {"metadata", Json::object()},
          {"items", items}};
}

}  // namespace gitmoor::sandbox
