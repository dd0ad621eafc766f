// /api/v1/applications: list (filters, fields), get (refresh), refresh, sync, rollback, terminate, delete; Argo CD's
// paths, query parameters and body shapes.
#include <algorithm>

#include "api_routes.hpp"
#include "application_filters.hpp"
#include "gitmoor/core/error.hpp"
#include "responses.hpp"
#include "sync_request_json.hpp"

namespace gitmoor::web {

namespace {

// How long GET ?refresh= waits for the compare it asked for before answering with what it has.
constexpr std::chrono::seconds kRefreshWait{10};

// The user an operation is recorded as started by (operationState.operation.initiatedBy.username).
std::string initiator(const RequestContext& context) {
  return context.principal.via == "none" || context.principal.name.empty() ? "api" : context.principal.name;
}

// A bad request (engine::InvalidArgument: unknown history id, app from a file, ...) is 400; what the Router maps
// by itself (404 not found, 409 not now) passes through.
template <class Handler>
Reply answering_bad_requests(RequestContext& context, Handler handler) {
  try {
    return handler();
  } catch (const engine::InvalidArgument& e) {
    return error_response(context.request, http::status::bad_request, e.what());
  }
}

// The largest metadata.resourceVersion among `items` (as a list's resourceVersion: it moves when any app changes).
std::string list_resource_version(const std::vector<core::Json>& items) {
  unsigned long long newest = 0;
  for (const auto& app : items) {
    const auto& md = app.value("metadata", core::Json::object());
    const auto it = md.find("resourceVersion");
    if (it == md.end() || !it->is_string()) continue;
    try {
      newest = std::max(newest, std::stoull(it->get<std::string>()));
    } catch (const std::exception&) {
      // Opaque versions are allowed by Kubernetes; they just do not count here.
    }
  }
  return std::to_string(newest);
}

Reply application_or_404(RequestContext& context, engine::Operations& operations, const std::string& name) {
  auto app = operations.get_application(name);
  if (!app) return error_response(context.request, http::status::not_found, "application " + name + " not found");
  return json_response(context.request, http::status::ok, *app);
}

}  // namespace

void add_application_routes(Router& router, ApiServices& services) {
  auto& operations = services.operations;
  router.add(http::verb::get, "/api/v1/applications", Access::Read, [&operations](RequestContext& context) -> Reply {
    ApplicationFilter filter;
    try {
      filter = parse_application_filter(context.query);
    } catch (const core::InvalidInput& e) {
      return error_response(context.request, http::status::bad_request, e.what());
    }
    auto all = operations.list_applications();
    const auto resource_version = list_resource_version(all);
    core::Json items = core::Json::array();
    for (auto& app : all) {
      if (filter.matches(app)) items.push_back(std::move(app));  // moved: 1,000 apps are megabytes of JSON
    }
    core::Json list{{"items", std::move(items)}, {"metadata", {{"resourceVersion", resource_version}}}};
    const auto fields = parse_fields(context.query);
    return json_response(context.request, http::status::ok, fields.empty() ? list : keep_fields(list, fields));
  });
  router.add(http::verb::get, "/api/v1/applications/{name}", Access::Read, [&operations](RequestContext& context) -> Reply {
    const auto& name = context.param("name");
    if (const auto refresh = context.query_value("refresh")) {
      if (*refresh != "normal" && *refresh != "hard") {
        return error_response(context.request, http::status::bad_request,
                              "application " + name + ": refresh must be normal or hard, not \"" + *refresh + "\"");
      }
      operations.refresh_and_wait(name, *refresh == "hard", kRefreshWait);
    }
    return application_or_404(context, operations, name);
  });
  router.add(http::verb::post, "/api/v1/applications/{name}/refresh", Access::Write,
             [&operations](RequestContext& context) -> Reply {
               const auto& name = context.param("name");
               const auto hard = context.query_value("hard");
               if (hard && *hard != "true" && *hard != "false" && !hard->empty()) {
                 return error_response(context.request, http::status::bad_request,
                                       "refresh of application " + name + ": hard must be true or false, not \"" +
                                           *hard + "\"");
               }
               const bool is_hard = hard && *hard != "false";
               operations.refresh(name, is_hard);
               return json_response(context.request, http::status::accepted,
                                    {{"application", name}, {"refresh", is_hard ? "hard" : "normal"}});
             });
  // Argo CD answers a sync with the Application, its `operation` showing the sync asked for. A sync runs even when
  // the app is Synced (a force-sync from a terminal or a CI job).
  router.add(http::verb::post, "/api/v1/applications/{name}/sync", Access::Write,
             [&operations](RequestContext& context) -> Reply {
               const auto& name = context.param("name");
               engine::SyncRequest sync;
               try {
                 sync = parse_sync_request(context.request.body());
               } catch (const core::InvalidInput& e) {
                 return error_response(context.request, http::status::bad_request,
                                       "application " + name + ": " + e.what());
               }
               sync.initiated_by = initiator(context);
               operations.sync(name, sync);
               return application_or_404(context, operations, name);
             });
  router.add(http::verb::post, "/api/v1/applications/{name}/rollback", Access::Write,
             [&operations](RequestContext& context) -> Reply {
               const auto& name = context.param("name");
               engine::RollbackRequest rollback;
               try {
                 rollback = parse_rollback_request(context.request.body());
               } catch (const core::InvalidInput& e) {
                 return error_response(context.request, http::status::bad_request,
                                       "application " + name + ": " + e.what());
               }
               rollback.initiated_by = initiator(context);
               return answering_bad_requests(context, [&]() -> Reply {
                 operations.rollback(name, rollback);
                 return application_or_404(context, operations, name);
               });
             });
  // Argo CD's terminate is DELETE .../operation; POST .../terminate is kept for earlier clients.
  router.add(http::verb::delete_, "/api/v1/applications/{name}/operation", Access::Write,
             [&operations](RequestContext& context) -> Reply {
               operations.terminate(context.param("name"));
               return json_response(context.request, http::status::ok, core::Json::object());
             });
  router.add(http::verb::post, "/api/v1/applications/{name}/terminate", Access::Write,
             [&operations](RequestContext& context) -> Reply {
               const auto& name = context.param("name");
               operations.terminate(name);
               return json_response(context.request, http::status::accepted,
                                    {{"application", name}, {"operation", "terminate"}});
             });
  router.add(http::verb::delete_, "/api/v1/applications/{name}", Access::Write,
             [&operations](RequestContext& context) -> Reply {
               const auto& name = context.param("name");
               engine::DeleteRequest request;
               if (const auto cascade = context.query_value("cascade")) {
                 if (*cascade != "true" && *cascade != "false" && !cascade->empty()) {
                   return error_response(context.request, http::status::bad_request,
                                         "delete of application " + name + ": cascade must be true or false, not \"" +
                                             *cascade + "\"");
                 }
                 request.cascade = *cascade != "false";
               }
               request.propagation_policy = context.query_value("propagationPolicy").value_or("foreground");
               return answering_bad_requests(context, [&]() -> Reply {
                 operations.delete_application(name, request);
                 return json_response(context.request, http::status::ok, core::Json::object());
               });
             });
}

}  // namespace gitmoor::web
