#include "authentication.hpp"

#include "authorization.hpp"
#include "router.hpp"
#include "status.hpp"
#include "tokens.hpp"

namespace gitmoor::sandbox {

namespace {
// The token and the kubeconfig's generated certificate stand for the cluster admin.
const char* kTokenUser = "sandbox-admin";
const std::string kServiceAccountPrefix = "system:serviceaccount:";

UserInfo anonymous() { return UserInfo{"system:anonymous", {"system:unauthenticated"}, "", {}}; }

std::vector<std::string> service_account_groups(const std::string& ns) {
  return {"system:serviceaccounts", "system:serviceaccounts:" + ns};
}

// Header values the server joined (one per line) when a header came several times (Impersonate-Group).
std::vector<std::string> header_values(const std::string& joined) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= joined.size() && !joined.empty()) {
    auto nl = joined.find('\n', start);
    out.push_back(joined.substr(start, nl == std::string::npos ? std::string::npos : nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}
}  // namespace

std::optional<UserInfo> authenticate(const Request& request, const ApiOptions& options, const TokenIssuer& tokens,
                                     const ObjectUidLookup& object_uid) {
  if (options.client_certificates && !request.user.empty()) {
    UserInfo user{request.user, request.groups, "", {}};
    user.groups.push_back("system:authenticated");
    return user;
  }
  bool open = options.token.empty() && !options.client_certificates;
  std::string authorization = request.header("authorization");
  if (authorization.rfind("Bearer ", 0) == 0) {
    std::string token = authorization.substr(7);
    if (!options.token.empty() && token == options.token) {
      return UserInfo{kTokenUser, {"system:masters", "system:authenticated"}, "", {}};
    }
    if (auto claims = tokens.verify(token)) {
      // A token of ours: valid until it expires and while the ServiceAccount it names (that very uid) lives, and
      // the object it is bound to, if any.
      if (claims->expires <= tokens.now() || claims->uid.empty() ||
          object_uid("serviceaccounts", claims->ns, claims->name) != claims->uid) {
        return std::nullopt;
      }
      if (const auto& bound = claims->bound) {
        const auto resource = bound_resource(bound->kind);
        const auto ns = bound->kind == "Node" ? std::string() : claims->ns;
        if (resource.empty() || bound->uid.empty() || object_uid(resource, ns, bound->name) != bound->uid) {
          return std::nullopt;
        }
      }
      UserInfo user{kServiceAccountPrefix + claims->ns + ":" + claims->name, service_account_groups(claims->ns),
                    claims->uid, {}};
      user.groups.push_back("system:authenticated");
      return user;
    }
    if (open && options.authorization == Authorization::AlwaysAllow) return anonymous();
    return std::nullopt;
  }
  if (open || options.authorization == Authorization::Rbac) return anonymous();
  return std::nullopt;
}

bool impersonating(const Request& request) {
  for (const auto& [name, value] : request.headers) {
    if (name.rfind("impersonate-", 0) == 0) return true;
  }
  return false;
}

UserInfo impersonate(const Request& request, const UserInfo& requester,
                     const std::function<bool(const Attributes&, std::string& reason)>& allowed) {
  std::string user_name = request.header("impersonate-user");
  std::vector<std::string> groups = header_values(request.header("impersonate-group"));
  std::string uid = request.header("impersonate-uid");
  std::map<std::string, std::vector<std::string>> extra;
  for (const auto& [name, value] : request.headers) {
    if (name.rfind("impersonate-extra-", 0) != 0) continue;
    extra[url_decode(name.substr(18))] = header_values(value);
  }
  if (user_name.empty() && (!groups.empty() || !extra.empty() || !uid.empty())) {
    throw bad_request("requested impersonation of groups, extra or uid without impersonating a user");
  }
  auto check = [&](Attributes a) {
    a.user = requester;
    a.verb = "impersonate";
    a.resource_request = true;
    std::string reason;
    if (!allowed(a, reason)) throw forbidden(a, reason);
  };
  UserInfo acting;
  bool service_account = user_name.rfind(kServiceAccountPrefix, 0) == 0 &&
                         user_name.find(':', kServiceAccountPrefix.size()) != std::string::npos;
  Attributes user_attributes;
  if (service_account) {
    std::string rest = user_name.substr(kServiceAccountPrefix.size());
    user_attributes.ns = rest.substr(0, rest.find(':'));
    user_attributes.name = rest.substr(rest.find(':') + 1);
    user_attributes.resource = "serviceaccounts";
  } else {
    user_attributes.name = user_name;
    user_attributes.resource = "users";
  }
  check(user_attributes);
  acting.username = user_name;
  if (service_account && groups.empty()) acting.groups = service_account_groups(user_attributes.ns);
  for (const auto& g : groups) {
    Attributes a;
    a.resource = "groups";
    a.name = g;
    check(a);
    acting.groups.push_back(g);
  }
  for (const auto& [key, values] : extra) {
    for (const auto& v : values) {
      Attributes a;
      a.api_group = "authentication.k8s.io";
      a.resource = "userextras";
      a.subresource = key;
      a.name = v;
      check(a);
    }
  }
  acting.extra = extra;
  if (!uid.empty()) {
    Attributes a;
    a.api_group = "authentication.k8s.io";
    a.resource = "uids";
    a.name = uid;
    check(a);
    acting.uid = uid;
  }
  if (user_name == "system:anonymous") {
    bool has = false;
    for (const auto& g : acting.groups) has = has || g == "system:unauthenticated";
    if (!has) acting.groups.push_back("system:unauthenticated");
  } else {
    // kube adds system:authenticated unless system:authenticated or system:unauthenticated was asked for.
    bool add = true;
    for (const auto& g : acting.groups) {
      if (g == "system:authenticated" || g == "system:unauthenticated") add = false;
    }
    if (add) acting.groups.push_back("system:authenticated");
  }
  return acting;
}

nlohmann::json self_subject_review(const UserInfo& user) {
  nlohmann::json info{{"username", user.username}, {"groups", user.groups}};
  if (!user.uid.empty()) info["uid"] = user.uid;
  if (!user.extra.empty()) info["extra"] = user.extra;
  return {{"kind", "SelfSubjectReview"},
          {"apiVersion", "authentication.k8s.io/v1"},
          {"metadata", {{"creationTimestamp", nullptr}}},
          {"status", {{"userInfo", info}}}};
}

}  // namespace gitmoor::sandbox
