#pragma once
// authorization.k8s.io/v1 reviews, as kube-apiserver answers them: SelfSubjectAccessReview (`kubectl auth can-i`),
// SubjectAccessReview and LocalSubjectAccessReview (for spec.user/groups), SelfSubjectRulesReview (`kubectl auth
// can-i --list`). They ask the authorizer, so with AlwaysAllow they answer allowed.
#include <string>

#include <nlohmann/json.hpp>

#include "authorization.hpp"

namespace gitmoor::sandbox {

// Whether `resource` is one of the review resources of authorization.k8s.io.
bool is_access_review(const std::string& resource);

// The review `body` (posted to `resource`, in namespace `path_namespace` for a local review) with its status
// filled in. Throws ApiError 400/422 for a malformed review.
Json access_review(const std::string& resource, const std::string& path_namespace, Json body,
                   const UserInfo& requester, const Authorizer& authorizer);

}  // namespace gitmoor::sandbox
