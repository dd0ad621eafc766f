#pragma once
// kubectl v1.35's typed clients (`kubectl create namespace|configmap|secret|serviceaccount|deployment|service`)
// send bodies as `application/vnd.kubernetes.protobuf`: a "k8s\0" envelope around runtime.Unknown around the
// object. This decodes those into JSON for the kinds in its schema table; others are 415 (the caller answers).
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace gitmoor::sandbox {

using Json = nlohmann::json;

// nullopt when the body is not a decodable envelope of a known kind.
std::optional<Json> decode_protobuf_object(std::string_view body);

}  // namespace gitmoor::sandbox
