#pragma once
// Update validation the real API server does for fields that may not change after creation: workload selectors,
// a Service's cluster IP, a Job's template and selector, immutable ConfigMaps and Secrets, a Secret's type, and
// StatefulSet and PersistentVolumeClaim specs beyond the fields kube lets change. Failures are 422 Invalid worded
// as kube words them (`Deployment.apps "web" is invalid: spec.selector: Invalid value: v1.LabelSelector{...}:
// field is immutable`).
#include <nlohmann/json.hpp>

#include "registry.hpp"

namespace gitmoor::sandbox {

// Compares the stored object with its defaulted replacement; throws ApiError 422 listing every violation.
void validate_update(const ResourceType& type, const nlohmann::json& before, const nlohmann::json& after);

// How Go's %#v prints a metav1.LabelSelector: the value kube shows in a selector's "Invalid value".
std::string go_label_selector(const nlohmann::json& selector);

}  // namespace gitmoor::sandbox
