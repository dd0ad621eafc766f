#pragma once
// Validation the real API server does that clients meet most: object names (DNS-1123 subdomain, DNS-1123 label
// for Namespaces, DNS-1035 label for Services), label keys and values, the annotation size limit, and a few
// workload rules (containers required, selector matches template labels). Failures are 422 Invalid.
#include <nlohmann/json.hpp>

#include "registry.hpp"

namespace gitmoor::sandbox {

using Json = nlohmann::json;

inline constexpr std::size_t kMaxAnnotationBytes = 262144;

// Throws ApiError 422 listing every field error found.
void validate(const ResourceType& type, const Json& object);

}  // namespace gitmoor::sandbox
