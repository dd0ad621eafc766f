#pragma once
// The three non-apply patch types: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and Kubernetes strategic
// merge patch (list merge keys from schema.hpp; directives $patch, $retainKeys, $deleteFromPrimitiveList,
// $setElementOrder).
#include <nlohmann/json.hpp>

namespace gitmoor::sandbox {

using Json = nlohmann::json;

Json merge_patch(const Json& original, const Json& patch);
// Throws ApiError (422) when an operation does not apply.
Json json_patch(const Json& original, const Json& patch);
Json strategic_merge_patch(const Json& original, const Json& patch, bool builtin);

}  // namespace gitmoor::sandbox
