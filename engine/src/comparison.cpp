// See comparison.hpp.
#include "comparison.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <span>

#include "gitmoor/applier/tracking.hpp"
#include "gitmoor/core/packed.hpp"
#include "gitmoor/differ/crd_schema.hpp"
#include "gitmoor/differ/health.hpp"
#include "gitmoor/engine/sync_operation.hpp"

namespace gitmoor::engine {

using core::Json;
using core::Object;

namespace {

std::string version_of(const Object& object) {
  const std::string api_version = object.api_version();
  const auto slash = api_version.find('/');
  return slash == std::string::npos ? api_version : api_version.substr(slash + 1);
}

// The pod spec of a workload, wherever its kind keeps it.
const Json* pod_spec(const Json& object) {
  const std::string kind = object.value("kind", "");
  const Json* spec = object.contains("spec") ? &object["spec"] : nullptr;
  if (spec == nullptr || !spec->is_object()) return nullptr;
  if (kind == "Pod") return spec;
  if (kind == "CronJob") {
    const auto job = spec->find("jobTemplate");
    if (job == spec->end() || !job->is_object()) return nullptr;
    const auto job_spec = job->find("spec");
    if (job_spec == job->end() || !job_spec->is_object()) return nullptr;
    spec = &*job_spec;
  }
  const auto tmpl = spec->find("template");
  if (tmpl == spec->end() || !tmpl->is_object()) return nullptr;
  const auto inner = tmpl->find("spec");
  return inner == tmpl->end() || !inner->is_object() ? nullptr : &*inner;
}

void collect_images(const Json& object, std::set<std::string>& images) {
  const Json* spec = pod_spec(object);
  if (spec == nullptr) return;
  for (const char* field : {"initContainers", "containers", "ephemeralContainers"}) {
    const auto list = spec->find(field);
    if (list == spec->end() || !list->is_array()) continue;
    for (const auto& container : *list) {
      if (container.is_object() && container.contains("image") && container["image"].is_string()) {
        images.insert(container["image"].get<std::string>());
      }
    }
  }
}

// A live candidate: decoded (tracking id, hooks, health) and in packed form (the diff). `packed` is not owned.
struct LiveView {
  Object object;
  std::span<const std::uint8_t> packed;
};

Comparison compare_views(const std::string& app, const std::vector<Object>& desired, const std::vector<LiveView>& live,
                         const differ::DiffOptions& options, const differ::LuaHealthRules& health_rules) {
  Comparison result;
  std::vector<Object> declared;
  std::set<std::string> images;
  for (const auto& object : desired) {
    if (!hook_type(object).empty()) continue;
    declared.push_back(object);
    collect_images(object.json(), images);
  }
  result.desired_count = declared.size();
  result.images.assign(images.begin(), images.end());

  std::vector<const LiveView*> owned;
  for (const auto& view : live) {
    const auto& object = view.object;
    if (!hook_type(object).empty()) continue;
    if (object.annotation(applier::kTrackingAnnotation) != applier::tracking_id(app, object.key())) continue;
    owned.push_back(&view);
  }
  // Custom resources whose CRD the app itself declares are compared by the CRD's list keys (as server-side apply
  // merges them); others keep atomic lists.
  const auto schemas = differ::CustomResourceSchemas::from_objects(declared);
  differ::DiffOptions diff_options = options;
  if (diff_options.custom_resource_schemas == nullptr && !schemas.empty()) {
    diff_options.custom_resource_schemas = &schemas;
  }

  // differ::diff_app(declared, owned) with each pair diffed in packed form: matched by key (a later duplicate
  // wins, as in diff_app's maps), the HPA targets of all the objects, a live object without a desired counterpart
  // only when it carries the tracking annotation, sorted by key.
  std::map<core::ResourceKey, const Object*> desired_by_key;
  std::map<core::ResourceKey, const LiveView*> live_by_key;
  std::vector<const Object*> all;
  for (const auto& o : declared) {
    desired_by_key[o.key()] = &o;
    all.push_back(&o);
  }
  for (const auto* view : owned) {
    live_by_key[view->object.key()] = view;
    all.push_back(&view->object);
  }
  const auto targets = differ::hpa_targets(all);
  for (const auto& [key, object] : desired_by_key) {
    const auto l = live_by_key.find(key);
    if (l == live_by_key.end()) {
      // Missing: nothing to compare in place (diff_packed would decode it again); diff_resource gives its result.
      result.diff.resources.push_back(differ::diff_resource(object, nullptr, diff_options, targets));
      continue;
    }
    const auto bytes = core::pack(object->json());
    const differ::PackedResource packed_desired{key, bytes, object};
    const differ::PackedResource packed_live{key, l->second->packed};
    result.diff.resources.push_back(differ::diff_packed(&packed_desired, &packed_live, diff_options, targets));
  }
  for (const auto& [key, view] : live_by_key) {
    if (desired_by_key.count(key) != 0) continue;
    if (!view->object.annotation(differ::kTrackingAnnotation)) continue;  // not ours (see diff_app)
    result.diff.resources.push_back(differ::diff_resource(nullptr, &view->object, diff_options, targets));
  }
  std::sort(result.diff.resources.begin(), result.diff.resources.end(),
            [](const differ::ResourceDiff& a, const differ::ResourceDiff& b) { return a.key < b.key; });

  std::vector<differ::Health> healths;
  for (const auto& resource : result.diff.resources) {
    const auto d = desired_by_key.find(resource.key);
    const auto l = live_by_key.find(resource.key);
    const Object* live_object = l == live_by_key.end() ? nullptr : &l->second->object;
    const Object* desired_object = d == desired_by_key.end() ? nullptr : d->second;
    ResourceStatus status;
    status.key = resource.key;
    status.version = version_of(desired_object != nullptr ? *desired_object : *live_object);
    status.status = resource.in_sync() ? "Synced" : "OutOfSync";
    status.health = differ::assess_health(live_object, health_rules);
    status.requires_pruning = resource.status == differ::SyncStatus::Extraneous && !resource.ignored_extraneous;
    if (desired_object != nullptr) {
      status.sync_wave = std::atoi(desired_object->annotation("argocd.argoproj.io/sync-wave").value_or("0").c_str());
      healths.push_back(status.health);
      if (!resource.in_sync()) result.out_of_sync.push_back(resource.key);
    } else if (status.requires_pruning) {
      result.extraneous.push_back(resource.key);
    }
    result.resources.push_back(std::move(status));
  }
  result.sync_status = result.diff.in_sync() ? "Synced" : "OutOfSync";
  result.health = differ::worst_health(healths);
  return result;
}

}  // namespace

Comparison compare(const std::string& app, const std::vector<Object>& desired,
                   const std::vector<applier::PackedLive>& live, const differ::DiffOptions& options,
                   const differ::LuaHealthRules& health_rules) {
  std::vector<LiveView> views;
  views.reserve(live.size());
  // Decoded without managedFields (most of the bytes; hooks, tracking ids and health never read them): the diff
  // reads them in place, and decodes the whole object itself when it has to.
  for (const auto& object : live) {
    views.push_back({Object(core::unpack(object.bytes, {.managed_fields = false})), object.bytes});
  }
  return compare_views(app, desired, views, options, health_rules);
}

Comparison compare(const std::string& app, const std::vector<Object>& desired, const std::vector<Object>& live,
                   const differ::DiffOptions& options, const differ::LuaHealthRules& health_rules) {
  std::vector<std::vector<std::uint8_t>> packed;
  packed.reserve(live.size());
  std::vector<LiveView> views;
  views.reserve(live.size());
  for (const auto& object : live) {
    packed.push_back(core::pack(object.json()));
    views.push_back({object, packed.back()});  // reserved: the bytes do not move
  }
  return compare_views(app, desired, views, options, health_rules);
}

}  // namespace gitmoor::engine
