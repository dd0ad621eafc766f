#include "api_routes.hpp"

namespace gitmoor::web {

Api::Api(ApiServices services) : services_(std::move(services)) {
  add_health_routes(router_, services_);
  add_application_routes(router_, services_);
}

Reply Api::handle(const Request& request) const { return router_.handle(request, services_.guard); }

Response handle_request(engine::Operations& operations, const Request& request) {
  const Api api(ApiServices{operations});
  return api.handle(request).response;
}

}  // namespace gitmoor::web
