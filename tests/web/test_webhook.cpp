// POST /api/webhook without sockets: GitHub's signature, the events accepted, the body cap, and push payloads
// (shaped like GitHub's documented ones) turned into the engine's GitPush.
#include <functional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "api_routes.hpp"
#include "fake_operations.hpp"
#include "gitmoor/core/error.hpp"
#include "webhook_payload.hpp"
#include "webhook_signature.hpp"

namespace gitmoor::web {
namespace {

namespace http = boost::beast::http;

const std::string kSecret = "It's a Secret to Everybody";

// A push as GitHub documents it (trimmed to the fields that matter plus a few that do not).
std::string push_payload(const std::string& ref = "refs/heads/main") {
  return core::Json{
      {"ref", ref},
      {"before", "6113728f27ae82c7b1a177c8d03f9e96e0adf246"},
      {"after", "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c"},
      {"created", false},
      {"deleted", false},
      {"forced", false},
      {"repository",
       {{"id", 35129377},
        {"name", "deploy"},
        {"full_name", "Org/deploy"},
        {"html_url", "https://github.com/Org/deploy"},
        {"url", "https://github.com/Org/deploy"},
        {"git_url", "git://github.com/Org/deploy.git"},
        {"ssh_url", "git@github.com:Org/deploy.git"},
        {"clone_url", "https://github.com/Org/deploy.git"},
        {"default_branch", "main"},
        {"master_branch", "main"}}},
      {"pusher", {{"name", "octocat"}, {"email", "octocat@example.com"}}},
      {"commits",
       core::Json::array(
           {{{"id", "5a1e"}, {"message", "a: bump"}, {"added", {"apps/a/new.yaml"}}, {"removed", core::Json::array()},
             {"modified", {"apps/a/deploy.yaml"}}},
            {{"id", "0d1a"}, {"message", "docs"}, {"added", core::Json::array()}, {"removed", {"docs/old.md"}},
             {"modified", core::Json::array()}}})},
      {"head_commit",
       {{"id", "0d1a"}, {"added", core::Json::array()}, {"removed", {"docs/old.md"}}, {"modified", core::Json::array()}}}}
      .dump();
}

struct Webhook {
  test::FakeOperations ops;
  std::string secret = kSecret;
  Api api{ApiServices{ops, nullptr, WebhookOptions{.github_secret = [this] { return secret; }, .max_body_bytes = 4096}}};

  Response post(const std::string& body, const std::string& event, const std::optional<std::string>& signature,
                const std::string& content_type = "application/json") {
    Request request{http::verb::post, "/api/webhook", 11};
    request.set(http::field::content_type, content_type);
    if (!event.empty()) request.set("X-GitHub-Event", event);
    if (signature) request.set("X-Hub-Signature-256", *signature);
    request.body() = body;
    request.prepare_payload();
    return api.handle(request).response;
  }
  Response signed_post(const std::string& body, const std::string& event = "push") {
    return post(body, event, "sha256=" + hmac_sha256_hex(kSecret, body));
  }
};

core::Json json_of(const Response& response) { return core::Json::parse(response.body()); }

}  // namespace

TEST_CASE("webhook signature: HMAC-SHA256 of the exact body, as GitHub documents it", "[web][webhook]") {
  // GitHub's documented example: secret "It's a Secret to Everybody", payload "Hello, World!".
  CHECK(hmac_sha256_hex(kSecret, "Hello, World!") ==
        "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
  const std::string good = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
  CHECK(github_signature_valid(kSecret, "Hello, World!", good));
  CHECK(github_signature_valid(kSecret, "Hello, World!",
                               "sha256=757107EA0EB2509FC211221CCE984B8A37570B6D7586C22C46F4379C8B043E17"));
  CHECK_FALSE(github_signature_valid(kSecret, "Hello, World?", good));     // another body
  CHECK_FALSE(github_signature_valid(kSecret, "Hello, World! ", good));    // one byte more
  CHECK_FALSE(github_signature_valid("another secret", "Hello, World!", good));
  CHECK_FALSE(github_signature_valid("", "Hello, World!", good));          // no secret: nothing is valid
  CHECK_FALSE(github_signature_valid(kSecret, "Hello, World!", ""));
  CHECK_FALSE(github_signature_valid(kSecret, "Hello, World!", good.substr(7)));     // no sha256= prefix
  CHECK_FALSE(github_signature_valid(kSecret, "Hello, World!", good.substr(0, 70)));  // truncated
  CHECK_FALSE(github_signature_valid(kSecret, "Hello, World!", "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59"));
}

TEST_CASE("webhook payload: a push gives its ref, every repository URL, the default branch and the files",
          "[web][webhook]") {
  const auto push = parse_github_push(push_payload());
  CHECK(push.ref == "refs/heads/main");
  CHECK(push.after == "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c");
  CHECK(push.default_branch == "main");
  CHECK(push.repository_urls ==
        std::vector<std::string>{"https://github.com/Org/deploy", "https://github.com/Org/deploy.git",
                                 "git@github.com:Org/deploy.git", "git://github.com/Org/deploy.git",
                                 "https://github.com/Org/deploy"});
  REQUIRE(push.changed_files);
  CHECK(*push.changed_files == std::vector<std::string>{"apps/a/deploy.yaml", "apps/a/new.yaml", "docs/old.md"});

  // No file lists (a branch created at an existing commit), or a forced push: every app on the ref.
  auto json = core::Json::parse(push_payload());
  json["commits"] = core::Json::array();
  json.erase("head_commit");
  CHECK_FALSE(parse_github_push(json.dump()).changed_files);
  json = core::Json::parse(push_payload());
  json["forced"] = true;
  CHECK_FALSE(parse_github_push(json.dump()).changed_files);

  CHECK_THROWS_WITH(parse_github_push("{not json"), Catch::Contains("not JSON"));
  CHECK_THROWS_WITH(parse_github_push(R"({"repository":{"html_url":"https://github.com/o/r"}})"),
                    Catch::Contains("ref is missing"));
  CHECK_THROWS_WITH(parse_github_push(R"({"ref":"refs/heads/main"})"), Catch::Contains("repository is missing"));
  CHECK_THROWS_WITH(parse_github_push(R"({"ref":"refs/heads/main","repository":{"name":"r"}})"),
                    Catch::Contains("no URL"));

  // GitHub's form encoding: the JSON in the payload field.
  CHECK(webhook_json("payload=%7B%22ref%22%3A+%22refs%2Fheads%2Fmain%22%7D", "application/x-www-form-urlencoded") ==
        R"({"ref": "refs/heads/main"})");
  CHECK(webhook_json("{}", "application/json") == "{}");
  CHECK_THROWS_AS(webhook_json("other=1", "application/x-www-form-urlencoded"), core::InvalidInput);
}

TEST_CASE("webhook: a signed push asks the engine to refresh and answers with the apps refreshed", "[web][webhook]") {
  Webhook hook;
  hook.ops.push_refreshes = {"app-a"};
  const auto response = hook.signed_post(push_payload());
  CHECK(response.result() == http::status::ok);
  CHECK(json_of(response) == core::Json{{"refreshed", {"app-a"}}});
  REQUIRE(hook.ops.pushes.size() == 1);
  CHECK(hook.ops.pushes[0].ref == "refs/heads/main");
  CHECK(hook.ops.pushes[0].changed_files->size() == 3);

  // A ping (sent when the hook is created) is answered and refreshes nothing.
  const auto ping = hook.signed_post(R"({"zen":"Design for failure.","hook_id":1})", "ping");
  CHECK(ping.result() == http::status::ok);
  CHECK(hook.ops.pushes.size() == 1);
}

TEST_CASE("webhook: a missing or wrong signature, another event or a bad payload is 400 and changes nothing",
          "[web][webhook]") {
  Webhook hook;
  const auto body = push_payload();
  const auto check_refused = [&](const Response& response, http::status status, const std::string& says) {
    CHECK(response.result() == status);
    const auto json = json_of(response);
    CHECK_THAT(json.value("error", ""), Catch::Contains(says));
    CHECK(json.value("message", "") == json.value("error", ""));  // Argo CD's {error, code, message}
    CHECK(json.contains("code"));
    CHECK(hook.ops.pushes.empty());
  };
  check_refused(hook.post(body, "push", std::nullopt), http::status::bad_request, "X-Hub-Signature-256");
  check_refused(hook.post(body, "push", "sha256=" + hmac_sha256_hex("wrong", body)), http::status::bad_request,
                "does not match");
  check_refused(hook.post(body + " ", "push", "sha256=" + hmac_sha256_hex(kSecret, body)), http::status::bad_request,
                "does not match");
  check_refused(hook.post(body, "push", "sha1=" + hmac_sha256_hex(kSecret, body)), http::status::bad_request,
                "does not match");
  check_refused(hook.signed_post(body, "issues"), http::status::bad_request, "unsupported X-GitHub-Event \"issues\"");
  check_refused(hook.signed_post(body, ""), http::status::bad_request, "X-GitHub-Event header is missing");
  check_refused(hook.signed_post("{\"ref\": 1}"), http::status::bad_request, "ref is missing");

  // No secret configured: every webhook is refused, even one signed with the empty key.
  hook.secret.clear();
  check_refused(hook.post(body, "push", "sha256=" + hmac_sha256_hex("", body)), http::status::forbidden,
                "no webhook secret is configured");
  check_refused(hook.post(R"({"zen":"x"})", "ping", std::nullopt), http::status::forbidden,
                "no webhook secret is configured");
}

TEST_CASE("webhook: a body over the cap is 413 before anything else is looked at", "[web][webhook]") {
  Webhook hook;  // cap: 4096 bytes
  std::string big = push_payload();
  big.insert(big.size() - 1, ",\"padding\":\"" + std::string(5000, 'x') + "\"");
  const auto response = hook.signed_post(big);
  CHECK(response.result() == http::status::payload_too_large);
  CHECK_THAT(json_of(response).value("error", ""), Catch::Contains("more than the limit of 4096 bytes"));
  CHECK(json_of(response).value("code", 0) == 8);  // ResourceExhausted
  CHECK(hook.ops.pushes.empty());
  // At the cap exactly, it is read.
  std::string at_cap = R"({"zen":")";
  at_cap += std::string(4096 - at_cap.size() - 2, 'z') + "\"}";
  REQUIRE(at_cap.size() == 4096);
  CHECK(hook.signed_post(at_cap, "ping").result() == http::status::ok);
}

}  // namespace gitmoor::web

namespace gitmoor::web {
namespace {

// The value of one series in GET /metrics (0 when absent), read through the same Api.
double metric(const Api& api, const std::string& series) {
  const auto response = api.handle(Request{http::verb::get, "/metrics", 11}).response;
  REQUIRE(response.result() == http::status::ok);
  const std::string& text = response.body();
  const auto at = text.find("\n" + series + " ");
  return at == std::string::npos ? 0 : std::stod(text.substr(at + series.size() + 2));
}

std::string webhook_series(const std::string& event, const std::string& result) {
  return "gitmoor_webhook_requests_total{event=\"" + event + "\",result=\"" + result + "\"}";
}

}  // namespace

TEST_CASE("webhook deliveries are counted in /metrics by event and result", "[web][webhook][metrics]") {
  Webhook hook;
  hook.ops.push_refreshes = {"app-a"};
  struct Case {
    std::string event, result;
    std::function<Response()> deliver;
  };
  const std::vector<Case> cases{
      {"push", "accepted", [&] { return hook.signed_post(push_payload()); }},
      {"ping", "ignored", [&] { return hook.signed_post(R"({"zen":"Design for failure."})", "ping"); }},
      {"other", "ignored", [&] { return hook.signed_post("{}", "issues"); }},
      {"push", "rejected", [&] { return hook.post(push_payload(), "push", "sha256=00"); }},
      {"push", "rejected", [&] { return hook.signed_post(push_payload() + std::string(5000, ' ')); }},  // over 4096
      {"other", "rejected", [&] { return hook.post("{}", "", std::nullopt); }},
      {"push", "error", [&] { return hook.signed_post("[1, 2"); }},
  };
  for (const auto& c : cases) {
    INFO(c.event << " " << c.result);
    const double before = metric(hook.api, webhook_series(c.event, c.result));
    (void)c.deliver();
    CHECK(metric(hook.api, webhook_series(c.event, c.result)) == before + 1);
  }
  // A signed push that reaches no app is ignored, not accepted.
  hook.ops.push_refreshes = {};
  const double accepted = metric(hook.api, webhook_series("push", "accepted"));
  const double ignored = metric(hook.api, webhook_series("push", "ignored"));
  CHECK(hook.signed_post(push_payload()).result() == http::status::ok);
  CHECK(metric(hook.api, webhook_series("push", "accepted")) == accepted);
  CHECK(metric(hook.api, webhook_series("push", "ignored")) == ignored + 1);
  // No secret configured: every delivery is rejected.
  hook.secret.clear();
  const double rejected = metric(hook.api, webhook_series("push", "rejected"));
  CHECK(hook.signed_post(push_payload()).result() == http::status::forbidden);
  CHECK(metric(hook.api, webhook_series("push", "rejected")) == rejected + 1);
}

TEST_CASE("GET /metrics answers the text format's media type with HELP and TYPE lines", "[web][metrics]") {
  test::FakeOperations ops;
  const auto response = handle_request(ops, Request{http::verb::get, "/metrics", 11});
  CHECK(response.result() == http::status::ok);
  CHECK(response[http::field::content_type] == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(response.body().find("# TYPE process_resident_memory_bytes gauge\n") != std::string::npos);
}

}  // namespace gitmoor::web
