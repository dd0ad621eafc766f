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

// An app's metadata.resourceVersion as a number (0 when absent or opaque: Kubernetes allows opaque versions; they
// just do not count towards the list's version).
unsigned long long resource_version_of(const core::Json& app) {
  const auto md = app.find("metadata");
  if (md == app.end() || !md->is_object()) return 0;
  const auto it = md->find("resourceVersion");
  if (it == md->end() || !it->is_string()) return 0;
  try {
    return std::stoull(it->get<std::string>());
  } catch (const std::exception&) {
    return 0;
  }
}

std::string dump(const core::Json& value) {
  // Replace, not throw, on invalid UTF-8 (as json_response).
  return value.dump(-1, ' ', false, core::Json::error_handler_t::replace);
}

// GET /api/v1/applications, written out one app at a time (Operations::visit_applications): the answer is
// `{"items": [...], "metadata": {"resourceVersion"}}`, or with `fields` only those paths, exactly as keep_fields
// would cut the whole list. The list's resourceVersion is the largest among all apps (it moves when any changes).
std::string application_list_text(const engine::Operations& operations, const ApplicationFilter& filter,
                                   const std::vector<std::string>& fields) {
  bool with_items = fields.empty();
  bool whole_items = fields.empty();
  std::vector<std::string> item_paths, list_paths;
  for (const auto& path : fields) {
    if (path == "items") {
      with_items = whole_items = true;
    } else if (path.rfind("items.", 0) == 0) {
      with_items = true;
      item_paths.push_back(path.substr(6));
    } else {
      list_paths.push_back(path);
    }
  }
  std::string items;
  unsigned long long newest = 0;
  operations.visit_applications([&](const core::Json& app) {
    newest = std::max(newest, resource_version_of(app));
    if (!with_items || !filter.matches(app)) return;
    if (!items.empty()) items += ',';
    // An app none of whose paths exists stays `{}`, so indexes still line up (keep_fields).
    items += dump(whole_items ? app : keep_fields(app, item_paths));
  });
  core::Json list_rest = {{"metadata", {{"resourceVersion", std::to_string(newest)}}}};
  // keep_fields keeps everything for no paths: with `fields` naming only items, nothing else is kept.
  if (!fields.empty()) list_rest = list_paths.empty() ? core::Json::object() : keep_fields(list_rest, list_paths);
  std::string body = "{";
  if (with_items) body += "\"items\":[" + items + "]";
  for (const auto& [key, value] : list_rest.items()) {  // "metadata" sorts after "items", as the dump would put it
    if (body.size() > 1) body += ',';
    body += dump(core::Json(key)) + ':' + dump(value);
  }
  return body + "}";
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
    return make_response(context.request, http::status::ok,
                         application_list_text(operations, filter, parse_fields(context.query)), "application/json");
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
