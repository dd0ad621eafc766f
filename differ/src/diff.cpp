#include "gitmoor/differ/diff.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "gitmoor/differ/field_set.hpp"
#include "gitmoor/differ/normalize.hpp"
#include "gitmoor/differ/redact.hpp"
#include "gitmoor/differ/schema.hpp"
#include "walk.hpp"

namespace gitmoor::differ {

namespace {

bool at_or_under(const std::string& path, const std::string& pointer) {
  if (pointer.empty()) return true;
  if (path.size() < pointer.size() || path.compare(0, pointer.size(), pointer) != 0) return false;
  return path.size() == pointer.size() || path[pointer.size()] == '/';
}

bool string_is(const Json& object, std::string_view field, std::string_view value) {
  auto it = object.find(field);
  return it != object.end() && it->is_string() && it->get_ref<const std::string&>() == value;
}

// A managedFields entry of `manager`'s apply to the main resource (status and scale are written by others).
bool is_applied_by(const Json& entry, const std::string& manager) {
  if (!entry.is_object() || !string_is(entry, "manager", manager) || !string_is(entry, "operation", "Apply")) {
    return false;
  }
  auto sub = entry.find("subresource");
  return sub == entry.end() || !sub->is_string() || sub->get_ref<const std::string&>().empty();
}

bool needs_normalizing(const Json& desired) {
  // Only a Secret's stringData changes meaning; everything else the walk skips in place, without a copy.
  return desired.contains("stringData");
}

// Drops the changes the user (or the built-in HPA rule) declared not to be drift.
void drop_ignored(std::vector<detail::FoundChange>& changes, const core::ResourceKey& key, const Json& live,
                  const DiffOptions& options, const std::vector<core::ResourceKey>& hpa_targets) {
  std::vector<std::string> pointers;
  FieldSet managed_elsewhere;
  for (const auto& rule : options.ignore_rules) {
    if (!rule.matches(key)) continue;
    pointers.insert(pointers.end(), rule.json_pointers.begin(), rule.json_pointers.end());
    if (!rule.managed_fields_managers.empty() && !live.is_null()) {
      managed_elsewhere.merge(fields_of_managers(live, rule.managed_fields_managers));
    }
  }
  if (options.ignore_hpa_replicas && std::find(hpa_targets.begin(), hpa_targets.end(), key) != hpa_targets.end()) {
    pointers.emplace_back("/spec/replicas");
  }
  if (pointers.empty() && managed_elsewhere.empty()) return;
  std::erase_if(changes, [&](const detail::FoundChange& found) {
    for (const auto& pointer : pointers) {
      if (at_or_under(found.change.path, pointer)) return true;
    }
    return !managed_elsewhere.empty() && managed_elsewhere.covers(found.elements);
  });
}

void redact_changes(std::vector<Change>& changes, bool secret) {
  if (!secret) return;
  for (auto& change : changes) {
    if (at_or_under(change.path, "/data") || at_or_under(change.path, "/stringData")) {
      change.desired = redact_values(change.desired);
      change.live = redact_values(change.live);
    }
  }
}

}  // namespace

ResourceDiff diff_resource(const core::Object* desired, const core::Object* live, const DiffOptions& options,
                           const std::vector<core::ResourceKey>& hpa_targets) {
  ResourceDiff result;
  result.key = desired ? desired->key() : live->key();
  if (desired == nullptr) {
    result.status = SyncStatus::Extraneous;
    result.live = normalize(live->json());
    auto compare = live->annotation("argocd.argoproj.io/compare-options");
    auto own = live->annotation("gitmoor.dev/compare-options");
    result.ignored_extraneous = (compare && compare->find("IgnoreExtraneous") != std::string::npos) ||
                                (own && own->find("IgnoreExtraneous") != std::string::npos);
    return result;
  }
  Json normalized_desired;
  const Json* desired_json = &desired->json();
  if (needs_normalizing(*desired_json)) {
    normalized_desired = normalize(*desired_json);
    desired_json = &normalized_desired;
  }
  if (live == nullptr) {
    result.status = SyncStatus::Missing;
    result.predicted = normalize(*desired_json);
    return result;
  }

  detail::Walk walk;
  walk.lists.builtin = is_builtin_group(result.key.group);
  if (!walk.lists.builtin && options.custom_resource_schemas != nullptr) {
    walk.lists.custom = options.custom_resource_schemas->lists_of(result.key.group, result.key.kind);
  }
  detail::compare_desired(walk, *desired_json, &live->json());
  // Every Apply entry of the manager: the union of their fields is what apply would release.
  if (auto metadata = live->json().find("metadata"); metadata != live->json().end() && metadata->is_object()) {
    if (auto entries = metadata->find("managedFields"); entries != metadata->end() && entries->is_array()) {
      for (const auto& entry : *entries) {
        if (!is_applied_by(entry, options.field_manager)) continue;
        auto fields = entry.find("fieldsV1");
        if (fields == entry.end() || detail::owned_fields_kept(*fields, *desired_json)) continue;
        detail::compare_owned(walk, *fields, desired_json, &live->json());
      }
    }
  }
  drop_ignored(walk.changes, result.key, live->json(), options, hpa_targets);

  std::sort(walk.changes.begin(), walk.changes.end(),
            [](const detail::FoundChange& a, const detail::FoundChange& b) {
              return std::tie(a.change.path, a.change.op) < std::tie(b.change.path, b.change.op);
            });
  walk.changes.erase(std::unique(walk.changes.begin(), walk.changes.end(),
                                 [](const detail::FoundChange& a, const detail::FoundChange& b) {
                                   return a.change.path == b.change.path && a.change.op == b.change.op;
                                 }),
                     walk.changes.end());
  if (walk.changes.empty()) {
    result.status = SyncStatus::Synced;
    return result;  // in sync: no copies of the objects (the common case must be cheap)
  }
  result.status = SyncStatus::OutOfSync;
  Json live_normalized = normalize(live->json());
  result.predicted = detail::predict(live_normalized, *desired_json, walk.changes, walk.lists);
  normalize_in_place(result.predicted);
  result.live = std::move(live_normalized);
  for (auto& found : walk.changes) result.changes.push_back(std::move(found.change));
  redact_changes(result.changes, is_secret(live->json()));
  return result;
}

std::vector<core::ResourceKey> hpa_targets(const std::vector<const core::Object*>& objects) {
  std::vector<core::ResourceKey> targets;
  for (const auto* object : objects) {
    if (object == nullptr || object->kind() != "HorizontalPodAutoscaler") continue;
    const Json& json = object->json();
    auto spec = json.find("spec");
    if (spec == json.end() || !spec->is_object()) continue;
    auto ref = spec->find("scaleTargetRef");
    if (ref == spec->end() || !ref->is_object()) continue;
    core::ResourceKey key;
    key.group = core::GroupVersionKind::from(ref->value("apiVersion", ""), "").group;
    key.kind = ref->value("kind", "");
    key.ns = object->ns();
    key.name = ref->value("name", "");
    targets.push_back(std::move(key));
  }
  return targets;
}

AppDiff diff_app(const std::vector<core::Object>& desired, const std::vector<core::Object>& live,
                 const DiffOptions& options) {
  std::map<core::ResourceKey, const core::Object*> desired_by_key;
  std::map<core::ResourceKey, const core::Object*> live_by_key;
  std::vector<const core::Object*> all;
  for (const auto& object : desired) {
    desired_by_key[object.key()] = &object;
    all.push_back(&object);
  }
  for (const auto& object : live) {
    live_by_key[object.key()] = &object;
    all.push_back(&object);
  }
  const auto targets = hpa_targets(all);

  AppDiff app;
  for (const auto& [key, object] : desired_by_key) {
    auto it = live_by_key.find(key);
    app.resources.push_back(diff_resource(object, it == live_by_key.end() ? nullptr : it->second, options, targets));
  }
  for (const auto& [key, object] : live_by_key) {
    if (desired_by_key.count(key)) continue;
    if (!object->annotation(kTrackingAnnotation)) continue;  // not ours: identity is the tracking annotation
    app.resources.push_back(diff_resource(nullptr, object, options, targets));
  }
  std::sort(app.resources.begin(), app.resources.end(),
            [](const ResourceDiff& a, const ResourceDiff& b) { return a.key < b.key; });
  return app;
}

}  // namespace gitmoor::differ
