#include "apply.hpp"

#include <algorithm>
#include <set>
#include <vector>

#include "field_set.hpp"
#include "schema.hpp"
#include "status.hpp"

namespace gitmoor::sandbox {

namespace {

enum class Scope { Main, Status, Everything };

const std::set<std::string> kIgnoredMetadata = {"name",
                                                "namespace",
                                                "uid",
                                                "resourceVersion",
                                                "generation",
                                                "creationTimestamp",
                                                "deletionTimestamp",
                                                "deletionGracePeriodSeconds",
                                                "managedFields",
                                                "selfLink",
                                                "generateName"};

void walk(const Json& value, std::vector<std::string>& names, FieldSet& node, bool builtin);

std::string list_key(const Json& item, const ListSchema& schema, bool& ok) {
  Json key = Json::object();
  for (const auto& k : schema.keys) {
    if (item.is_object() && item.contains(k)) {
      key[k] = item[k];
    } else if (k == "protocol") {
      key[k] = "TCP";
    } else {
      ok = false;
      return {};
    }
  }
  return "k:" + key.dump();
}

void walk_list(const Json& list, std::vector<std::string>& names, FieldSet& node, bool builtin) {
  ListSchema schema = list_schema(names, builtin);
  if (list.empty() || schema.type == ListType::Atomic) {
    node.member = true;
    return;
  }
  if (schema.type == ListType::Set) {
    for (const auto& item : list) node.children["v:" + item.dump()].member = true;
    return;
  }
  std::vector<std::string> keys;
  for (const auto& item : list) {
    bool ok = true;
    keys.push_back(list_key(item, schema, ok));
    if (!ok) {
      node.member = true;  // entries without their keys: treat the list as atomic
      return;
    }
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    FieldSet& entry = node.children[keys[i]];
    entry.member = true;
    if (list[i].is_object()) {
      for (const auto& [k, v] : list[i].items()) {
        names.push_back(k);
        walk(v, names, entry.children["f:" + k], builtin);
        names.pop_back();
      }
    }
  }
}

void walk(const Json& value, std::vector<std::string>& names, FieldSet& node, bool builtin) {
  if (value.is_object() && !value.empty()) {
    for (const auto& [k, v] : value.items()) {
      names.push_back(k);
      walk(v, names, node.children["f:" + k], builtin);
      names.pop_back();
    }
  } else if (value.is_array()) {
    walk_list(value, names, node, builtin);
  } else {
    node.member = true;
  }
}

FieldSet fields_of(const Json& object, const FieldContext& ctx, Scope scope) {
  FieldSet set;
  if (!object.is_object()) return set;
  std::vector<std::string> names;
  for (const auto& [k, v] : object.items()) {
    if (k == "apiVersion" || k == "kind") continue;
    bool is_status = k == "status";
    if (scope == Scope::Status && !is_status) continue;
    if (scope == Scope::Main && is_status && ctx.status_subresource) continue;
    names.push_back(k);
    FieldSet& child = set.children["f:" + k];
    if (k == "metadata" && v.is_object()) {
      for (const auto& [mk, mv] : v.items()) {
        if (kIgnoredMetadata.count(mk)) continue;
        names.push_back(mk);
        walk(mv, names, child.children["f:" + mk], ctx.builtin);
        names.pop_back();
      }
      if (child.empty()) set.children.erase("f:metadata");
    } else {
      walk(v, names, child, ctx.builtin);
    }
    names.pop_back();
  }
  return set;
}

Json merge_applied(const Json& live, const Json& applied, std::vector<std::string>& names, bool builtin) {
  if (applied.is_object()) {
    Json result = live.is_object() ? live : Json::object();
    for (const auto& [k, v] : applied.items()) {
      names.push_back(k);
      if (v.is_null()) {
        result.erase(k);
      } else {
        result[k] = merge_applied(result.contains(k) ? result[k] : Json(), v, names, builtin);
      }
      names.pop_back();
    }
    return result;
  }
  if (applied.is_array() && live.is_array()) {
    ListSchema schema = list_schema(names, builtin);
    if (schema.type == ListType::Set) {
      Json result = live;
      for (const auto& item : applied) {
        if (std::find(result.begin(), result.end(), item) == result.end()) result.push_back(item);
      }
      return result;
    }
    if (schema.type == ListType::Map) {
      Json result = live;
      for (const auto& item : applied) {
        bool ok = true;
        std::string key = list_key(item, schema, ok);
        if (!ok) return applied;
        auto match = std::find_if(result.begin(), result.end(), [&](const Json& l) {
          bool lok = true;
          return list_key(l, schema, lok) == key && lok;
        });
        if (match == result.end()) {
          result.push_back(item);
        } else {
          *match = merge_applied(*match, item, names, builtin);
        }
      }
      return result;
    }
  }
  return applied;
}

struct Entry {
  Json meta;  // the managedFields entry without fieldsV1
  FieldSet fields;
  [[nodiscard]] std::string manager() const { return meta.value("manager", ""); }
  [[nodiscard]] std::string operation() const { return meta.value("operation", ""); }
  [[nodiscard]] std::string subresource() const { return meta.value("subresource", ""); }
};

std::vector<Entry> read_entries(const Json& object) {
  std::vector<Entry> out;
  if (!object.is_object()) return out;
  auto md = object.find("metadata");
  if (md == object.end() || !md->is_object()) return out;
  auto mf = md->find("managedFields");
  if (mf == md->end() || !mf->is_array()) return out;
  for (const auto& e : *mf) {
    if (!e.is_object()) continue;
    Entry entry;
    entry.meta = e;
    entry.meta.erase("fieldsV1");
    entry.fields = FieldSet::from_json(e.value("fieldsV1", Json::object()));
    out.push_back(std::move(entry));
  }
  return out;
}

void write_entries(Json& object, const std::vector<Entry>& entries) {
  Json list = Json::array();
  for (const auto& e : entries) {
    if (e.fields.empty()) continue;
    Json j = e.meta;
    j["fieldsType"] = "FieldsV1";
    j["fieldsV1"] = e.fields.to_json();
    list.push_back(j);
  }
  if (!object["metadata"].is_object()) object["metadata"] = Json::object();
  if (list.empty()) {
    object["metadata"].erase("managedFields");
  } else {
    object["metadata"]["managedFields"] = list;
  }
}

Entry& entry_for(std::vector<Entry>& entries, const std::string& manager, const std::string& operation,
                 const std::string& subresource, const FieldContext& ctx) {
  for (auto& e : entries) {
    if (e.manager() == manager && e.operation() == operation && e.subresource() == subresource) {
      e.meta["apiVersion"] = ctx.api_version;
      e.meta["time"] = ctx.now;
      return e;
    }
  }
  Entry e;
  e.meta = {{"manager", manager}, {"operation", operation}, {"apiVersion", ctx.api_version}, {"time", ctx.now}};
  if (!subresource.empty()) e.meta["subresource"] = subresource;
  entries.push_back(std::move(e));
  return entries.back();
}

// Drops objects left empty by a removal, up to (not including) the top-level fields.
void prune_empty_parents(Json& object, FieldPath path, const std::vector<Entry>& entries) {
  while (path.size() > 2) {
    path.pop_back();
    const Json* v = value_at(object, path);
    if (!v || !v->is_object() || !v->empty()) return;
    bool owned = std::any_of(entries.begin(), entries.end(), [&](const Entry& e) { return e.fields.has(path); });
    if (owned) return;
    remove_at(object, path);
  }
}

// A list-map entry's key field (`name` under `k:{"name":"worker"}`): it stays while the entry does, because another
// manager still owns fields in it.
bool is_key_of_entry(const FieldPath& path) {
  if (path.size() < 2 || path.back().rfind("f:", 0) != 0) return false;
  const std::string& entry = path[path.size() - 2];
  if (entry.rfind("k:", 0) != 0) return false;
  Json key = Json::parse(entry.substr(2), nullptr, false);
  return key.is_object() && key.contains(path.back().substr(2));
}

}  // namespace

Json server_side_apply(const Json& live, const Json& applied, const std::string& manager, bool force,
                       const FieldContext& ctx) {
  FieldSet applied_set = fields_of(applied, ctx, Scope::Main);
  std::vector<Entry> entries = read_entries(live);

  // Conflicts: a field another manager owns that this apply sets to a different value.
  struct Conflict {
    std::string manager;
    std::string api_version;
    FieldPath path;
  };
  std::vector<Conflict> conflicts;
  const Json empty = Json::object();
  const Json& live_object = live.is_null() ? empty : live;
  for (const auto& path : applied_set.members()) {
    const FieldSet* n = applied_set.node(path);
    if (!n || !n->children.empty()) continue;  // list entries: existence, not a value
    const Json* want = value_at(applied, path);
    const Json* have = value_at(live_object, path);
    if (!want || !have || *want == *have) continue;
    for (auto& e : entries) {
      if (e.manager() == manager && e.operation() == "Apply") continue;
      if (!e.fields.has(path)) continue;
      conflicts.push_back({e.manager(), e.meta.value("apiVersion", ""), path});
    }
  }
  if (!conflicts.empty()) {
    if (!force) {
      std::string message = "Apply failed with " + std::to_string(conflicts.size()) + " conflict" +
                            (conflicts.size() == 1 ? "" : "s") + ": ";
      Json causes = Json::array();
      std::vector<std::string> parts;
      for (const auto& c : conflicts) {
        std::string who = "conflict with \"" + c.manager + "\"";
        if (!c.api_version.empty()) who += " using " + c.api_version;
        parts.push_back(who + ": " + path_string(c.path));
        causes.push_back({{"reason", "FieldManagerConflict"}, {"message", who}, {"field", path_string(c.path)}});
      }
      for (std::size_t i = 0; i < parts.size(); ++i) message += (i ? "\n" : "") + parts[i];
      ApiError err(409, "Conflict", message, Json{{"causes", causes}});
      throw err;
    }
    for (const auto& c : conflicts) {
      for (auto& e : entries) {
        if (e.manager() == c.manager && !(e.manager() == manager && e.operation() == "Apply")) e.fields.remove(c.path);
      }
    }
  }

  // Merge, then remove what this manager applied before and applies no more, unless someone else owns it.
  std::vector<std::string> names;
  Json base = live.is_null() ? Json::object() : live;
  Json result = merge_applied(base, applied, names, ctx.builtin);
  Entry& mine = entry_for(entries, manager, "Apply", "", ctx);
  FieldSet removed = mine.fields;
  removed.remove(applied_set);
  std::vector<FieldPath> gone = removed.members();
  // Outermost first: a list-map entry nobody else owns goes as a whole, defaults included, as on a real server.
  // (Deepest first would strip the entry's key fields before the entry and then no longer find it by key.)
  std::stable_sort(gone.begin(), gone.end(),
                   [](const FieldPath& a, const FieldPath& b) { return a.size() < b.size(); });
  mine.fields = applied_set;
  for (const auto& path : gone) {
    bool other_owner = std::any_of(entries.begin(), entries.end(), [&](const Entry& e) {
      return !(e.manager() == manager && e.operation() == "Apply") && e.fields.owns_at_or_below(path);
    });
    if (other_owner || applied_set.owns_at_or_below(path) || is_key_of_entry(path)) continue;
    if (remove_at(result, path)) prune_empty_parents(result, path, entries);
  }
  write_entries(result, entries);
  return result;
}

void record_update(const Json& before, Json& after, const std::string& manager, const std::string& subresource,
                   const FieldContext& ctx) {
  Scope scope = subresource == "status" ? Scope::Status : Scope::Main;
  if (subresource == "scale") scope = Scope::Main;
  FieldSet new_fields = fields_of(after, ctx, scope);
  FieldSet old_fields = fields_of(before, ctx, scope);
  std::vector<Entry> entries = read_entries(before);
  FieldSet changed;
  const Json empty = Json::object();
  const Json& before_object = before.is_null() ? empty : before;
  for (const auto& path : new_fields.members()) {
    const FieldSet* n = new_fields.node(path);
    const Json* was = value_at(before_object, path);
    if (!was) {
      changed.add(path);
    } else if (n && n->children.empty()) {
      const Json* now = value_at(after, path);
      if (now && *now != *was) changed.add(path);
    }
  }
  FieldSet removed = old_fields;
  removed.remove(new_fields);
  for (auto& e : entries) {
    e.fields.remove(changed);
    e.fields.remove(removed);
  }
  if (!changed.empty()) {
    Entry& mine = entry_for(entries, manager.empty() ? "unknown" : manager, "Update",
                            subresource == "scale" ? "scale" : subresource, ctx);
    mine.fields.merge(changed);
  }
  write_entries(after, entries);
}

}  // namespace gitmoor::sandbox
