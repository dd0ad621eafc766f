// POST /api/webhook end to end, the Git poll at 1 h so only the webhook can move an app: two apps in one monorepo
// (git daemon), GitHub-shaped push payloads signed with the secret in Secret gitmoor-secret. A push touching app A's
// path brings A to Synced at the new commit while B is left alone; a push for another branch, for an untouched path,
// with a wrong or missing signature, or over the body cap refreshes nothing; a ping gets 200.
#include <catch2/catch.hpp>


#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <iostream>
#include <map>
#include <thread>

#include "hmac_hex.hpp"
#include "serve_env.hpp"
#include "test_paths.hpp"

using namespace gitmoor::test;

namespace {

const std::string kSecret = "webhook-e2e-secret";

// POST with headers (serve_env's http_request sends none).
HttpReply post(const std::string& url, const std::string& target, const std::string& body,
               const std::map<std::string, std::string>& headers) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  using tcp = boost::asio::ip::tcp;
  const auto host_start = url.find("://") + 3;
  const auto colon = url.rfind(':');
  const std::string host = url.substr(host_start, colon - host_start);
  boost::asio::io_context io;
  tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  stream.expires_after(std::chrono::seconds(30));
  stream.connect(resolver.resolve(host, url.substr(colon + 1)));
  http::request<http::string_body> request{http::verb::post, target, 11};
  request.set(http::field::host, host);
  request.set(http::field::content_type, "application/json");
  request.set(http::field::user_agent, "GitHub-Hookshot/e2e");
  for (const auto& [name, value] : headers) request.set(name, value);
  request.body() = body;
  request.prepare_payload();
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response);
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return {static_cast<int>(response.result_int()), response.body()};
}

HttpReply deliver(const std::string& api, const std::string& event, const std::string& body,
                  const std::optional<std::string>& key = kSecret) {
  std::map<std::string, std::string> headers{{"X-GitHub-Event", event},
                                             {"X-GitHub-Delivery", "72d3162e-cc78-11e3-81ab-4c9367dc0958"}};
  if (key) headers["X-Hub-Signature-256"] = "sha256=" + hmac_hex(*key, body);
  return post(api, "/api/webhook", body, headers);
}

// A push event as GitHub documents it, for the deploy repository served at `repo_url` (git://127.0.0.1:port/deploy).
Json push_payload(const std::string& repo_url, const std::string& ref, const std::string& before,
                  const std::string& after, const std::vector<std::string>& modified) {
  const std::string host_path = repo_url.substr(repo_url.find("://") + 3);  // 127.0.0.1:port/deploy
  const Json commit{{"id", after},
                    {"tree_id", "f9d2a07e9488b91af2641b26b9407fe22a451433"},
                    {"distinct", true},
                    {"message", "a: level 2"},
                    {"timestamp", "2026-12-02T04:00:00Z"},
                    {"author", {{"name", "Monalisa Octocat"}, {"email", "mona@example.com"}, {"username", "mona"}}},
                    {"added", Json::array()},
                    {"removed", Json::array()},
                    {"modified", modified}};
  return Json{
      {"ref", ref},
      {"before", before},
      {"after", after},
      {"created", false},
      {"deleted", false},
      {"forced", false},
      {"base_ref", nullptr},
      {"compare", "http://" + host_path + "/compare/" + before.substr(0, 12) + "..." + after.substr(0, 12)},
      {"commits", Json::array({commit})},
      {"head_commit", commit},
      {"repository",
       {{"id", 186853002},
        {"name", "deploy"},
        {"full_name", "org/deploy"},
        {"private", false},
        {"html_url", "http://" + host_path},
        {"url", "http://" + host_path},
        {"git_url", repo_url + ".git"},
        {"ssh_url", "git@" + host_path.substr(0, host_path.find(':')) + ":org/deploy.git"},
        {"clone_url", "http://" + host_path + ".git"},
        {"default_branch", "main"},
        {"master_branch", "main"}}},
      {"pusher", {{"name", "mona"}, {"email", "mona@example.com"}}},
      {"sender", {{"login", "mona"}, {"id", 1}, {"type", "User"}}}};
}

std::string config_map(const std::string& name, const std::string& level) {
  return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\ndata:\n  level: \"" + level + "\"\n";
}

}  // namespace

TEST_CASE("webhook: a signed push touching one app's path syncs it at the new commit, nothing else is refreshed",
          "[serve][webhook]") {
  ServeEnv env;
  env.install_crd();
  env.kubectl({"create", "secret", "generic", "gitmoor-secret", "-n", "gitmoor",
               "--from-literal=webhook.github.secret=" + kSecret});
  env.repo().write("apps/a/cm.yaml", config_map("a", "1"));
  env.repo().write("apps/b/cm.yaml", config_map("b", "1"));
  env.repo().write("docs/readme.md", "deploy\n");
  const std::string first = env.repo().commit("a and b");

  // Poll at 1 h: only a webhook moves anything. The body cap is lowered so an oversized body reaches the webhook
  // (the server's own cap is larger).
  ChildProcess serve({gitmoor_binary().string(), "serve", "--kubeconfig", env.kubeconfig(), "--listen", "127.0.0.1:0",
                      "--poll-interval", "1h", "--cache-dir", (env.dir() / "cache-webhook").string(),
                      "--webhook-max-payload-size", "64Ki", "--auth", "none"},
                     env.dir() / "serve-webhook.log");
  const std::string api = serve.wait_for_line("gitmoor serving on ");
  const std::string automated = "    automated:\n      prune: true\n    syncOptions:\n      - CreateNamespace=true\n";
  env.kubectl_apply(application_yaml("app-a", env.repo_url(), "apps/a", "team-a", automated));
  env.kubectl_apply(application_yaml("app-b", env.repo_url(), "apps/b", "team-b", automated));

  const auto get = [&](const std::string& name) {
    const auto reply = http_request(api, "GET", "/api/v1/applications/" + name);
    return reply.status == 200 ? reply.json() : Json(nullptr);
  };
  const auto synced_at = [&](const std::string& name, const std::string& commit) {
    const auto app = get(name);
    return !app.is_null() && sync_status(app) == "Synced" && revision(app) == commit;
  };
  if (!eventually([&] { return synced_at("app-a", first) && synced_at("app-b", first); })) {
    FAIL("app-a and app-b not Synced at " << first << "\n" << get("app-a").dump() << "\n" << serve.output());
  }

  // A commit touching only app A's path.
  env.repo().write("apps/a/cm.yaml", config_map("a", "2"));
  const std::string second = env.repo().commit("a: level 2");
  const auto touching_a = push_payload(env.repo_url(), "refs/heads/main", first, second, {"apps/a/cm.yaml"}).dump();

  // Refused: no signature, a wrong one, a signature over another body, an event other than push and ping.
  for (const auto& reply : {deliver(api, "push", touching_a, std::nullopt), deliver(api, "push", touching_a, "wrong"),
                            post(api, "/api/webhook", touching_a,
                                 {{"X-GitHub-Event", "push"},
                                  {"X-Hub-Signature-256", "sha256=" + hmac_hex(kSecret, touching_a + "\n")}}),
                            deliver(api, "issues", touching_a)}) {
    INFO(reply.body);
    CHECK(reply.status == 400);
    CHECK(reply.json().contains("error"));
  }
  // Over the cap (64 KiB here): 413, with Argo CD's error shape.
  auto oversized = push_payload(env.repo_url(), "refs/heads/main", first, second, {"apps/a/cm.yaml"});
  oversized["padding"] = std::string(100 * 1024, 'x');
  const auto too_big = deliver(api, "push", oversized.dump());
  CHECK(too_big.status == 413);
  CHECK(too_big.json().value("code", 0) == 8);
  // Signed, but for another branch, or touching no app's path: accepted, nothing refreshed.
  const auto other_branch =
      deliver(api, "push", push_payload(env.repo_url(), "refs/heads/feature", first, second, {"apps/a/cm.yaml"}).dump());
  CHECK(other_branch.status == 200);
  CHECK(other_branch.json() == Json{{"refreshed", Json::array()}});
  const auto untouched =
      deliver(api, "push", push_payload(env.repo_url(), "refs/heads/main", first, second, {"docs/readme.md"}).dump());
  CHECK(untouched.status == 200);
  CHECK(untouched.json() == Json{{"refreshed", Json::array()}});
  // A ping (GitHub sends one when the hook is created).
  const auto ping = deliver(api, "ping", R"({"zen":"Keep it logically awesome.","hook_id":12345678})");
  CHECK(ping.status == 200);
  // None of those moved app A: a wrong refresh would have polled Git, found the new commit and synced it.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  CHECK(revision(get("app-a")) == first);
  const Json b_before = get("app-b")["status"];

  // The signed push touching apps/a: app A syncs the new commit, app B is not even polled.
  const auto pushed_at = std::chrono::steady_clock::now();
  const auto accepted = deliver(api, "push", touching_a);
  REQUIRE(accepted.status == 200);
  CHECK(accepted.json() == Json{{"refreshed", Json::array({"app-a"})}});
  if (!eventually([&] { return synced_at("app-a", second); }, std::chrono::seconds(30))) {
    FAIL("app-a not Synced at " << second << " after the push\n" << get("app-a").dump() << "\n" << serve.output());
  }
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - pushed_at);
  std::cout << "webhook e2e: push -> app-a Synced at the new commit in " << took.count() << " ms" << std::endl;
  auto cm = env.kubectl_json({"get", "configmap", "a", "-n", "team-a"});
  REQUIRE(cm);
  CHECK((*cm)["data"].value("level", "") == "2");

  const Json b_after = get("app-b")["status"];
  CHECK(b_after["sync"].value("revision", "") == first);  // the repository's HEAD moved; B was not polled
  CHECK(b_after.value("reconciledAt", "") == b_before.value("reconciledAt", ""));
  CHECK(b_after.value("operationState", Json::object()) == b_before.value("operationState", Json::object()));
}
