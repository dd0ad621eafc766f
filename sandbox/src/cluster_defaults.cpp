#include "cluster_defaults.hpp"

namespace gitmoor::sandbox {

namespace {

void create_if_missing(Cluster& cluster, const std::string& resource_id, Json object, const std::string& manager) {
  const ResourceType* type = cluster.registry.find_by_id(resource_id);
  if (!type || cluster.get(*type, "", object["metadata"].value("name", ""))) return;
  cluster.create(*type, "", std::move(object), {.manager = manager});
}

}  // namespace

void install_cluster_defaults(Cluster& cluster) {
  create_if_missing(cluster, "storageclasses.storage.k8s.io",
                    {{"apiVersion", "storage.k8s.io/v1"},
                     {"kind", "StorageClass"},
                     {"metadata", {{"name", "local-path"}}},
                     {"provisioner", "rancher.io/local-path"},
                     {"reclaimPolicy", "Delete"},
                     {"volumeBindingMode", "WaitForFirstConsumer"},
                     {"allowVolumeExpansion", false}},
                    "local-path-provisioner");
  // kube-apiserver's bootstrap PriorityClasses (pkg/apis/scheduling: SystemCriticalPriority = 2000000000).
  for (const auto& [name, value] : {std::pair{"system-node-critical", 2000001000},
                                    std::pair{"system-cluster-critical", 2000000000}}) {
    create_if_missing(cluster, "priorityclasses.scheduling.k8s.io",
                      {{"apiVersion", "scheduling.k8s.io/v1"},
                       {"kind", "PriorityClass"},
                       {"metadata", {{"name", name}}},
                       {"value", value},
                       {"globalDefault", false},
                       {"preemptionPolicy", "PreemptLowerPriority"},
                       {"description", std::string("Used for system critical pods that must not be moved from their "
                                                   "current node.")}},
                      "kube-apiserver");
  }
}

}  // namespace gitmoor::sandbox
