// /healthz and /readyz: the kubelet's probes, always public.
#include "api_routes.hpp"
#include "responses.hpp"

namespace gitmoor::web {

void add_health_routes(Router& router, ApiServices& services) {
  router.add(http::verb::get, "/healthz", Access::Public, [](RequestContext& context) -> Reply {
    return make_response(context.request, http::status::ok, "ok", "text/plain");
  });
  router.add(http::verb::get, "/readyz", Access::Public, [&operations = services.operations](RequestContext& context) -> Reply {
    if (operations.ready()) return make_response(context.request, http::status::ok, "ok", "text/plain");
    return make_response(context.request, http::status::service_unavailable,
                         "not ready: the engine is still loading Applications and filling its caches", "text/plain");
  });
}

}  // namespace gitmoor::web
