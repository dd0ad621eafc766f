#pragma once
// The field sets of managedFields (`fieldsV1`): which fields a field manager owns. A tree of path elements:
// `f:<name>` a field, `k:<json>` a list-map element by its keys, `v:<json>` a set element by value, `i:<n>` a
// list element by index; `.` marks an element that is itself owned.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gitmoor/core/object.hpp"

namespace gitmoor::differ {

using Json = core::Json;

struct FieldSet {
  std::map<std::string, FieldSet> children;  // keyed by the raw path element ("f:spec", "k:{\"name\":\"a\"}")
  bool self = false;                          // "." was present

  [[nodiscard]] bool empty() const { return !self && children.empty(); }
  // Union: what two managers own together.
  void merge(const FieldSet& other);
  // Whether `path` (raw elements) or something under it is owned.
  [[nodiscard]] bool covers(const std::vector<std::string>& path) const;

  // Parses a fieldsV1 tree; unknown shapes are skipped rather than thrown on, since a live object is not ours.
  static FieldSet from_json(const Json& fields_v1);
};

// The fields owned by `manager` through an `Apply` operation in `live`'s metadata.managedFields (every entry of that
// manager with operation Apply; all subresources but the main one skipped).
FieldSet applied_fields(const Json& live, std::string_view manager);

// The fields owned by any of `managers`, whatever the operation (for ignoreDifferences' managedFieldsManagers).
FieldSet fields_of_managers(const Json& live, const std::vector<std::string>& managers);

// Path elements for a field name, for list-map keys and for set values.
std::string field_element(std::string_view name);
std::string key_element(const Json& keys);  // keys: {"containerPort":80,"protocol":"TCP"}, serialised compactly
std::string value_element(const Json& value);

}  // namespace gitmoor::differ
