#pragma once
// ServiceAccount tokens as kube-apiserver's TokenRequest issues them (`kubectl create token SA`): JWTs with kube's
// claims (iss, sub system:serviceaccount:NS:NAME, aud, exp, iat, nbf, kubernetes.io{namespace, serviceaccount
// {name, uid}, and pod|secret|node {name, uid} for a bound token}), signed HS256 with a key the sandbox makes at
// start. A bound token (`--bound-object-kind Secret --bound-object-name X`) dies with its object: deleting the Secret
// is how a token is revoked in Kubernetes. The token clock can be moved forward (the admin
// endpoint POST /sandbox/clock) so tests see tokens expire.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace gitmoor::sandbox {

using Json = nlohmann::json;

class Cluster;

inline constexpr const char* kTokenIssuer = "https://kubernetes.default.svc.cluster.local";

// The object a token is bound to (TokenRequest spec.boundObjectRef): Pod, Secret (in the ServiceAccount's namespace)
// or Node.
struct BoundObject {
  std::string kind;
  std::string name;
  std::string uid;
};

struct ServiceAccountToken {
  std::string ns;
  std::string name;
  std::string uid;  // the ServiceAccount's: a token outlives neither it nor its re-creation
  std::vector<std::string> audiences;
  std::int64_t issued_at = 0;
  std::int64_t expires = 0;  // seconds since the epoch
  std::optional<BoundObject> bound;
};

class TokenIssuer {
 public:
  TokenIssuer();  // a fresh random signing key

  [[nodiscard]] std::string sign(const ServiceAccountToken& token) const;
  // The claims of a token this issuer signed (whatever its expiry); nullopt for anything else.
  [[nodiscard]] std::optional<ServiceAccountToken> verify(const std::string& token) const;

  // Seconds since the epoch on the token clock: the wall clock plus what advance() added.
  [[nodiscard]] std::int64_t now() const;
  void advance(std::int64_t seconds) { offset_ += seconds; }
  [[nodiscard]] std::int64_t offset() const { return offset_.load(); }

 private:
  std::string key_;
  std::atomic<std::int64_t> offset_{0};
  // Tokens already verified, so a client sending the same token on every request costs a lookup, not an HMAC and
  // a JSON parse. Bounded: cleared when full.
  mutable std::mutex mutex_;
  mutable std::unordered_map<std::string, ServiceAccountToken> verified_;
};

// POST /api/v1/namespaces/NS/serviceaccounts/NAME/token: validates the TokenRequest (kube's rules: at least 10
// minutes), issues the token and answers the TokenRequest with status {token, expirationTimestamp}. Throws
// ApiError (404 for a missing ServiceAccount or bound object, 422 for an invalid request, 400 for a kind tokens cannot
// be bound to, 409 for a bound object whose uid is not the one given). Takes the store mutex.
Json token_request(Cluster& cluster, const TokenIssuer& issuer, const std::string& ns, const std::string& name,
                   const Json& request);

// The registry id of the resource a token can be bound to ("secrets", "pods", "nodes"); empty for other kinds.
std::string bound_resource(const std::string& kind);

// RFC 3339 (seconds) for a time since the epoch.
std::string rfc3339(std::int64_t seconds);

}  // namespace gitmoor::sandbox
