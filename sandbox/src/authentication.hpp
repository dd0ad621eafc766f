#pragma once
// Who a request is, as kube-apiserver's authenticators decide it: a verified TLS client certificate (user from CN,
// groups from O) or the bearer token; and the SelfSubjectReview (`kubectl auth whoami`) that reports it.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gitmoor/sandbox/api_server.hpp"

namespace gitmoor::sandbox {

struct UserInfo {
  std::string username;
  std::vector<std::string> groups;
};

// The user behind a request; nullopt when the sandbox requires authentication (a token or client certificates are
// configured) and the request has neither a matching token nor a verified certificate: a 401.
std::optional<UserInfo> authenticate(const Request& request, const ApiOptions& options);

// The body a real server answers to POST /apis/authentication.k8s.io/v1/selfsubjectreviews.
nlohmann::json self_subject_review(const UserInfo& user);

}  // namespace gitmoor::sandbox
