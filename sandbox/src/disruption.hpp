#pragma once
// The disruption controller's arithmetic for a policy/v1 PodDisruptionBudget: which Pods it covers, how many must
// stay healthy, and the status kube writes (expectedPods, currentHealthy, desiredHealthy, disruptionsAllowed and
// the DisruptionAllowed condition). Pure: the Pods of the namespace in, the status out.
#include <vector>

#include <nlohmann/json.hpp>

#include "store.hpp"

namespace gitmoor::sandbox {

// `previous_status` keeps the condition's lastTransitionTime while its status holds; `now` stamps a transition.
Json disruption_status(const Json& pdb, const std::vector<ObjectPtr>& namespace_pods, const Json& previous_status,
                       const std::string& now);

}  // namespace gitmoor::sandbox
