#include "health_kinds.hpp"

namespace gitmoor::differ::health {

Health ingress(const Json& i) {
  const auto ingress = i.contains("status") ? i["status"].value("loadBalancer", Json::object()).value("ingress", Json::array())
                                            : Json::array();
  if (ingress.is_array() && !ingress.empty()) return {HealthStatus::Healthy, ""};
  return {HealthStatus::Progressing, "waiting for the ingress controller to publish an address"};
}

}  // namespace gitmoor::differ::health
