#pragma once
// Who a request is, as kube-apiserver's authenticators decide it: a verified TLS client certificate (user from CN,
// groups from O), the admin bearer token, a ServiceAccount token (tokens.hpp), or anonymous; then impersonation
// (Impersonate-User / -Group / -Uid / -Extra-* headers, each checked with the `impersonate` verb); and the
// SelfSubjectReview (`kubectl auth whoami`) that reports the result.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gitmoor/sandbox/api_server.hpp"

namespace gitmoor::sandbox {

class TokenIssuer;

struct UserInfo {
  std::string username;
  std::vector<std::string> groups;
  std::string uid;
  std::map<std::string, std::vector<std::string>> extra;
};

// The uid of the object RESOURCE NS/NAME ("serviceaccounts", "secrets", "pods", "nodes"; ns "" for nodes), empty
// when there is none: a token must name a live ServiceAccount and, when bound, a live bound object.
using ObjectUidLookup =
    std::function<std::string(const std::string& resource, const std::string& ns, const std::string& name)>;

// The user behind a request; nullopt means 401: a bearer token that is neither the admin token nor a live
// ServiceAccount token (expired, its ServiceAccount deleted or re-created, or the object it is bound to deleted or
// re-created: how kube revokes a token), or no credentials where the sandbox
// requires them (a token or client certificates configured, authorization AlwaysAllow). With RBAC, a request
// without credentials is system:anonymous (kube's --anonymous-auth); an open sandbox lets anyone in as it.
std::optional<UserInfo> authenticate(const Request& request, const ApiOptions& options, const TokenIssuer& tokens,
                                     const ObjectUidLookup& object_uid);

// Whether the request carries Impersonate-* headers.
bool impersonating(const Request& request);

// The user `requester` acts as. `allowed(attributes)` answers whether requester may impersonate each requested
// user, group, uid and extra value (verb impersonate); throws ApiError 403 in kube's words for the first refused,
// 400 for groups or extra without a user.
struct Attributes;
UserInfo impersonate(const Request& request, const UserInfo& requester,
                     const std::function<bool(const Attributes&, std::string& reason)>& allowed);

// The body a real server answers to POST /apis/authentication.k8s.io/v1/selfsubjectreviews.
nlohmann::json self_subject_review(const UserInfo& user);

}  // namespace gitmoor::sandbox
