#pragma once
// Reading the server's JSON for display: anything missing or mistyped reads as empty, so a thin or older answer
// never makes a command throw halfway through its output.
#include <string>

#include "gitmoor/core/object.hpp"

namespace gitmoor::cli {

inline const core::Json& field(const core::Json& j, const char* key) {
  static const core::Json null;
  if (!j.is_object()) return null;
  const auto it = j.find(key);
  return it == j.end() ? null : *it;
}

// A string, integer or boolean as text; "" otherwise.
inline std::string text(const core::Json& j, const char* key) {
  const core::Json& v = field(j, key);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  return "";
}

// An array, or an empty one.
inline const core::Json& items(const core::Json& j, const char* key) {
  static const core::Json empty = core::Json::array();
  const core::Json& v = field(j, key);
  return v.is_array() ? v : empty;
}

}  // namespace gitmoor::cli
