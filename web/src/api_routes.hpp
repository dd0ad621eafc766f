#pragma once
// The HTTP API as a plain function: a parsed request in, the reply out, no I/O. The server (http_server.cpp) only
// moves bytes; tests call Api::handle directly. Each area registers its routes from its own file (routes_*.cpp).
#include "gitmoor/engine/operations.hpp"
#include "gitmoor/web/api_services.hpp"
#include "gitmoor/web/http_server.hpp"
#include "http_types.hpp"
#include "router.hpp"

namespace gitmoor::web {

// The routes of each area (routes_<area>.cpp).
void add_health_routes(Router& router, ApiServices& services);
// GET /metrics: Prometheus' text format, public like the probes (routes_metrics.cpp).
void add_metrics_routes(Router& router, ApiServices& services);
void add_application_routes(Router& router, ApiServices& services);
// /api/v1/stream/...: server-sent events (routes_streams.cpp).
void add_stream_routes(Router& router, ApiServices& services, const EventStreamOptions& options);
void add_webhook_routes(Router& router, ApiServices& services);
void add_session_routes(Router& router, ApiServices& services);
void add_account_routes(Router& router, ApiServices& services);
void add_application_view_routes(Router& router, ApiServices& services);
// The web UI: index.html for the UI's own paths, its files under /assets/<hash>/ (routes_ui.cpp).
void add_ui_routes(Router& router, ApiServices& services);

class Api {
 public:
  explicit Api(ApiServices services, EventStreamOptions streams = {});
  // Never throws: see Router::handle.
  [[nodiscard]] Reply handle(const Request& request, const ConnectionInfo& connection = {}) const;
  [[nodiscard]] std::vector<Router::RouteInfo> routes() const { return router_.routes(); }

 private:
  ApiServices services_;
  Router router_;
};

// One request through an Api without authentication (the web tests).
Response handle_request(engine::Operations& operations, const Request& request);

}  // namespace gitmoor::web
