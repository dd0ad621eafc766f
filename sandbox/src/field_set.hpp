#pragma once
// Field sets in managedFields' FieldsV1 form: a tree of path elements ("f:name", "k:{\"name\":\"app\"}",
// "v:\"x\"", "i:0"), where "." marks a node that is itself a member (a list entry) and {} marks a leaf.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace gitmoor::sandbox {

using Json = nlohmann::json;
using FieldPath = std::vector<std::string>;

struct FieldSet {
  bool member = false;
  std::map<std::string, FieldSet> children;

  [[nodiscard]] bool empty() const { return !member && children.empty(); }
  [[nodiscard]] Json to_json() const;
  static FieldSet from_json(const Json& fields_v1);

  void add(const FieldPath& path);  // marks path a member
  [[nodiscard]] bool has(const FieldPath& path) const;
  // True when path or anything below it is a member.
  [[nodiscard]] bool owns_at_or_below(const FieldPath& path) const;
  [[nodiscard]] const FieldSet* node(const FieldPath& path) const;
  void merge(const FieldSet& other);   // union
  void remove(const FieldSet& other);  // drops other's members
  void remove(const FieldPath& path);
  [[nodiscard]] std::vector<FieldPath> members() const;
};

// Finds the value a path names inside an object; nullptr when absent.
const Json* value_at(const Json& object, const FieldPath& path);
// Removes the value a path names; returns whether something was removed.
bool remove_at(Json& object, const FieldPath& path);
// `.spec.template.spec.containers[name="app"].image`: how conflict messages print a path.
std::string path_string(const FieldPath& path);

}  // namespace gitmoor::sandbox
