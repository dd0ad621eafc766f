// CronJob: suspended, or judged by its last run. The controller sets lastScheduleTime and the active list together
// when it starts a Job, and lastSuccessfulTime when one completes: with nothing active, a last success older than
// the last schedule means the last run failed. Times are RFC 3339 in UTC, so they compare as text.
#include "health_kinds.hpp"

namespace gitmoor::differ::health {

Health cron_job(const Json& c) {
  if (flag(c, "spec.suspend")) return {HealthStatus::Suspended, "CronJob is suspended"};
  const std::string scheduled = text(c, "status.lastScheduleTime");
  const std::string succeeded = text(c, "status.lastSuccessfulTime");
  if (scheduled.empty()) return {HealthStatus::Healthy, "CronJob has not been scheduled yet"};
  const Json* active = at(c, "status.active");
  if (active != nullptr && active->is_array() && !active->empty()) {
    return {HealthStatus::Healthy, "a Job is running (scheduled " + scheduled + ")"};
  }
  // No success recorded at all: Kubernetes before 1.21 never records one, so this is no proof of failure (as in
  // Argo CD); the message says so.
  if (succeeded.empty()) {
    return {HealthStatus::Healthy, "no successful run recorded; the last was scheduled " + scheduled};
  }
  if (succeeded < scheduled) {
    return {HealthStatus::Degraded, "the last run (scheduled " + scheduled + ") did not succeed; last success " + succeeded};
  }
  return {HealthStatus::Healthy, "the last run succeeded at " + succeeded};
}

}  // namespace gitmoor::differ::health
