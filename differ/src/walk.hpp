#pragma once
// The two walks of the comparison (see diff.hpp): desired against live, and the manager's owned fields against
// desired. Private to the differ. The walks run for every object on every reconcile, so the path is kept as views
// and turned into strings only when a change is recorded.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gitmoor/differ/crd_schema.hpp"
#include "gitmoor/differ/result.hpp"
#include "gitmoor/differ/schema.hpp"

namespace gitmoor::differ::detail {

// A change with the managedFields path of its field, so ignore rules by manager can match it.
struct FoundChange {
  Change change;
  std::vector<std::string> elements;  // "f:spec", "k:{\"name\":\"app\"}", ...
};

// One step of the path: a field, or a list element (by index in the JSON pointer; by keys, value or index in the
// managedFields path).
struct Token {
  bool is_field = true;
  std::string_view field;           // is_field: the field name
  std::size_t index = 0;            // !is_field: the element's position
  std::string_view raw;             // the managedFields element when walking fieldsV1, else empty
  const Json* element = nullptr;    // a list-map element (keys from `keys`) or a set value
  const std::vector<std::string>* keys = nullptr;
};

// Where the walks learn a list's type: the built-in table for built-in kinds; for a custom resource, its CRD's
// schema when the caller gave it (crd_schema.hpp), else atomic.
struct ListTypes {
  bool builtin = true;
  const CustomResourceSchemas::Lists* custom = nullptr;

  [[nodiscard]] const ListSchema& at(const std::vector<std::string_view>& names) const {
    return builtin ? list_schema_at(names, true) : custom_list_schema_at(custom, names);
  }
};

struct Walk {
  ListTypes lists;
  std::vector<std::string_view> names;  // field names from the root (list elements left out), for the schema
  std::vector<Token> path;
  std::vector<FoundChange> changes;
};

// (a) Every field present in desired equals live. `live` may be null (absent).
void compare_desired(Walk& walk, const Json& desired, const Json* live);

// (b) Every field the manager owns (`owned`: a fieldsV1 node) is still in desired; otherwise apply removes it.
void compare_owned(Walk& walk, const Json& owned, const Json* desired, const Json* live);

// Fast path of (b): every owned field is in desired (no live lookups); false means "look closer", not "drift".
bool owned_fields_kept(const Json& owned, const Json& desired);

// live with desired applied as server-side apply merges it, then the removals of `changes` done.
Json predict(const Json& live, const Json& desired, const std::vector<FoundChange>& changes,
             const ListTypes& lists);

// Whether two list-map elements have the same key values (absent key fields take their defaults).
bool same_keys(const Json& a, const Json& b, const std::vector<std::string>& key_fields);
// The key values of an element: {"containerPort":80,"protocol":"TCP"}.
Json keys_of(const Json& element, const std::vector<std::string>& key_fields);

std::string escape_pointer(std::string_view token);

// Fields of the desired object that are never compared: identity (matched by key), and what the server owns
// (status, uid, resourceVersion, managedFields, kubectl's last-applied annotation, ...). `names` leads to the field.
bool skipped_field(const std::vector<std::string_view>& names, std::string_view key);

// A `k:` element's keys, read without a JSON parser for the usual flat {"name":"x","port":80} shape (the owned walk
// meets one per list-map element of every object); nullopt for anything else, which goes through the full parser.
struct KeyField {
  std::string_view name;
  bool is_string = false;
  std::string_view text;  // the string, or the number's spelling
};

// List-map keys have at most a few fields (port+protocol, topologyKey+whenUnsatisfiable): no allocation needed.
struct KeyFields {
  std::array<KeyField, 4> items;
  std::size_t size = 0;
  [[nodiscard]] const KeyField* begin() const { return items.data(); }
  [[nodiscard]] const KeyField* end() const { return items.data() + size; }
};

std::optional<KeyFields> read_keys(std::string_view element);

}  // namespace gitmoor::differ::detail
