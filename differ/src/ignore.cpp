#include "gitmoor/differ/ignore.hpp"

#include "gitmoor/core/error.hpp"

namespace gitmoor::differ {

bool IgnoreRule::matches(const core::ResourceKey& key) const {
  if (!any_group && group != key.group) return false;
  if (!kind.empty() && kind != "*" && kind != key.kind) return false;
  if (!name.empty() && name != key.name) return false;
  if (!ns.empty() && ns != key.ns) return false;
  return true;
}

namespace {

std::vector<std::string> strings(const Json& entry, const char* field, std::size_t index) {
  std::vector<std::string> out;
  auto it = entry.find(field);
  if (it == entry.end() || it->is_null()) return out;
  if (!it->is_array()) {
    throw core::InvalidInput("ignoreDifferences[" + std::to_string(index) + "]." + field + ": expected a list");
  }
  for (const auto& value : *it) {
    if (!value.is_string()) {
      throw core::InvalidInput("ignoreDifferences[" + std::to_string(index) + "]." + field + ": expected strings");
    }
    out.push_back(value.get<std::string>());
  }
  return out;
}

std::string string_field(const Json& entry, const char* field, std::size_t index) {
  auto it = entry.find(field);
  if (it == entry.end() || it->is_null()) return "";
  if (!it->is_string()) {
    throw core::InvalidInput("ignoreDifferences[" + std::to_string(index) + "]." + field + ": expected a string");
  }
  return it->get<std::string>();
}

}  // namespace

std::vector<IgnoreRule> parse_ignore_rules(const Json& value) {
  const Json* list = &value;
  if (value.is_object()) {
    if (auto it = value.find("ignoreDifferences"); it != value.end()) {
      list = &*it;
    } else if (auto spec = value.find("spec"); spec != value.end() && spec->contains("ignoreDifferences")) {
      list = &(*spec)["ignoreDifferences"];
    }
  }
  if (list->is_null()) return {};
  if (!list->is_array()) throw core::InvalidInput("ignoreDifferences: expected a list of rules");
  std::vector<IgnoreRule> rules;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const Json& entry = (*list)[i];
    if (!entry.is_object()) {
      throw core::InvalidInput("ignoreDifferences[" + std::to_string(i) + "]: expected a mapping");
    }
    IgnoreRule rule;
    if (entry.contains("group") && !entry["group"].is_null()) {
      rule.group = string_field(entry, "group", i);
      rule.any_group = rule.group == "*";
    }
    rule.kind = string_field(entry, "kind", i);
    rule.name = string_field(entry, "name", i);
    rule.ns = string_field(entry, "namespace", i);
    rule.json_pointers = strings(entry, "jsonPointers", i);
    rule.managed_fields_managers = strings(entry, "managedFieldsManagers", i);
    if (!strings(entry, "jqPathExpressions", i).empty()) {
      throw core::InvalidInput("ignoreDifferences[" + std::to_string(i) +
                               "].jqPathExpressions: not supported; use jsonPointers or managedFieldsManagers");
    }
    for (const auto& pointer : rule.json_pointers) {
      if (!pointer.empty() && pointer[0] != '/') {
        throw core::InvalidInput("ignoreDifferences[" + std::to_string(i) + "].jsonPointers: \"" + pointer +
                                 "\" is not a JSON pointer (it must start with /)");
      }
    }
    rules.push_back(std::move(rule));
  }
  return rules;
}

}  // namespace gitmoor::differ
