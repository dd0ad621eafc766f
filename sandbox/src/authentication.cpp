#include "authentication.hpp"

namespace gitmoor::sandbox {

namespace {
// The token and the kubeconfig's generated certificate stand for the cluster admin.
const char* kTokenUser = "sandbox-admin";
}  // namespace

std::optional<UserInfo> authenticate(const Request& request, const ApiOptions& options) {
  if (options.client_certificates && !request.user.empty()) {
    UserInfo user{request.user, request.groups};
    user.groups.push_back("system:authenticated");
    return user;
  }
  if (!options.token.empty() && request.header("authorization") == "Bearer " + options.token) {
    return UserInfo{kTokenUser, {"system:masters", "system:authenticated"}};
  }
  if (options.token.empty() && !options.client_certificates) {
    return UserInfo{"system:anonymous", {"system:unauthenticated"}};  // an open sandbox: anyone may do anything
  }
  return std::nullopt;
}

nlohmann::json self_subject_review(const UserInfo& user) {
  return {{"kind", "SelfSubjectReview"},
          {"apiVersion", "authentication.k8s.io/v1"},
          {"metadata", {{"creationTimestamp", nullptr}}},
          {"status", {{"userInfo", {{"username", user.username}, {"groups", user.groups}}}}}};
}

}  // namespace gitmoor::sandbox
