#include "gitmoor/differ/field_set.hpp"

namespace gitmoor::differ {

void FieldSet::merge(const FieldSet& other) {
  self = self || other.self;
  for (const auto& [element, child] : other.children) children[element].merge(child);
}

bool FieldSet::covers(const std::vector<std::string>& path) const {
  const FieldSet* node = this;
  for (const auto& element : path) {
    auto it = node->children.find(element);
    if (it == node->children.end()) return false;
    node = &it->second;
  }
  return true;
}

FieldSet FieldSet::from_json(const Json& fields_v1) {
  FieldSet set;
  if (!fields_v1.is_object()) return set;
  for (const auto& [element, child] : fields_v1.items()) {
    if (element == ".") {
      set.self = true;
      continue;
    }
    set.children[element] = from_json(child);
  }
  return set;
}

namespace {

template <class Select>
FieldSet collect(const Json& live, Select select) {
  FieldSet set;
  const auto metadata = live.find("metadata");
  if (metadata == live.end() || !metadata->is_object()) return set;
  const auto entries = metadata->find("managedFields");
  if (entries == metadata->end() || !entries->is_array()) return set;
  for (const auto& entry : *entries) {
    if (!entry.is_object() || !select(entry)) continue;
    // Status and scale subresources are written by controllers and kubectl scale, never by an apply of ours.
    if (auto sub = entry.find("subresource"); sub != entry.end() && sub->is_string() && !sub->get<std::string>().empty()) {
      continue;
    }
    if (auto fields = entry.find("fieldsV1"); fields != entry.end()) set.merge(FieldSet::from_json(*fields));
  }
  return set;
}

std::string string_of(const Json& entry, const char* field) {
  auto it = entry.find(field);
  return it != entry.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

FieldSet applied_fields(const Json& live, std::string_view manager) {
  return collect(live, [&](const Json& entry) {
    return string_of(entry, "manager") == manager && string_of(entry, "operation") == "Apply";
  });
}

FieldSet fields_of_managers(const Json& live, const std::vector<std::string>& managers) {
  FieldSet set;
  const auto metadata = live.find("metadata");
  if (metadata == live.end() || !metadata->is_object()) return set;
  const auto entries = metadata->find("managedFields");
  if (entries == metadata->end() || !entries->is_array()) return set;
  for (const auto& entry : *entries) {
    if (!entry.is_object()) continue;
    const std::string manager = string_of(entry, "manager");
    bool listed = false;
    for (const auto& m : managers) listed = listed || m == manager;
    if (!listed) continue;
    if (auto fields = entry.find("fieldsV1"); fields != entry.end()) set.merge(FieldSet::from_json(*fields));
  }
  return set;
}

std::string field_element(std::string_view name) { return "f:" + std::string(name); }

std::string key_element(const Json& keys) {
  // nlohmann's dump sorts object keys, as the API server's serialisation of key fields does.
  return "k:" + keys.dump();
}

std::string value_element(const Json& value) { return "v:" + value.dump(); }

}  // namespace gitmoor::differ
