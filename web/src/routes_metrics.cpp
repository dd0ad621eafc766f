// GET /metrics: the process's Prometheus metrics in the text exposition format 0.0.4. Public, like /healthz:
// Prometheus scrapes without credentials, and nothing in it is secret (no Secret values; repository URLs lose their
// user information; no per-object labels). The families are those of core::metrics::registry(): the engine's,
// renderer's and applier's counters and histograms, each Application's info and the process metrics.
#include "api_routes.hpp"
#include "gitmoor/core/metrics.hpp"
#include "responses.hpp"

namespace gitmoor::web {

void add_metrics_routes(Router& router, ApiServices& /*services*/) {
  router.add(http::verb::get, "/metrics", Access::Public, [](RequestContext& context) -> Reply {
    return make_response(context.request, http::status::ok, core::metrics::registry().expose(),
                         "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace gitmoor::web
