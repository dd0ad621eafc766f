#pragma once
// Health assessment (Argo CD's vocabulary and rules, reference/gitops-semantics.md): one function per kind, chosen by
// a table; pure.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gitmoor/core/object.hpp"

namespace gitmoor::differ {

// Ordered best to worst: an application's health is the worst of its resources'.
enum class HealthStatus { Healthy, Suspended, Progressing, Missing, Degraded, Unknown };
std::string_view to_string(HealthStatus status);
std::optional<HealthStatus> parse_health_status(std::string_view text);
bool is_worse(HealthStatus a, HealthStatus b);

struct Health {
  HealthStatus status = HealthStatus::Healthy;
  std::string message;
  friend bool operator==(const Health&, const Health&) = default;
};

// The health of a live object; nullptr (not in the cluster) → Missing. Under deletion → Progressing.
Health assess_health(const core::Object* live);

// The worst of several; Healthy for none.
Health worst_health(const std::vector<Health>& healths);

}  // namespace gitmoor::differ
