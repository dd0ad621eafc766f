#include "auth_api.hpp"

#include <algorithm>
#include <chrono>

#include "cluster.hpp"
#include "gitmoor/core/duration.hpp"
#include "gitmoor/core/error.hpp"
#include "protobuf.hpp"

namespace gitmoor::sandbox {

namespace {

// A request body as JSON: kubectl's typed clients send TokenRequest and the reviews as protobuf.
Json decode_body(const Request& request) {
  std::string type = request.header("content-type");
  type = type.substr(0, type.find(';'));
  if (type == "application/vnd.kubernetes.protobuf") {
    if (auto object = decode_protobuf_object(request.body)) return *object;
    throw ApiError(415, "UnsupportedMediaType", "the body of the request could not be decoded as protobuf");
  }
  if (request.body.empty()) return Json::object();
  Json body = Json::parse(request.body, nullptr, false);
  if (body.is_discarded()) throw bad_request("the body of the request could not be decoded as JSON");
  return body;
}

ApiError method_not_allowed() {
  return {405, "MethodNotAllowed", "the server does not allow this method on the requested resource"};
}

}  // namespace

UserInfo authorize_request(const Request& request, const Target& target, AuthContext& context) {
  context.authorizer.sync();
  auto lookup = [&](const std::string& resource, const std::string& ns, const std::string& name) -> std::string {
    std::lock_guard lock(context.cluster.store.mutex());
    const ResourceType* type = context.cluster.registry.find_by_id(resource);
    ObjectPtr object = type ? context.cluster.get(*type, ns, name) : nullptr;
    return object ? (*object)["metadata"].value("uid", "") : "";
  };
  std::optional<UserInfo> user = authenticate(request, context.options, context.tokens, lookup);
  if (!user) throw ApiError(401, "Unauthorized", "Unauthorized");
  if (impersonating(request)) {
    user = impersonate(request, *user, [&](const Attributes& a, std::string& reason) {
      Decision d = context.authorizer.authorize(a);
      reason = d.allowed ? "" : d.reason;
      return d.allowed;
    });
  }
  if (context.authorizer.mode() == Authorization::Rbac) {
    Attributes a = request_attributes(request.method, target.path, target.query);
    a.user = *user;
    Decision d = context.authorizer.authorize(a);
    if (!d.allowed) throw forbidden(a, d.reason);
  }
  return *user;
}

std::optional<std::pair<int, Json>> serve_auth_api(const Request& request, const Target& target,
                                                   const UserInfo& user, AuthContext& context) {
  if (target.kind != Target::Kind::Resource || target.version != "v1") return std::nullopt;
  const auto& rest = target.rest;
  if (target.group == "authentication.k8s.io" && rest == std::vector<std::string>{"selfsubjectreviews"}) {
    if (request.method != "POST") throw method_not_allowed();
    return std::pair{201, self_subject_review(user)};
  }
  if (target.group == "authorization.k8s.io") {
    std::string resource;
    std::string ns;
    if (rest.size() == 1 && rest[0] != "localsubjectaccessreviews") {
      resource = rest[0];
    } else if (rest.size() == 3 && rest[0] == "namespaces" && rest[2] == "localsubjectaccessreviews") {
      resource = rest[2];
      ns = rest[1];
    }
    if (!is_access_review(resource)) return std::nullopt;
    if (request.method != "POST") throw method_not_allowed();
    return std::pair{201, access_review(resource, ns, decode_body(request), user, context.authorizer)};
  }
  if (target.group.empty() && rest.size() == 5 && rest[0] == "namespaces" && rest[2] == "serviceaccounts" &&
      rest[4] == "token") {
    if (request.method != "POST") throw method_not_allowed();
    return std::pair{201, token_request(context.cluster, context.tokens, rest[1], rest[3], decode_body(request))};
  }
  return std::nullopt;
}

Json token_clock(const Request& request, TokenIssuer& tokens) {
  if (request.method == "POST") {
    Json body = Json::parse(request.body, nullptr, false);
    if (!body.is_object() || !body.contains("advance") || !body["advance"].is_string()) {
      throw bad_request("the token clock takes {\"advance\": \"<duration>\"}, e.g. {\"advance\": \"2h\"}");
    }
    try {
      auto d = core::parse_duration(body["advance"].get<std::string>(), "advance");
      tokens.advance(std::chrono::duration_cast<std::chrono::seconds>(d).count());
    } catch (const core::InvalidInput& e) {
      throw bad_request(e.what());
    }
  } else if (request.method != "GET") {
    throw method_not_allowed();
  }
  return {{"now", rfc3339(tokens.now())}, {"offsetSeconds", tokens.offset()}};
}

}  // namespace gitmoor::sandbox
