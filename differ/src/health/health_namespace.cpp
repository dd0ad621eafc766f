#include "health_kinds.hpp"

namespace gitmoor::differ::health {

Health namespace_(const Json& n) {
  if (text(n, "status.phase") == "Terminating") return {HealthStatus::Progressing, "namespace is terminating"};
  return {HealthStatus::Healthy, ""};
}

}  // namespace gitmoor::differ::health
