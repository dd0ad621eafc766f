#pragma once
// One assessment per kind (one file each), and the small readers of status they share. Private to the differ.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "gitmoor/differ/health.hpp"

namespace gitmoor::differ::health {

using Json = core::Json;

Health deployment(const Json& object);
Health stateful_set(const Json& object);
Health daemon_set(const Json& object);
Health replica_set(const Json& object);
Health pod(const Json& object);
Health persistent_volume_claim(const Json& object);
Health service(const Json& object);
Health ingress(const Json& object);
Health job(const Json& object);
Health cron_job(const Json& object);
Health horizontal_pod_autoscaler(const Json& object);
Health namespace_(const Json& object);
Health custom_resource_definition(const Json& object);
Health api_service(const Json& object);
Health pod_disruption_budget(const Json& object);
// Custom resources of popular projects (one file per project).
Health certificate(const Json& object);
Health issuer(const Json& object);
Health rollout(const Json& object);
Health external_secret(const Json& object);
Health secret_store(const Json& object);
Health scaled_object(const Json& object);
Health gateway(const Json& object);
Health http_route(const Json& object);
Health cnpg_cluster(const Json& object);
Health prometheus(const Json& object);
Health workflow(const Json& object);
Health flux(const Json& object);
Health application(const Json& object);

// kstatus' reading of any object's status (conditions Ready/Available/Reconciling/Stalled, observedGeneration,
// status.phase); nullopt when the status says none of these.
std::optional<Health> kstatus(const Json& object);
// The health of a kind without a rule: kstatus, else Healthy or Unknown (for kinds known to report a status)
// with a message saying why.
Health generic(const Json& object);

// A rule for kinds whose Ready condition is their health: True → Healthy, False → Degraded, Unknown → Progressing;
// `waiting` (Progressing) while the controller has not reported one.
Health ready_condition(const Json& object, std::string_view waiting);
// Health from a phase name (Running, Pending, Failed, Paused ...), compared case-insensitively; nullopt if unknown.
std::optional<HealthStatus> phase_health(std::string_view phase);

// The condition of `type` in status.conditions, or null.
const Json* condition(const Json& object, std::string_view type);
bool condition_is(const Json& object, std::string_view type, std::string_view status);
std::string condition_text(const Json* condition, std::string_view field);
// A condition's message, else its reason, else `fallback`: the resource's own words where it gives them.
std::string condition_message(const Json* condition, std::string_view fallback);
// An integer at a dotted path under the object ("status.readyReplicas"); `fallback` when absent.
std::int64_t integer(const Json& object, std::string_view path, std::int64_t fallback = 0);
std::string text(const Json& object, std::string_view path);
bool flag(const Json& object, std::string_view path);
bool has(const Json& object, std::string_view path);
// The node at a dotted path, or null when absent or JSON null.
const Json* at(const Json& object, std::string_view path);
std::string lower(std::string_view text);
// Whether status.observedGeneration has caught up with metadata.generation (true when either is absent).
bool generation_observed(const Json& object);

}  // namespace gitmoor::differ::health
