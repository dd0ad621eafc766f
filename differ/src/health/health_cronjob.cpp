#include "health_kinds.hpp"

namespace gitmoor::differ::health {

Health cron_job(const Json& c) {
  if (flag(c, "spec.suspend")) return {HealthStatus::Suspended, "CronJob is suspended"};
  return {HealthStatus::Healthy, ""};
}

}  // namespace gitmoor::differ::health
