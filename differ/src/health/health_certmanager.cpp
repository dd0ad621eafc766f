// cert-manager (cert-manager.io): Certificate, Issuer and ClusterIssuer report a Ready condition.
#include "health_kinds.hpp"

namespace gitmoor::differ::health {

Health certificate(const Json& c) {
  // While a certificate is being (re)issued its Ready condition can be False for a moment: issuing comes first.
  if (condition_is(c, "Issuing", "True")) {
    return {HealthStatus::Progressing, condition_message(condition(c, "Issuing"), "issuing the certificate")};
  }
  return ready_condition(c, "waiting for cert-manager to issue the certificate");
}

Health issuer(const Json& i) { return ready_condition(i, "waiting for cert-manager to initialise the issuer"); }

}  // namespace gitmoor::differ::health
