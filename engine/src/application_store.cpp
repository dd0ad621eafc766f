// Applications in the cluster: list, status writes, watch targets. Status is written only through the status
// subresource, so the engine never races a user's `kubectl apply` of the spec.
#include "gitmoor/engine/application_store.hpp"

#include "gitmoor/core/logging.hpp"

namespace gitmoor::engine {
namespace {

using core::Json;

std::string list_path(const applier::ApiResource& resource, const std::string& ns) { return resource.path(ns); }

}  // namespace

applier::ApiResource application_resource(std::string_view group) {
  return {.gvk = {std::string(group), std::string(kApplicationVersion), "Application"},
          .resource = "applications",
          .namespaced = true,
          .verbs = {"create", "delete", "get", "list", "patch", "update", "watch"}};
}

Json merge_patch_between(const Json& from, const Json& to) {
  if (!from.is_object() || !to.is_object()) return to;
  Json patch = Json::object();
  for (const auto& [key, value] : from.items()) {
    if (!to.contains(key)) patch[key] = nullptr;
  }
  for (const auto& [key, value] : to.items()) {
    auto it = from.find(key);
    if (it == from.end()) {
      patch[key] = value;
    } else if (*it != value) {
      // A nested object is patched field by field; anything else (lists included, RFC 7386) is replaced.
      patch[key] = it->is_object() && value.is_object() ? merge_patch_between(*it, value) : value;
    }
  }
  return patch;
}

ApplicationStore::ApplicationStore(applier::Client& client, ApplicationStoreOptions options)
    : client_(client), options_(options) {}

std::vector<std::string> ApplicationStore::groups() const {
  std::vector<std::string> out{std::string(kGitmoorGroup)};
  if (options_.argocd_applications) out.emplace_back(kArgoGroup);
  return out;
}

std::vector<Application> ApplicationStore::list(const std::string& ns) {
  std::vector<Application> apps;
  for (const auto& group : groups()) {
    auto resource = application_resource(group);
    auto response = client_.send({.method = "GET", .path = list_path(resource, ns)});
    if (response.status == 404) continue;  // the group's CRD is not installed
    if (response.status >= 400) throw applier::api_error(response, "list " + resource.counter_name());
    Json list = response.json();
    if (!list.contains("items") || !list["items"].is_array()) continue;
    for (auto& item : list["items"]) {
      if (!item.is_object()) continue;
      // Items of a list may omit apiVersion and kind; the collection says what they are.
      if (!item.contains("apiVersion")) item["apiVersion"] = resource.gvk.api_version();
      if (!item.contains("kind")) item["kind"] = "Application";
      const Json& md = item.value("metadata", Json::object());
      std::string subject = resource.gvk.api_version() + " Application " + md.value("namespace", "") + "/" +
                            md.value("name", "");
      try {
        apps.push_back(parse_application(item, ApplicationOrigin::Cluster, subject));
      } catch (const core::InvalidInput& e) {
        core::logger("engine")->warn("{}; skipped", e.what());
      }
    }
  }
  return apps;
}

bool ApplicationStore::write_status(const Application& app, const ApplicationStatus& status) {
  auto resource = application_resource(core::GroupVersionKind::from(app.api_version, "Application").group);
  const std::string path = resource.path(app.ns, app.name);
  const Json desired = status.to_json();
  for (int attempt = 0;; ++attempt) {
    auto live = client_.send({.method = "GET", .path = path});
    if (live.status == 404) return false;
    if (live.status >= 400) throw applier::api_error(live, "get " + app.subject());
    Json object = live.json();
    Json patch_status = merge_patch_between(object.value("status", Json::object()), desired);
    if (patch_status.empty()) return true;
    // The resourceVersion makes the patch conditional: a status computed from an object that changed since is
    // refused with 409, and retried against the new state rather than overwriting a concurrent writer.
    Json patch = {{"metadata", {{"resourceVersion", object["metadata"].value("resourceVersion", "")}}},
                  {"status", std::move(patch_status)}};
    auto response = client_.send({.method = "PATCH",
                                  .path = path + "/status",
                                  .body = patch.dump(),
                                  .content_type = "application/merge-patch+json"});
    if (response.status < 400) return true;
    if (response.status == 404) return false;
    if (response.status != 409 || attempt >= options_.conflict_retries) {
      throw applier::api_error(response, "write status of " + app.subject());
    }
  }
}

bool ApplicationStore::update_finalizers(
    const Application& app, const std::function<std::vector<std::string>(std::vector<std::string>)>& edit) {
  auto resource = application_resource(core::GroupVersionKind::from(app.api_version, "Application").group);
  const std::string path = resource.path(app.ns, app.name);
  for (int attempt = 0;; ++attempt) {
    auto live = client_.send({.method = "GET", .path = path});
    if (live.status == 404) return false;
    if (live.status >= 400) throw applier::api_error(live, "get " + app.subject());
    Json object = live.json();
    std::vector<std::string> current;
    for (const auto& f : object["metadata"].value("finalizers", Json::array())) {
      if (f.is_string()) current.push_back(f.get<std::string>());
    }
    const auto wanted = edit(current);
    if (wanted == current) return true;
    Json patch = {{"metadata",
                   {{"resourceVersion", object["metadata"].value("resourceVersion", "")},
                    {"finalizers", wanted.empty() ? Json(nullptr) : Json(wanted)}}}};
    auto response = client_.send({.method = "PATCH",
                                  .path = path,
                                  .body = patch.dump(),
                                  .content_type = "application/merge-patch+json"});
    if (response.status < 400) return true;
    if (response.status == 404) return false;
    if (response.status != 409 || attempt >= options_.conflict_retries) {
      throw applier::api_error(response, "update the finalizers of " + app.subject());
    }
  }
}

bool ApplicationStore::remove(const Application& app) {
  auto resource = application_resource(core::GroupVersionKind::from(app.api_version, "Application").group);
  auto response = client_.send({.method = "DELETE",
                                .path = resource.path(app.ns, app.name),
                                .body = Json{{"propagationPolicy", "Background"}}.dump(),
                                .content_type = "application/json"});
  if (response.status == 404) return false;
  if (response.status >= 400) throw applier::api_error(response, "delete " + app.subject());
  return true;
}

std::vector<applier::WatchTarget> ApplicationStore::watch_targets(const std::string& ns) {
  std::vector<applier::WatchTarget> targets;
  for (const auto& group : groups()) {
    auto resource = application_resource(group);
    auto response = client_.send({.method = "GET", .path = list_path(resource, ns) + "?limit=1"});
    if (response.status == 404) continue;
    if (response.status >= 400) throw applier::api_error(response, "list " + resource.counter_name());
    targets.push_back({.resource = resource, .ns = ns, .label_selector = ""});
  }
  return targets;
}

}  // namespace gitmoor::engine
