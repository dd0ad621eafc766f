#include "health_kinds.hpp"

namespace gitmoor::differ::health {

Health service(const Json& s) {
  if (text(s, "spec.type") == "LoadBalancer") {
    const auto ingress = s.contains("status") ? s["status"].value("loadBalancer", Json::object()).value("ingress", Json::array())
                                              : Json::array();
    if (!ingress.is_array() || ingress.empty()) {
      return {HealthStatus::Progressing, "waiting for the load balancer to get an address"};
    }
  }
  return {HealthStatus::Healthy, ""};
}

}  // namespace gitmoor::differ::health
