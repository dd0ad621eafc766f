// The read-only views of one application, in Argo CD's paths and shapes: resource-tree, managed-resources, events,
// logs (whole, or followed as a stream) and the metadata of a revision.
#include <charconv>

#include "api_routes.hpp"
#include "gitmoor/core/error.hpp"
#include "pod_log_stream.hpp"
#include "responses.hpp"

namespace gitmoor::web {

namespace {

// The 404 of a pod, resource or revision the application does not have, the 400 of a bad option; what is left goes
// to the Router (ApplicationNotFound 404, anything else 500).
template <typename Body>
Reply answer(RequestContext& context, Body&& body) {
  try {
    return body();
  } catch (const engine::ResourceNotFound& e) {
    return error_response(context.request, http::status::not_found, e.what());
  } catch (const engine::ApplicationNotFound&) {
    throw;
  } catch (const core::InvalidInput& e) {
    return error_response(context.request, http::status::bad_request, e.what());
  }
}

std::optional<std::int64_t> integer_option(RequestContext& context, const char* name) {
  const auto text = context.query_value(name);
  if (!text || text->empty()) return std::nullopt;
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || value < 0) {
    throw core::InvalidInput("application " + context.param("name") + ": " + name +
                             " must be a non-negative integer, not \"" + *text + "\"");
  }
  return value;
}

bool flag_option(RequestContext& context, const char* name) {
  const auto text = context.query_value(name);
  if (!text || text->empty() || *text == "false") return false;
  if (*text == "true") return true;
  throw core::InvalidInput("application " + context.param("name") + ": " + name + " must be true or false, not \"" +
                           *text + "\"");
}

engine::PodLogsRequest logs_request(RequestContext& context) {
  engine::PodLogsRequest request;
  if (auto pod = context.params.find("podName"); pod != context.params.end()) request.pod_name = pod->second;
  if (auto pod = context.query_value("podName"); pod && !pod->empty()) request.pod_name = *pod;
  request.container = context.query_value("container").value_or("");
  request.tail_lines = integer_option(context, "tailLines");
  request.since_seconds = integer_option(context, "sinceSeconds");
  request.follow = flag_option(context, "follow");
  if (request.pod_name.empty()) {
    throw core::InvalidInput("application " + context.param("name") + ": podName is required");
  }
  return request;
}

Reply logs(engine::Operations& operations, RequestContext& context) {
  return answer(context, [&]() -> Reply {
    const auto& name = context.param("name");
    const auto request = logs_request(context);
    if (request.follow) {
      operations.check_pod_logs(name, request);  // refusals before the head: a stream cannot change its status
      Response head{http::status::ok, context.request.version()};
      head.set(http::field::server, "gitmoor");
      head.set(http::field::content_type, "application/json");
      head.set(http::field::cache_control, "no-store");
      return Reply(std::move(head), std::make_shared<PodLogStream>(operations, name, request));
    }
    std::string body;
    operations.pod_logs(
        name, request,
        [&](const engine::LogEntry& entry) {
          body += log_entry_line(entry);
          return true;
        },
        [] { return false; });
    body += last_log_line(request.pod_name);
    return make_response(context.request, http::status::ok, std::move(body), "application/json");
  });
}

// Argo CD's resource filters of the events route (resourceUID, resourceName, resourceNamespace).
core::Json filter_events(const core::Json& events, RequestContext& context) {
  const auto uid = context.query_value("resourceUID").value_or("");
  const auto name = context.query_value("resourceName").value_or("");
  const auto ns = context.query_value("resourceNamespace").value_or("");
  if (uid.empty() && name.empty() && ns.empty()) return events;
  core::Json items = core::Json::array();
  for (const auto& event : events.value("items", core::Json::array())) {
    const auto involved = event.value("involvedObject", core::Json::object());
    if (!uid.empty() && involved.value("uid", "") != uid) continue;
    if (!name.empty() && involved.value("name", "") != name) continue;
    if (!ns.empty() && involved.value("namespace", "") != ns) continue;
    items.push_back(event);
  }
  return {{"items", std::move(items)}};
}

// Argo CD's ResourceRequest query of GET .../resource: which object of the app's tree.
engine::ResourceRef resource_ref(RequestContext& context) {
  engine::ResourceRef ref{.group = context.query_value("group").value_or(""),
                          .version = context.query_value("version").value_or(""),
                          .kind = context.query_value("kind").value_or(""),
                          .ns = context.query_value("namespace").value_or(""),
                          .name = context.query_value("resourceName").value_or("")};
  if (ref.kind.empty() || ref.name.empty()) {
    throw core::InvalidInput("application " + context.param("name") + ": kind and resourceName are required");
  }
  return ref;
}

}  // namespace

void add_application_view_routes(Router& router, ApiServices& services) {
  auto& operations = services.operations;
  router.add(http::verb::get, "/api/v1/applications/{name}/resource-tree", Access::Read,
             [&operations](RequestContext& context) -> Reply {
               return json_response(context.request, http::status::ok,
                                    operations.resource_tree(context.param("name")));
             });
  router.add(http::verb::get, "/api/v1/applications/{name}/managed-resources", Access::Read,
             [&operations](RequestContext& context) -> Reply {
               return json_response(context.request, http::status::ok,
                                    operations.managed_resources(context.param("name")));
             });
  // The live object of any node of the tree (a Pod, a ReplicaSet: what managed-resources does not hold), as Argo CD's
  // {"manifest": "<JSON>"}; Secret values masked, managedFields dropped; 404 outside the tree.
  router.add(http::verb::get, "/api/v1/applications/{name}/resource", Access::Read,
             [&operations](RequestContext& context) -> Reply {
               return answer(context, [&]() -> Reply {
                 const auto object = operations.live_resource(context.param("name"), resource_ref(context));
                 return json_response(context.request, http::status::ok,
                                      {{"manifest", object.dump(-1, ' ', false, core::Json::error_handler_t::replace)}});
               });
             });
  router.add(http::verb::get, "/api/v1/applications/{name}/events", Access::Read,
             [&operations](RequestContext& context) -> Reply {
               return json_response(context.request, http::status::ok,
                                    filter_events(operations.events(context.param("name")), context));
             });
  router.add(http::verb::get, "/api/v1/applications/{name}/logs", Access::Read,
             [&operations](RequestContext& context) { return logs(operations, context); });
  router.add(http::verb::get, "/api/v1/applications/{name}/pods/{podName}/logs", Access::Read,
             [&operations](RequestContext& context) { return logs(operations, context); });
  router.add(http::verb::get, "/api/v1/applications/{name}/revisions/{revision}/metadata", Access::Read,
             [&operations](RequestContext& context) -> Reply {
               return answer(context, [&]() -> Reply {
                 return json_response(
                     context.request, http::status::ok,
                     operations.revision_metadata(context.param("name"), context.param("revision")));
               });
             });
}

}  // namespace gitmoor::web
