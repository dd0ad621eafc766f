#pragma once
// The two walks of the comparison (see diff.hpp): desired against live, and the manager's owned fields against
// desired. Private to the differ.
#include <string>
#include <vector>

#include "gitmoor/differ/result.hpp"

namespace gitmoor::differ::detail {

// A change with the managedFields path of its field, so ignore rules by manager can match it.
struct FoundChange {
  Change change;
  std::vector<std::string> elements;  // "f:spec", "k:{\"name\":\"app\"}", ...
};

struct Walk {
  bool builtin = true;  // built-in kinds use the list-map table; custom resources' lists are atomic
  std::vector<std::string> names;     // field names from the root (list elements left out), for the schema
  std::string pointer;                // JSON pointer of the current value
  std::vector<std::string> elements;  // managedFields path of the current value
  std::vector<FoundChange> changes;
};

// (a) Every field present in desired equals live. `live` may be null (absent).
void compare_desired(Walk& walk, const Json& desired, const Json* live);

// (b) Every field the manager owns (`owned`: a fieldsV1 node) is still in desired; otherwise apply removes it.
void compare_owned(Walk& walk, const Json& owned, const Json* desired, const Json* live);

// live with desired applied as server-side apply merges it, then the removals of `changes` done.
Json predict(const Json& live, const Json& desired, const std::vector<FoundChange>& changes, bool builtin);

// Whether an element of a list-map has the given key values (absent key fields take their defaults).
bool has_keys(const Json& element, const Json& keys);
// The key values of an element: {"containerPort":80,"protocol":"TCP"}.
Json keys_of(const Json& element, const std::vector<std::string>& key_fields);

std::string escape_pointer(std::string_view token);

}  // namespace gitmoor::differ::detail
