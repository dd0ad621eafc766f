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

// The condition of `type` in status.conditions, or null.
const Json* condition(const Json& object, std::string_view type);
bool condition_is(const Json& object, std::string_view type, std::string_view status);
std::string condition_text(const Json* condition, std::string_view field);
// An integer at a dotted path under the object ("status.readyReplicas"); `fallback` when absent.
std::int64_t integer(const Json& object, std::string_view path, std::int64_t fallback = 0);
std::string text(const Json& object, std::string_view path);
bool flag(const Json& object, std::string_view path);
bool has(const Json& object, std::string_view path);
// Whether status.observedGeneration has caught up with metadata.generation (true when either is absent).
bool generation_observed(const Json& object);

}  // namespace gitmoor::differ::health
