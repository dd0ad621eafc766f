#pragma once
// Kubernetes Events, as the simulated controllers report them: kube's EventRecorder writes a core/v1 Event about an
// object, and a repeat of the same (object, type, reason, message) within the series window bumps `count` and
// `lastTimestamp` on the Event already there instead of writing a new one. The caller holds the store mutex.
#include <string>

#include <nlohmann/json.hpp>

#include "cluster.hpp"

namespace gitmoor::sandbox {

struct EventReport {
  std::string type = "Normal";  // Normal or Warning
  std::string reason;           // ScalingReplicaSet, SuccessfulCreate, BackOff...
  std::string message;
  std::string component;        // source.component / reportingComponent: deployment-controller, kubelet...
  std::string action;           // events.k8s.io/v1 `action` (what was done): Scaling, Create, Killing...
  std::string field_path;       // involvedObject.fieldPath: `spec.containers{web}` for the kubelet's container events
  std::string host;             // source.host and reportingInstance: the node, for the kubelet
  // Recorded through the events.k8s.io API (the scheduler does): eventTime and reportingInstance set, no
  // source, count or first/lastTimestamp, as such Events read through core/v1.
  bool new_api = false;
};

// Records `report` about `object` (any stored object: its kind, apiVersion, namespace, name, uid and
// resourceVersion become the involvedObject). Events of cluster-scoped objects go to the `default` namespace, as
// kube's recorder puts them. Returns the Event as stored.
Json record_event(Cluster& cluster, const Json& object, const EventReport& report);

}  // namespace gitmoor::sandbox
