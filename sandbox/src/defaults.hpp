#pragma once
// API-server defaulting for the common kinds, so objects read back carry the fields a real cluster adds (the
// differ must meet that noise). Implemented (see defaults.cpp for values):
//  Deployment: replicas 1, strategy RollingUpdate 25%/25%, revisionHistoryLimit 10, progressDeadlineSeconds 600
//  ReplicaSet / ReplicationController: replicas 1
//  StatefulSet: replicas 1, podManagementPolicy OrderedReady, updateStrategy RollingUpdate partition 0,
//    revisionHistoryLimit 10, persistentVolumeClaimRetentionPolicy Retain/Retain, volumeClaimTemplates
//    (apiVersion, kind, volumeMode Filesystem, status.phase Pending)
//  DaemonSet: updateStrategy RollingUpdate maxUnavailable 1 maxSurge 0, revisionHistoryLimit 10
//  Job: backoffLimit 6, completions 1, parallelism 1, completionMode NonIndexed, suspend false,
//    podReplacementPolicy TerminatingOrFailed, manualSelector-free selector and template labels with controller-uid
//  CronJob: concurrencyPolicy Allow, suspend false, successfulJobsHistoryLimit 3, failedJobsHistoryLimit 1
//  Pod specs (Pods and every template): restartPolicy Always, dnsPolicy ClusterFirst, schedulerName
//    default-scheduler, terminationGracePeriodSeconds 30, securityContext {}; containers: terminationMessagePath
//    /dev/termination-log, terminationMessagePolicy File, imagePullPolicy (Always for :latest or no tag, else
//    IfNotPresent), ports protocol TCP, probes (timeout 1, period 10, success 1, failure 3, httpGet scheme HTTP),
//    env fieldRef apiVersion v1; volumes configMap/secret defaultMode 420
//  Pod: enableServiceLinks true, preemptionPolicy PreemptLowerPriority, priority 0, serviceAccountName default
//  Service: type ClusterIP, sessionAffinity None, clusterIP allocated from 10.96.0.0/12, clusterIPs, ipFamilies
//    [IPv4], ipFamilyPolicy SingleStack, internalTrafficPolicy Cluster, ports protocol TCP and targetPort = port,
//    nodePort allocated (NodePort/LoadBalancer), externalTrafficPolicy Cluster, allocateLoadBalancerNodePorts true,
//    status.loadBalancer {}
//  PersistentVolumeClaim: volumeMode Filesystem, status.phase Pending; PersistentVolume: reclaim policy Retain,
//    volumeMode Filesystem
//  HorizontalPodAutoscaler (v2): minReplicas 1, metrics CPU 80% when empty, behavior's scaleUp/scaleDown rules
//    when behavior is given
//  Secret: type Opaque, stringData folded into data (base64)
//  Namespace: spec.finalizers [kubernetes], status.phase Active, label kubernetes.io/metadata.name
//  NetworkPolicy: policyTypes, ports protocol TCP; StorageClass: reclaimPolicy Delete, volumeBindingMode Immediate
//  Ingress: status.loadBalancer {}
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "registry.hpp"

namespace gitmoor::sandbox {

using Json = nlohmann::json;

// Hands out Service cluster IPs and node ports.
class Allocator {
 public:
  std::string next_cluster_ip();
  int next_node_port();

 private:
  std::uint32_t next_ip_ = 10;
  int next_port_ = 30000;
};

// `old` is the stored object on update (null on create): immutable allocated values are kept from it.
void apply_defaults(const ResourceType& type, Json& object, const Json& old, Allocator& allocator);

std::string base64_encode(const std::string& data);

}  // namespace gitmoor::sandbox
