// /api/v1/applications: list, get, refresh, sync, terminate.
#include "api_routes.hpp"
#include "gitmoor/core/error.hpp"
#include "responses.hpp"
#include "sync_request_json.hpp"

namespace gitmoor::web {

void add_application_routes(Router& router, ApiServices& services) {
  auto& operations = services.operations;
  router.add(http::verb::get, "/api/v1/applications", Access::Read, [&operations](RequestContext& context) -> Reply {
    core::Json items = core::Json::array();
    for (auto& app : operations.list_applications()) items.push_back(std::move(app));
    return json_response(context.request, http::status::ok, {{"items", std::move(items)}});
  });
  router.add(http::verb::get, "/api/v1/applications/{name}", Access::Read, [&operations](RequestContext& context) -> Reply {
    const auto& name = context.param("name");
    auto app = operations.get_application(name);
    if (!app) return error_response(context.request, http::status::not_found, "application " + name + " not found");
    return json_response(context.request, http::status::ok, *app);
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
               if (context.principal.via != "none") sync.initiated_by = context.principal.name;
               operations.sync(name, sync);
               return json_response(context.request, http::status::accepted,
                                    {{"application", name}, {"operation", "sync"}});
             });
  router.add(http::verb::post, "/api/v1/applications/{name}/terminate", Access::Write,
             [&operations](RequestContext& context) -> Reply {
               const auto& name = context.param("name");
               operations.terminate(name);
               return json_response(context.request, http::status::accepted,
                                    {{"application", name}, {"operation", "terminate"}});
             });
}

}  // namespace gitmoor::web
