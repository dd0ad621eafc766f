// Hook creation and object deletion requests. See hook_requests.hpp.
#include "hook_requests.hpp"

namespace gitmoor::engine {

namespace {

applier::ApiResource resource_of(applier::Discovery& discovery, const core::Object& object) {
  auto resource = discovery.find(object.gvk());
  if (!resource) {
    throw applier::ApiError(404, "NotFound",
                            object.key().to_string() + ": the server has no resource for " + object.gvk().to_string());
  }
  return *resource;
}

std::string_view policy_name(applier::PropagationPolicy policy) {
  switch (policy) {
    case applier::PropagationPolicy::Foreground: return "Foreground";
    case applier::PropagationPolicy::Background: return "Background";
    case applier::PropagationPolicy::Orphan: return "Orphan";
  }
  return "Background";
}

}  // namespace

CreatedHook create_hook(applier::Client& client, applier::Discovery& discovery, const core::Object& hook,
                        const std::string& field_manager) {
  const auto resource = resource_of(discovery, hook);
  applier::HttpResponse response;
  if (hook.name().empty()) {
    // generateName: every run is a new object, so there is nothing to apply onto.
    response = client.send({.method = "POST",
                            .path = resource.path(hook.ns()) + "?fieldManager=" + field_manager,
                            .body = hook.json().dump(),
                            .content_type = "application/json",
                            .idempotent = false,
                            .timeout = {}});
  } else {
    response = client.send({.method = "PATCH",
                            .path = resource.path(hook.ns(), hook.name()) + "?fieldManager=" + field_manager +
                                    "&force=true",
                            .body = hook.json().dump(),
                            .content_type = "application/apply-patch+yaml",
                            .idempotent = true,
                            .timeout = {}});
  }
  if (response.status >= 400) throw applier::api_error(response, hook.key().to_string() + " create");
  const auto body = response.json();
  const auto& metadata = body.value("metadata", core::Json::object());
  return {.name = metadata.value("name", hook.name()), .uid = metadata.value("uid", "")};
}

bool delete_object(applier::Client& client, applier::Discovery& discovery, const core::Object& object,
                   applier::PropagationPolicy propagation) {
  const auto resource = resource_of(discovery, object);
  const core::Json body{{"propagationPolicy", std::string(policy_name(propagation))}};
  auto response = client.send({.method = "DELETE",
                               .path = resource.path(object.ns(), object.name()),
                               .body = body.dump(),
                               .content_type = "application/json",
                               .idempotent = true,
                               .timeout = {}});
  if (response.status == 404) return true;
  if (response.status >= 400) throw applier::api_error(response, object.key().to_string() + " delete");
  // A Status body means the object was removed at once; the object itself means it is held (finalizers).
  return response.json().value("kind", "") == "Status";
}

bool object_exists(applier::Client& client, applier::Discovery& discovery, const core::Object& object) {
  const auto resource = resource_of(discovery, object);
  auto response = client.send({.method = "GET", .path = resource.path(object.ns(), object.name())});
  if (response.status == 404) return false;
  if (response.status >= 400) throw applier::api_error(response, object.key().to_string() + " get");
  return true;
}

}  // namespace gitmoor::engine
