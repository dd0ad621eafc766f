#pragma once
// Normalization: what both sides go through before comparison, so that only meaningful differences remain.
#include <string>
#include <string_view>
#include <vector>

#include "gitmoor/core/object.hpp"

namespace gitmoor::differ {

using Json = core::Json;

// Drops what the API server populates (status, uid, resourceVersion, generation, creationTimestamp, managedFields,
// selfLink, deletionTimestamp, deletionGracePeriodSeconds, kubectl's last-applied annotation) and, for a Secret,
// folds write-only `stringData` into base64 `data` as the API server does.
Json normalize(const Json& object);
// The same on the object itself, for a caller that owns a copy already.
void normalize_in_place(Json& object);

// Whether two scalar values at `path` are equal as Kubernetes means it: quantities by value in quantity fields,
// integers and floats by value, otherwise exactly.
bool scalars_equal(const Json& desired, const Json& live, const std::vector<std::string>& path);
bool scalars_equal_at(const Json& desired, const Json& live, const std::vector<std::string_view>& path);

// Whether a desired value the API server would drop on the way in (null, {}, [], "", false) can stand for an absent
// live field.
bool dropped_by_server(const Json& desired);

std::string base64_encode(std::string_view bytes);

}  // namespace gitmoor::differ
