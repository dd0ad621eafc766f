#pragma once
// Secret values never leave gitmoor (DESIGN.md decision 8): every output goes through these.
#include "gitmoor/core/object.hpp"
#include "gitmoor/differ/result.hpp"

namespace gitmoor::differ {

inline constexpr const char* kRedacted = "<redacted>";
inline constexpr const char* kRedactedChanged = "<redacted-changed>";

bool is_secret(const Json& object);

// A copy of `object` with every value under data/stringData replaced by kRedacted when it is a Secret; other
// objects are returned as they are.
Json redact_secret(const Json& object);

// Redacts live and predicted of a Secret together: a key whose value differs reads kRedactedChanged in predicted,
// so a diff shows which keys change without showing their values.
void redact_pair(Json& live, Json& predicted);

// Folds a Secret's stringData into data (base64), as the API server does; stringData wins for a key in both.
void fold_string_data(Json& secret);

// Replaces every string inside `value` by kRedacted (for the value of a change under a Secret's data).
Json redact_values(const Json& value);

}  // namespace gitmoor::differ
