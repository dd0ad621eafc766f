// See comparison.hpp.
#include "comparison.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "gitmoor/applier/tracking.hpp"
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

}  // namespace

Comparison compare(const std::string& app, const std::vector<Object>& desired, const std::vector<Object>& live,
                   const differ::DiffOptions& options) {
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

  std::vector<Object> owned;
  for (const auto& object : live) {
    if (!hook_type(object).empty()) continue;
    if (object.annotation(applier::kTrackingAnnotation) != applier::tracking_id(app, object.key())) continue;
    owned.push_back(object);
  }
  // Custom resources whose CRD the app itself declares are compared by the CRD's list keys (as server-side apply
  // merges them); others keep atomic lists.
  const auto schemas = differ::CustomResourceSchemas::from_objects(declared);
  differ::DiffOptions diff_options = options;
  if (diff_options.custom_resource_schemas == nullptr && !schemas.empty()) {
    diff_options.custom_resource_schemas = &schemas;
  }
  result.diff = differ::diff_app(declared, owned, diff_options);

  std::map<core::ResourceKey, const Object*> desired_by_key, live_by_key;
  for (const auto& o : declared) desired_by_key[o.key()] = &o;
  for (const auto& o : owned) live_by_key[o.key()] = &o;

  std::vector<differ::Health> healths;
  for (const auto& resource : result.diff.resources) {
    const auto d = desired_by_key.find(resource.key);
    const auto l = live_by_key.find(resource.key);
    const Object* live_object = l == live_by_key.end() ? nullptr : l->second;
    const Object* desired_object = d == desired_by_key.end() ? nullptr : d->second;
    ResourceStatus status;
    status.key = resource.key;
    status.version = version_of(desired_object != nullptr ? *desired_object : *live_object);
    status.status = resource.in_sync() ? "Synced" : "OutOfSync";
    status.health = differ::assess_health(live_object);
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

}  // namespace gitmoor::engine
