#include "api_routes.hpp"

namespace gitmoor::web {

Api::Api(ApiServices services, EventStreamOptions streams) : services_(std::move(services)) {
  add_health_routes(router_, services_);
  add_metrics_routes(router_, services_);
  add_application_routes(router_, services_);
  add_stream_routes(router_, services_, streams);
  add_webhook_routes(router_, services_);
  add_session_routes(router_, services_);
  add_account_routes(router_, services_);
  add_application_view_routes(router_, services_);
  add_ui_routes(router_, services_);
}

Reply Api::handle(const Request& request, const ConnectionInfo& connection) const {
  return router_.handle(request, connection, services_.guard.get());
}

Response handle_request(engine::Operations& operations, const Request& request) {
  const Api api(ApiServices{operations, nullptr});
  return api.handle(request).response;
}

}  // namespace gitmoor::web
