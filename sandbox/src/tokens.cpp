#include "tokens.hpp"

#include <chrono>
#include <cctype>
#include <cstring>
#include <ctime>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "cluster.hpp"
#include "status.hpp"
#include "timestamps.hpp"

namespace gitmoor::sandbox {

namespace {

const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64url(const std::string& data) {
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8) |
                 static_cast<unsigned char>(data[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (i + 1 == data.size()) {
    unsigned v = static_cast<unsigned char>(data[i]) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (i + 2 == data.size()) {
    unsigned v = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::optional<std::string> unbase64url(const std::string& text) {
  std::string out;
  unsigned v = 0;
  int bits = 0;
  for (char c : text) {
    const char* p = std::strchr(kAlphabet, c);
    if (c == '\0' || !p) return std::nullopt;
    v = (v << 6) | static_cast<unsigned>(p - kAlphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((v >> bits) & 0xff);
    }
  }
  return out;
}

std::string hmac_sha256(const std::string& key, const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), digest, &length);
  return std::string(reinterpret_cast<const char*>(digest), length);
}

// The claim under kubernetes.io that names a bound object, as kube writes it ("pod", "secret", "node").
std::string bound_claim(const std::string& kind) {
  std::string out;
  for (char c : kind) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string bound_resource(const std::string& kind) {
  if (kind == "Secret") return "secrets";
  if (kind == "Pod") return "pods";
  if (kind == "Node") return "nodes";
  return {};
}

std::string rfc3339(std::int64_t seconds) {
  return format_rfc3339(std::chrono::system_clock::from_time_t(static_cast<std::time_t>(seconds)));
}

TokenIssuer::TokenIssuer() {
  key_.resize(32);
  RAND_bytes(reinterpret_cast<unsigned char*>(key_.data()), static_cast<int>(key_.size()));
}

std::int64_t TokenIssuer::now() const {
  auto wall = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
  return wall.count() + offset_.load();
}

std::string TokenIssuer::sign(const ServiceAccountToken& t) const {
  Json claims{{"aud", t.audiences},
              {"exp", t.expires},
              {"iat", t.issued_at},
              {"iss", kTokenIssuer},
              {"kubernetes.io",
               {{"namespace", t.ns}, {"serviceaccount", {{"name", t.name}, {"uid", t.uid}}}}},
              {"nbf", t.issued_at},
              {"sub", "system:serviceaccount:" + t.ns + ":" + t.name}};
  if (t.bound) claims["kubernetes.io"][bound_claim(t.bound->kind)] = {{"name", t.bound->name}, {"uid", t.bound->uid}};
  std::string unsigned_part = base64url(R"({"alg":"HS256","typ":"JWT"})") + "." + base64url(claims.dump());
  return unsigned_part + "." + base64url(hmac_sha256(key_, unsigned_part));
}

std::optional<ServiceAccountToken> TokenIssuer::verify(const std::string& token) const {
  {
    std::lock_guard lock(mutex_);
    if (auto it = verified_.find(token); it != verified_.end()) return it->second;
  }
  auto first = token.find('.');
  auto second = first == std::string::npos ? std::string::npos : token.find('.', first + 1);
  if (second == std::string::npos) return std::nullopt;
  std::string expected = base64url(hmac_sha256(key_, token.substr(0, second)));
  std::string given = token.substr(second + 1);
  if (given.size() != expected.size() || CRYPTO_memcmp(given.data(), expected.data(), given.size()) != 0) {
    return std::nullopt;
  }
  auto payload = unbase64url(token.substr(first + 1, second - first - 1));
  if (!payload) return std::nullopt;
  Json claims = Json::parse(*payload, nullptr, false);
  if (!claims.is_object() || !claims.contains("kubernetes.io")) return std::nullopt;
  ServiceAccountToken t;
  const Json& k = claims["kubernetes.io"];
  t.ns = k.value("namespace", "");
  t.name = k.value("serviceaccount", Json::object()).value("name", "");
  t.uid = k.value("serviceaccount", Json::object()).value("uid", "");
  t.expires = claims.value("exp", std::int64_t{0});
  t.issued_at = claims.value("iat", std::int64_t{0});
  for (const char* kind : {"Pod", "Secret", "Node"}) {
    const auto it = k.find(bound_claim(kind));
    if (it == k.end() || !it->is_object()) continue;
    t.bound = BoundObject{kind, it->value("name", ""), it->value("uid", "")};
  }
  for (const auto& a : claims.value("aud", Json::array())) {
    if (a.is_string()) t.audiences.push_back(a);
  }
  std::lock_guard lock(mutex_);
  if (verified_.size() >= 10000) verified_.clear();
  verified_.emplace(token, t);
  return t;
}

namespace {

// kube's TokenREST: the object must exist (its NotFound), be of a kind tokens bind to (BadRequest) and, when the
// reference names a uid, be that very object (Conflict). A Pod must run as the ServiceAccount. Caller holds the store
// mutex.
BoundObject bound_object(Cluster& cluster, const std::string& ns, const std::string& service_account,
                         const Json& ref) {
  const std::string kind = ref.value("kind", "");
  const std::string api_version = ref.value("apiVersion", "");
  const std::string name = ref.value("name", "");
  const std::string resource = bound_resource(kind);
  const ResourceType* type = resource.empty() ? nullptr : cluster.registry.find_by_id(resource);
  if (type == nullptr || (api_version != "v1" && !api_version.empty())) {
    const auto slash = api_version.find('/');
    const std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
    const std::string version = slash == std::string::npos ? api_version : api_version.substr(slash + 1);
    throw bad_request("cannot bind token to object of type " + group + "/" + version + ", Kind=" + kind);
  }
  ObjectPtr object = cluster.get(*type, type->namespaced ? ns : "", name);
  if (!object) throw not_found("", resource, name);
  const std::string uid = (*object)["metadata"].value("uid", "");
  if (kind == "Pod" &&
      (*object).value("spec", Json::object()).value("serviceAccountName", "") != service_account) {
    throw bad_request("cannot bind token for serviceaccount \"" + service_account +
                      "\" to pod running with different serviceaccount name.");
  }
  const std::string given = ref.value("uid", "");
  if (!given.empty() && given != uid) {
    throw ApiError(409, "Conflict",
                   "Operation cannot be fulfilled on " + kind + " \"" + name + "\": the UID in the bound object "
                   "reference (" + given + ") does not match the UID in record. The object might have been deleted "
                   "and then recreated");
  }
  return {kind, name, uid};
}

}  // namespace

Json token_request(Cluster& cluster, const TokenIssuer& issuer, const std::string& ns, const std::string& name,
                   const Json& request) {
  Json spec = request.is_object() ? request.value("spec", Json::object()) : Json::object();
  if (!spec.is_object()) spec = Json::object();
  std::int64_t seconds = 3600;  // kube's default for a request that names none
  if (auto e = spec.find("expirationSeconds"); e != spec.end() && e->is_number_integer()) {
    seconds = e->get<std::int64_t>();
  }
  if (seconds < 600) {
    throw invalid("authentication.k8s.io", "TokenRequest", "",
                  {{"FieldValueInvalid", "spec.expirationSeconds",
                    "spec.expirationSeconds: Invalid value: " + std::to_string(seconds) +
                        ": may not specify a duration less than 10 minutes",
                    "may not specify a duration less than 10 minutes"}});
  }
  if (seconds > (std::int64_t{1} << 32)) {
    throw invalid("authentication.k8s.io", "TokenRequest", "",
                  {{"FieldValueInvalid", "spec.expirationSeconds",
                    "spec.expirationSeconds: Invalid value: " + std::to_string(seconds) +
                        ": may not specify a duration larger than 2^32 seconds",
                    "may not specify a duration larger than 2^32 seconds"}});
  }
  ServiceAccountToken t;
  t.ns = ns;
  t.name = name;
  for (const auto& a : spec.value("audiences", Json::array())) {
    if (a.is_string()) t.audiences.push_back(a);
  }
  if (t.audiences.empty()) t.audiences.push_back(kTokenIssuer);  // the API server's own audience
  {
    std::lock_guard lock(cluster.store.mutex());
    const ResourceType* type = cluster.registry.find_by_id("serviceaccounts");
    ObjectPtr sa = type ? cluster.get(*type, ns, name) : nullptr;
    if (!sa) throw not_found("", "serviceaccounts", name);
    t.uid = (*sa)["metadata"].value("uid", "");
    if (auto ref = spec.find("boundObjectRef"); ref != spec.end() && ref->is_object()) {
      t.bound = bound_object(cluster, ns, name, *ref);
      (*ref)["uid"] = t.bound->uid;
    }
  }
  t.issued_at = issuer.now();
  t.expires = t.issued_at + seconds;
  spec["audiences"] = t.audiences;
  spec["expirationSeconds"] = seconds;
  if (!spec.contains("boundObjectRef")) spec["boundObjectRef"] = nullptr;
  return {{"kind", "TokenRequest"},
          {"apiVersion", "authentication.k8s.io/v1"},
          {"metadata", {{"name", name}, {"namespace", ns}, {"creationTimestamp", rfc3339(t.issued_at)}}},
          {"spec", spec},
          {"status", {{"token", issuer.sign(t)}, {"expirationTimestamp", rfc3339(t.expires)}}}};
}

}  // namespace gitmoor::sandbox
