#pragma once
// The authentication and authorization front of every request (kube-apiserver's filters: authenticate,
// impersonate, authorize) and the API endpoints that belong to it: SelfSubjectReview, the access reviews,
// TokenRequest, and the admin endpoint's token clock. api_server.cpp calls in here.
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

#include "access_review.hpp"
#include "authentication.hpp"
#include "authorization.hpp"
#include "router.hpp"
#include "tokens.hpp"

namespace gitmoor::sandbox {

struct AuthContext {
  const ApiOptions& options;
  Cluster& cluster;
  TokenIssuer& tokens;
  Authorizer& authorizer;
};

// The user the request acts as (impersonation applied), authorized for what it asks. Throws ApiError: 401
// Unauthorized, 403 Forbidden in kube's words, 400 for a malformed impersonation.
UserInfo authorize_request(const Request& request, const Target& target, AuthContext& context);

// POST .../selfsubjectreviews, authorization.k8s.io reviews, serviceaccounts/NAME/token: the status code and body;
// nullopt for any other request. Throws ApiError.
std::optional<std::pair<int, Json>> serve_auth_api(const Request& request, const Target& target,
                                                   const UserInfo& user, AuthContext& context);

// The admin endpoint /sandbox/clock: GET shows the token clock, POST {"advance":"2h"} moves it forward.
Json token_clock(const Request& request, TokenIssuer& tokens);

}  // namespace gitmoor::sandbox
