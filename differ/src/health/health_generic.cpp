// Any kind without a rule, read as sigs.k8s.io/cli-utils kstatus reads custom resources: a controller that follows
// the Kubernetes API conventions says what it thinks in status conditions, observedGeneration and phase.
#include <array>

#include "health_kinds.hpp"

namespace gitmoor::differ::health {

namespace {

struct PhaseHealth {
  std::string_view phase;  // lower case
  HealthStatus status;
};

// The phase names controllers commonly use, compared in lower case.
constexpr std::array<PhaseHealth, 27> kPhases{{
    {"running", HealthStatus::Healthy},         {"active", HealthStatus::Healthy},
    {"succeeded", HealthStatus::Healthy},       {"bound", HealthStatus::Healthy},
    {"ready", HealthStatus::Healthy},           {"available", HealthStatus::Healthy},
    {"healthy", HealthStatus::Healthy},         {"completed", HealthStatus::Healthy},
    {"established", HealthStatus::Healthy},     {"pending", HealthStatus::Progressing},
    {"progressing", HealthStatus::Progressing}, {"provisioning", HealthStatus::Progressing},
    {"creating", HealthStatus::Progressing},    {"initializing", HealthStatus::Progressing},
    {"updating", HealthStatus::Progressing},    {"reconciling", HealthStatus::Progressing},
    {"deploying", HealthStatus::Progressing},   {"terminating", HealthStatus::Progressing},
    {"failed", HealthStatus::Degraded},         {"error", HealthStatus::Degraded},
    {"crashloop", HealthStatus::Degraded},      {"crashloopbackoff", HealthStatus::Degraded},
    {"degraded", HealthStatus::Degraded},       {"unhealthy", HealthStatus::Degraded},
    {"paused", HealthStatus::Suspended},        {"suspended", HealthStatus::Suspended},
    {"hibernated", HealthStatus::Suspended},
}};

// Kinds without a rule of their own whose controllers always write a status: with none, gitmoor cannot tell (the
// controller may not be installed), so Unknown. Every other kind without status is taken as one that has none.
struct KnownKind {
  std::string_view group;
  std::string_view kind;  // empty: every kind of the group
};
constexpr std::array<KnownKind, 12> kReportsStatus{{
    {"source.toolkit.fluxcd.io", ""},
    {"image.toolkit.fluxcd.io", ""},
    {"cert-manager.io", "CertificateRequest"},
    {"acme.cert-manager.io", ""},
    {"external-secrets.io", "ClusterExternalSecret"},
    {"external-secrets.io", "PushSecret"},
    {"keda.sh", "ScaledJob"},
    {"gateway.networking.k8s.io", "GatewayClass"},
    {"gateway.networking.k8s.io", "GRPCRoute"},
    {"postgresql.cnpg.io", "Backup"},
    {"argoproj.io", "AnalysisRun"},
    {"argoproj.io", "Experiment"},
}};

std::string group_of(const Json& object) {
  const std::string api_version = text(object, "apiVersion");
  const auto slash = api_version.find('/');
  return slash == std::string::npos ? std::string() : api_version.substr(0, slash);
}

bool reports_status(const Json& object) {
  const std::string group = group_of(object);
  const std::string kind = text(object, "kind");
  for (const auto& known : kReportsStatus) {
    if (known.group == group && (known.kind.empty() || known.kind == kind)) return true;
  }
  return false;
}

std::optional<Health> from_condition(const Json* c, std::string_view type) {
  if (c == nullptr) return std::nullopt;
  const std::string status = condition_text(c, "status");
  const std::string fallback = std::string(type) + " is " + status;
  if (status == "True") return Health{HealthStatus::Healthy, condition_message(c, fallback)};
  if (status == "False") return Health{HealthStatus::Degraded, condition_message(c, fallback)};
  if (status == "Unknown") return Health{HealthStatus::Progressing, condition_message(c, fallback)};
  return std::nullopt;
}

}  // namespace

std::optional<HealthStatus> phase_health(std::string_view phase) {
  const std::string key = lower(phase);
  for (const auto& entry : kPhases) {
    if (entry.phase == key) return entry.status;
  }
  return std::nullopt;
}

std::optional<Health> kstatus(const Json& o) {
  if (has(o, "metadata.generation") && has(o, "status.observedGeneration") &&
      integer(o, "status.observedGeneration") < integer(o, "metadata.generation")) {
    return Health{HealthStatus::Progressing,
                  "waiting for the controller to observe generation " +
                      std::to_string(integer(o, "metadata.generation")) + " (observed " +
                      std::to_string(integer(o, "status.observedGeneration")) + ")"};
  }
  if (condition_is(o, "Stalled", "True")) {
    return Health{HealthStatus::Degraded, condition_message(condition(o, "Stalled"), "stalled")};
  }
  if (condition_is(o, "Reconciling", "True")) {
    return Health{HealthStatus::Progressing, condition_message(condition(o, "Reconciling"), "reconciling")};
  }
  for (const char* type : {"Ready", "Available"}) {
    if (auto h = from_condition(condition(o, type), type)) return h;
  }
  const std::string phase = text(o, "status.phase");
  if (auto status = phase_health(phase)) {
    const std::string message = text(o, "status.message");
    return Health{*status, message.empty() ? "phase " + phase : message};
  }
  return std::nullopt;
}

Health generic(const Json& o) {
  const std::string kind = text(o, "kind");
  if (flag(o, "spec.suspend") || flag(o, "spec.paused")) {
    return {HealthStatus::Suspended, kind + " is " + (flag(o, "spec.suspend") ? "suspended" : "paused")};
  }
  if (auto h = kstatus(o)) return *h;
  const Json* status = at(o, "status");
  const bool no_status = status == nullptr || (status->is_object() && status->empty());
  if (no_status && reports_status(o)) {
    return {HealthStatus::Unknown, "no status reported; the " + kind + " controller always writes one"};
  }
  if (no_status) return {HealthStatus::Healthy, "no status reported; " + kind + " has no health rule"};
  const std::string phase = text(o, "status.phase");
  if (!phase.empty()) return {HealthStatus::Healthy, "phase " + phase + "; " + kind + " has no health rule"};
  return {HealthStatus::Healthy, "no condition or phase in status; " + kind + " has no health rule"};
}

Health ready_condition(const Json& o, std::string_view waiting) {
  if (auto h = from_condition(condition(o, "Ready"), "Ready")) return *h;
  return {HealthStatus::Progressing, std::string(waiting)};
}

}  // namespace gitmoor::differ::health
