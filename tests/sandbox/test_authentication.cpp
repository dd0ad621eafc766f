// Who a request is: a verified client certificate's CN and O, the bearer token, or (on an open sandbox) anonymous;
// and what POST selfsubjectreviews (kubectl auth whoami) answers.
#include <catch2/catch.hpp>

#include "api_client.hpp"
#include "authentication.hpp"
#include "tokens.hpp"

using gitmoor::sandbox::ApiOptions;
using gitmoor::sandbox::ApiServer;
using gitmoor::sandbox::Request;
using gitmoor::test::call;
using Json = nlohmann::json;

namespace {
std::optional<gitmoor::sandbox::UserInfo> authenticate(const Request& r, const ApiOptions& o) {
  static const gitmoor::sandbox::TokenIssuer tokens;
  return gitmoor::sandbox::authenticate(r, o, tokens, [](const std::string&, const std::string&, const std::string&) { return ""; });
}

Request with(const std::string& user, const std::vector<std::string>& groups, const std::string& token = "") {
  Request r;
  r.method = "GET";
  r.target = "/api/v1/namespaces";
  r.user = user;
  r.groups = groups;
  if (!token.empty()) r.headers["authorization"] = "Bearer " + token;
  return r;
}
}  // namespace

TEST_CASE("authentication: client certificate, token, or anonymous when nothing is required", "[sandbox][auth]") {
  ApiOptions open;
  auto anonymous = authenticate(with("", {}), open);
  REQUIRE(anonymous);
  CHECK(anonymous->username == "system:anonymous");
  // Without client_certificates a certificate's name is not trusted: it is anonymous on an open sandbox.
  CHECK(authenticate(with("alice", {}), open)->username == "system:anonymous");

  ApiOptions certs;
  certs.client_certificates = true;
  auto alice = authenticate(with("alice", {"dev"}), certs);
  REQUIRE(alice);
  CHECK(alice->username == "alice");
  CHECK(alice->groups == std::vector<std::string>{"dev", "system:authenticated"});
  CHECK_FALSE(authenticate(with("", {}), certs));

  ApiOptions both = certs;
  both.token = "t";
  CHECK(authenticate(with("", {}, "t"), both)->username == "sandbox-admin");
  CHECK_FALSE(authenticate(with("", {}, "wrong"), both));
  CHECK(authenticate(with("bob", {}, "wrong"), both)->username == "bob");
}

TEST_CASE("selfsubjectreviews answers the authenticated user, unauthenticated requests get 401", "[sandbox][auth]") {
  ApiOptions o;
  o.controllers = false;
  o.client_certificates = true;
  ApiServer api(o);
  Request review = with("alice", {"dev"});
  review.method = "POST";
  review.target = "/apis/authentication.k8s.io/v1/selfsubjectreviews";
  review.body = R"({"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview","metadata":{}})";
  auto r = api.handle(review);
  REQUIRE(r.status == 201);
  Json body = Json::parse(r.body);
  CHECK(body["kind"] == "SelfSubjectReview");
  CHECK(body["status"]["userInfo"]["username"] == "alice");
  CHECK(body["status"]["userInfo"]["groups"] == Json::array({"dev", "system:authenticated"}));

  auto refused = api.handle(with("", {}));
  CHECK(refused.status == 401);
  CHECK(Json::parse(refused.body)["reason"] == "Unauthorized");
  CHECK(api.handle(with("alice", {})).status == 200);
}
