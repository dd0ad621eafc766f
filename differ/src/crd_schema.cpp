#include "gitmoor/differ/crd_schema.hpp"

namespace gitmoor::differ {

namespace {

const ListSchema kAtomicList{};

std::string join(const std::string& prefix, std::string_view name) {
  return prefix.empty() ? std::string(name) : prefix + "." + std::string(name);
}

// Records the list types under one OpenAPI v3 schema node. `path` is the dotted field path of `node`.
void read_node(const core::Json& node, const std::string& path, CustomResourceSchemas::Lists& lists) {
  if (!node.is_object()) return;
  if (auto type = node.find("type"); type != node.end() && *type == "array") {
    const auto list_type = node.find("x-kubernetes-list-type");
    if (list_type != node.end() && *list_type == "map") {
      ListSchema schema{ListType::Map, {}};
      if (auto keys = node.find("x-kubernetes-list-map-keys"); keys != node.end() && keys->is_array()) {
        for (const auto& key : *keys) {
          if (key.is_string()) schema.keys.push_back(key.get<std::string>());
        }
      }
      // A map list without keys is invalid (the API server refuses such a CRD): keep it atomic.
      if (!schema.keys.empty()) lists.emplace(path, std::move(schema));
    } else if (list_type != node.end() && *list_type == "set") {
      lists.emplace(path, ListSchema{ListType::Set, {}});
    }
    // Elements add no field name to the path: a list inside a list element is "<list>.<field>".
    if (auto items = node.find("items"); items != node.end()) read_node(*items, path, lists);
    return;
  }
  if (auto properties = node.find("properties"); properties != node.end() && properties->is_object()) {
    for (const auto& [name, child] : properties->items()) read_node(child, join(path, name), lists);
  }
  // Maps of objects (additionalProperties) add their keys to the path, which a table by field name cannot follow;
  // their lists stay atomic.
}

std::string string_at(const core::Json& object, std::string_view field) {
  auto it = object.find(field);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

void CustomResourceSchemas::add_crd(const core::Json& crd) {
  if (!crd.is_object() || string_at(crd, "kind") != "CustomResourceDefinition") return;
  if (string_at(crd, "apiVersion").rfind("apiextensions.k8s.io/", 0) != 0) return;
  const auto spec = crd.find("spec");
  if (spec == crd.end() || !spec->is_object()) return;
  const auto names = spec->find("names");
  if (names == spec->end() || !names->is_object()) return;
  const std::string group = string_at(*spec, "group");
  const std::string kind = string_at(*names, "kind");
  if (kind.empty()) return;
  Lists& lists = kinds_[kind + "." + group];
  const auto versions = spec->find("versions");
  if (versions == spec->end() || !versions->is_array()) return;
  for (const auto& version : *versions) {
    if (!version.is_object()) continue;
    auto schema = version.find("schema");
    if (schema == version.end() || !schema->is_object()) continue;
    if (auto root = schema->find("openAPIV3Schema"); root != schema->end()) read_node(*root, "", lists);
  }
}

CustomResourceSchemas CustomResourceSchemas::from_objects(const std::vector<core::Object>& objects) {
  CustomResourceSchemas schemas;
  for (const auto& object : objects) schemas.add_crd(object.json());
  return schemas;
}

const CustomResourceSchemas::Lists* CustomResourceSchemas::lists_of(std::string_view group,
                                                                    std::string_view kind) const {
  std::string name(kind);
  name += '.';
  name += group;
  auto it = kinds_.find(name);
  return it == kinds_.end() ? nullptr : &it->second;
}

const ListSchema& custom_list_schema_at(const CustomResourceSchemas::Lists* lists,
                                        const std::vector<std::string_view>& path) {
  if (path.size() == 2 && path[0] == "metadata") return list_schema_at(path, false);
  if (lists == nullptr || lists->empty() || path.empty()) return kAtomicList;
  std::string dotted(path[0]);
  for (std::size_t i = 1; i < path.size(); ++i) {
    dotted += '.';
    dotted += path[i];
  }
  auto it = lists->find(dotted);
  return it == lists->end() ? kAtomicList : it->second;
}

}  // namespace gitmoor::differ
