#pragma once
// Request bodies: JSON (any content type; a missing Content-Type is JSON) or YAML (apply-patch+yaml), checked
// against the resource the path names.
#include <string>

#include <nlohmann/json.hpp>

#include "registry.hpp"

namespace gitmoor::sandbox {

using Json = nlohmann::json;

// Throws ApiError 400 for an undecodable body or an apiVersion/kind that is not the path's.
Json parse_body(const std::string& body, const std::string& media_type, const ResourceType& type,
                const std::string& api_version);

}  // namespace gitmoor::sandbox
