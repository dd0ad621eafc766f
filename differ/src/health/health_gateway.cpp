// Gateway API (gateway.networking.k8s.io). A Gateway reports Accepted and Programmed, and each listener its own
// conditions; an HTTPRoute reports Accepted and ResolvedRefs once per parent (Gateway) that it attaches to. Each
// condition carries the generation it was written for: an older one says nothing about the current spec.
#include "health_kinds.hpp"

namespace gitmoor::differ::health {

namespace {

const Json* find_condition(const Json& conditions, std::string_view type) {
  if (!conditions.is_array()) return nullptr;
  for (const auto& c : conditions) {
    if (c.is_object() && c.value("type", "") == type) return &c;
  }
  return nullptr;
}

bool stale(const Json* c, std::int64_t generation) {
  return c != nullptr && c->contains("observedGeneration") && (*c)["observedGeneration"].is_number() &&
         (*c)["observedGeneration"].get<std::int64_t>() < generation;
}

std::string status_of(const Json* c) { return condition_text(c, "status"); }

}  // namespace

Health gateway(const Json& g) {
  const auto generation = integer(g, "metadata.generation");
  const Json* conditions = at(g, "status.conditions");
  if (conditions == nullptr) return {HealthStatus::Progressing, "waiting for a Gateway controller"};
  const Json* accepted = find_condition(*conditions, "Accepted");
  const Json* programmed = find_condition(*conditions, "Programmed");
  if (stale(accepted, generation) || stale(programmed, generation)) {
    return {HealthStatus::Progressing, "waiting for the Gateway controller to observe generation " +
                                           std::to_string(generation)};
  }
  if (status_of(accepted) == "False") {
    return {HealthStatus::Degraded, condition_message(accepted, "Gateway has not been accepted")};
  }
  if (const Json* listeners = at(g, "status.listeners"); listeners != nullptr && listeners->is_array()) {
    for (const auto& l : *listeners) {
      const Json empty = Json::array();
      const Json& lc = l.contains("conditions") ? l["conditions"] : empty;
      const std::string name = l.value("name", "");
      for (const char* type : {"Accepted", "ResolvedRefs", "Programmed"}) {
        const Json* c = find_condition(lc, type);
        if (status_of(c) == "False" && !stale(c, generation)) {
          return {HealthStatus::Degraded, "listener " + name + ": " + condition_message(c, std::string(type) + " is False")};
        }
      }
      const Json* conflicted = find_condition(lc, "Conflicted");
      if (status_of(conflicted) == "True" && !stale(conflicted, generation)) {
        return {HealthStatus::Degraded, "listener " + name + ": " + condition_message(conflicted, "conflicted")};
      }
    }
  }
  if (status_of(programmed) == "False") {
    // Pending: the controller is still setting up the data plane; other reasons are failures.
    const auto status = condition_text(programmed, "reason") == "Pending" ? HealthStatus::Progressing
                                                                            : HealthStatus::Degraded;
    return {status, condition_message(programmed, "Gateway is not programmed")};
  }
  if (status_of(accepted) == "True" && status_of(programmed) == "True") {
    return {HealthStatus::Healthy, condition_message(programmed, "Gateway is programmed")};
  }
  return {HealthStatus::Progressing,
          condition_message(programmed != nullptr ? programmed : accepted, "waiting for a Gateway controller")};
}

Health http_route(const Json& r) {
  const auto generation = integer(r, "metadata.generation");
  const Json* parents = at(r, "status.parents");
  if (parents == nullptr || !parents->is_array() || parents->empty()) {
    return {HealthStatus::Progressing, "waiting for a Gateway to accept the route"};
  }
  std::optional<Health> progressing;
  for (const auto& p : *parents) {
    const Json empty = Json::array();
    const Json& conditions = p.contains("conditions") ? p["conditions"] : empty;
    const std::string parent = p.contains("parentRef") ? p["parentRef"].value("name", "") : "";
    const std::string prefix = "parent " + (parent.empty() ? std::string("(unnamed)") : parent) + ": ";
    const Json* accepted = find_condition(conditions, "Accepted");
    const Json* refs = find_condition(conditions, "ResolvedRefs");
    if (stale(accepted, generation) || stale(refs, generation)) {
      if (!progressing) progressing = Health{HealthStatus::Progressing, prefix + "status is for an older generation"};
      continue;
    }
    if (status_of(accepted) == "False") {
      return {HealthStatus::Degraded, prefix + condition_message(accepted, "route not accepted")};
    }
    if (status_of(refs) == "False") {
      return {HealthStatus::Degraded, prefix + condition_message(refs, "references not resolved")};
    }
    if (status_of(accepted) != "True" && !progressing) {
      progressing = Health{HealthStatus::Progressing, prefix + condition_message(accepted, "route not accepted yet")};
    }
  }
  if (progressing) return *progressing;
  return {HealthStatus::Healthy, "accepted by " + std::to_string(parents->size()) + " parent(s)"};
}

}  // namespace gitmoor::differ::health
