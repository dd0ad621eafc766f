#pragma once
// The objects a fresh cluster already has besides its namespaces, as the reference user's kubeadm cluster does:
// the `local-path` StorageClass (rancher's local-path-provisioner; not the default class, so claims name it) and
// the two system PriorityClasses kube-apiserver creates. The caller holds the store mutex.
#include "cluster.hpp"

namespace gitmoor::sandbox {

void install_cluster_defaults(Cluster& cluster);

}  // namespace gitmoor::sandbox
