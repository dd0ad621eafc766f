#pragma once
// Resource quantities in the canonical form a real API server stores: it decodes them into resource.Quantity and
// encodes them back, so `0.5` becomes `500m`, `1024Mi` becomes `1Gi`, `1000M` becomes `1G`, `1073741824` stays
// (the suffix family follows the format the user wrote; core::Quantity::to_string implements the rules).
#include <string>

#include <nlohmann/json.hpp>

namespace gitmoor::sandbox {

// Rewrites, in place, every quantity field the built-in `kind` has (container and pod resources, overhead,
// emptyDir sizeLimit, claim requests/limits/capacity, PersistentVolume and Node capacity, HPA metric targets,
// LimitRange limits, ResourceQuota hard/used). Values that do not parse are left as written; custom kinds untouched.
void canonicalise_quantities(const std::string& kind, nlohmann::json& object);

}  // namespace gitmoor::sandbox
