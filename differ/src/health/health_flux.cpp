// Flux (kustomize.toolkit.fluxcd.io Kustomization, helm.toolkit.fluxcd.io HelmRelease): kstatus-compliant, with
// spec.suspend stopping reconciliation.
#include "health_kinds.hpp"

namespace gitmoor::differ::health {

Health flux(const Json& f) {
  const std::string kind = text(f, "kind");
  if (flag(f, "spec.suspend")) return {HealthStatus::Suspended, kind + " is suspended"};
  if (auto h = kstatus(f)) return *h;
  return {HealthStatus::Progressing, "waiting for Flux to reconcile the " + kind};
}

}  // namespace gitmoor::differ::health
