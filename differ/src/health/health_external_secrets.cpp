// External Secrets Operator (external-secrets.io): ExternalSecret and (Cluster)SecretStore report Ready.
#include "health_kinds.hpp"

namespace gitmoor::differ::health {

Health external_secret(const Json& e) {
  return ready_condition(e, "waiting for the external-secrets controller to sync the secret");
}

Health secret_store(const Json& s) {
  return ready_condition(s, "waiting for the external-secrets controller to validate the store");
}

}  // namespace gitmoor::differ::health
