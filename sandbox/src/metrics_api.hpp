#pragma once
// metrics.k8s.io/v1beta1 as metrics-server serves it, so that `kubectl top pods|nodes` works: PodMetrics for the
// Running Pods (each container's simulated usage, usage.hpp) and NodeMetrics for the nodes (their Pods' usage plus
// the node's own), get and list only, label and field selectors. The types are in the registry (discovery); the
// API server hands their requests here. An APIService v1beta1.metrics.k8s.io reports the API Available, as on a
// cluster with metrics-server.
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "cluster.hpp"
#include "usage.hpp"

namespace gitmoor::sandbox {

inline constexpr const char* kMetricsGroup = "metrics.k8s.io";
inline constexpr const char* kMetricsVersion = "v1beta1";

// Adds the metrics.k8s.io types (pods, nodes; verbs get and list) to the registry.
void register_metrics_types(Registry& registry);

// Creates the APIService v1beta1.metrics.k8s.io with condition Available True. Caller holds the store mutex.
void install_metrics_api_service(Cluster& cluster);

// Answers a request on a metrics.k8s.io resource: `verb` get or list (anything else is 405), `ns` empty for all
// namespaces (pods) or for nodes, `name` empty for a list. Caller holds the store mutex. Throws ApiError (404 for a
// Pod or node without metrics, 400 for a bad selector, 405).
Json serve_metrics(Cluster& cluster, const Usage& usage, const std::string& resource, const std::string& verb,
                   const std::string& ns, const std::string& name, const std::map<std::string, std::string>& query);

}  // namespace gitmoor::sandbox
