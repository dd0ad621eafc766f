// Deleting an Application (Argo CD's cascading delete). The API side (delete_application) only sets the finalizers
// and deletes the custom resource; the work is finalizer-driven, so `kubectl delete application` with the finalizer
// on cascades the same way: the engine sees deletionTimestamp, deletes the app's resources wave by wave (highest
// first, each wave gone before the next), leaves Delete=false / resource-policy keep objects, then removes the
// finalizer and the API server removes the Application.
//
// Safety (DESIGN.md): nothing is deleted unless the app's resources were read without an error, and only objects
// whose tracking id is exactly this app's.
#include <algorithm>

#include "controller_impl.hpp"
#include "gitmoor/applier/kind_order.hpp"
#include "gitmoor/applier/tracking.hpp"
#include "gitmoor/engine/application_store.hpp"
#include "hook_requests.hpp"
#include "resources_finalizer.hpp"

namespace gitmoor::engine {

namespace {

constexpr const char* kDeletionError = "DeletionError";
constexpr auto kWaveRecheck = std::chrono::seconds(1);  // live events of deleted objects usually come sooner
constexpr auto kErrorRetry = std::chrono::seconds(5);

std::string group_of(const Application& app) {
  return core::GroupVersionKind::from(app.api_version, "Application").group;
}

std::vector<std::string> finalizers_of(const Application& app) {
  std::vector<std::string> out;
  const auto& md = app.manifest.value("metadata", core::Json::object());
  for (const auto& f : md.value("finalizers", core::Json::array())) {
    if (f.is_string()) out.push_back(f.get<std::string>());
  }
  return out;
}

// `list` without any resources finalizer (gitmoor's or Argo CD's).
std::vector<std::string> without_resources_finalizers(std::vector<std::string> list) {
  std::erase_if(list, [&](const std::string& f) { return resources_finalizer_policy(f).has_value(); });
  return list;
}

}  // namespace

bool being_deleted(const Application& app) {
  const auto& md = app.manifest.value("metadata", core::Json::object());
  const auto it = md.find("deletionTimestamp");
  return it != md.end() && !it->is_null();
}

void Controller::Impl::finalize_deletion(const std::shared_ptr<AppRecord>& record, const Application& app) {
  std::optional<applier::PropagationPolicy> policy;
  for (const auto& f : finalizers_of(app)) {
    if ((policy = resources_finalizer_policy(f))) break;
  }
  // Without our finalizer the API server removes the app once other finalizers are gone; nothing is synced meanwhile.
  if (!policy) return;

  const auto fail = [&](const std::string& message) {
    engine_log().error("application {}: {}", app.name, message);
    {
      std::lock_guard lock(mutex);
      record->status.set_condition(kDeletionError, message, now_rfc3339());
    }
    write_status(record, false);
    queue.add_after(app.name, kErrorRetry);
  };

  std::vector<core::Object> remaining;
  try {
    for (auto& live : resources.list_managed(app.instance())) {
      // The label only narrowed the list: ownership is the exact tracking id.
      if (live.annotation(applier::kTrackingAnnotation) != applier::tracking_id(app.instance(), live.key())) continue;
      if (kept_on_delete(live)) continue;
      remaining.push_back(std::move(live));
    }
  } catch (const std::exception& e) {
    resources.discovery().invalidate();  // a kind that went away fails its list until discovery is read again
    fail(std::string("cannot read the application's resources, so none is deleted: ") + e.what());
    return;
  }

  if (remaining.empty()) {
    try {
      store->update_finalizers(app, [&](std::vector<std::string> list) {
        return without_resources_finalizers(std::move(list));
      });
    } catch (const std::exception& e) {
      fail(std::string("resources deleted, but the finalizer could not be removed: ") + e.what());
      return;
    }
    engine_log().info("application {}: resources deleted; finalizer removed", app.name);
    return;
  }

  const auto wave = next_deletion_wave(remaining);
  std::string errors;
  std::size_t deleting = 0;
  for (const auto& object : wave) {
    if (object.metadata().contains("deletionTimestamp")) continue;  // already going: wait for it
    try {
      delete_object(client, resources.discovery(), object, *policy);
      ++deleting;
    } catch (const std::exception& e) {
      errors += (errors.empty() ? "" : "; ") + std::string(e.what());
    }
  }
  if (deleting > 0) {
    engine_log().info("application {}: deleting {} resource(s) of sync wave {} ({} left in all)", app.name, deleting,
                      applier::sync_wave(wave.front()), remaining.size());
  }
  if (!errors.empty()) {
    fail("deleting resources failed: " + errors);
    return;
  }
  {
    std::lock_guard lock(mutex);
    record->status.clear_condition(kDeletionError);
  }
  queue.add_after(app.name, kWaveRecheck);
}

void Controller::delete_application(const std::string& name, const DeleteRequest& request) {
  Application app;
  {
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->apps.find(name);
    if (it == impl_->apps.end()) throw ApplicationNotFound("application " + name + " not found");
    app = it->second->app;
  }
  if (app.origin != ApplicationOrigin::Cluster) {
    throw InvalidArgument("application " + name + " comes from the --apps file " + app.file +
                          ", not from a custom resource: remove it from that file to delete it");
  }
  const auto policy = parse_propagation_policy(request.propagation_policy);
  if (!policy) {
    throw InvalidArgument("application " + name + ": propagationPolicy must be foreground, background or orphan, not \"" +
                          request.propagation_policy + "\"");
  }
  const auto group = group_of(app);
  const bool present = impl_->store->update_finalizers(app, [&](std::vector<std::string> list) {
    list = without_resources_finalizers(std::move(list));
    if (request.cascade) list.push_back(resources_finalizer(group, *policy));
    return list;
  });
  if (!present || !impl_->store->remove(app)) throw ApplicationNotFound("application " + name + " not found");
  engine_log().info("application {}: deleted ({})", name,
                    request.cascade ? "cascade: its resources are deleted first" : "its resources are left");
}

}  // namespace gitmoor::engine
