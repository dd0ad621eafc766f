// The web UI through a real `gitmoor serve`: the embedded page and assets with their security headers, the live
// manifest of any object of the tetris tree (a Pod the managed resources do not hold, a Secret with its values
// masked) and nothing outside it, and --ui-dir serving web/ui from disk.
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>

#include "gitmoor/core/subprocess.hpp"
#include "serve_env.hpp"
#include "test_paths.hpp"

using namespace gitmoor::test;
namespace fs = std::filesystem;

namespace {

std::string base64(const std::string& text) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned value = 0;
  int bits = -6;
  for (const unsigned char c : text) {
    value = (value << 8) + c;
    bits += 8;
    while (bits >= 0) {
      out += alphabet[(value >> bits) & 63];
      bits -= 6;
    }
  }
  if (bits > -6) out += alphabet[((value << 8) >> (bits + 8)) & 63];
  while (out.size() % 4 != 0) out += '=';
  return out;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// GET .../resource for one object; the reply as is.
HttpReply live(ServeEnv& env, const std::string& group, const std::string& kind, const std::string& ns,
               const std::string& name) {
  return http_request(env.api(), "GET",
                      "/api/v1/applications/tetris/resource?namespace=" + ns + "&resourceName=" + name +
                          "&kind=" + kind + "&group=" + group);
}

Json manifest(const HttpReply& reply) { return Json::parse(reply.json()["manifest"].get<std::string>()); }

}  // namespace

TEST_CASE("serve: the UI's page and assets, and the live manifest of any object of the app's tree only", "[serve]") {
  ServeEnv env;
  env.kubectl({"create", "namespace", "game"});
  const std::string commit = env.commit_example();
  const auto apps = env.dir() / "apps";
  fs::create_directories(apps);
  std::ofstream(apps / "tetris.yaml") << application_yaml("tetris", env.repo_url(), "helm/tetris", "game",
                                                           "    automated:\n      prune: true\n");
  env.start_serve({"--apps", apps.string(), "--cluster-apps=false"});

  // The embedded page: its scripts resolve under the hashed prefix, everything with the security headers.
  auto page = http_request(env.api(), "GET", "/applications/tetris");
  REQUIRE(page.status == 200);
  CHECK(page.headers["content-type"] == "text/html; charset=utf-8");
  CHECK(page.headers["cache-control"] == "no-cache");
  CHECK(page.headers["content-security-policy"].find("script-src 'self'") != std::string::npos);
  CHECK(page.headers["x-frame-options"] == "DENY");
  std::smatch script;
  REQUIRE(std::regex_search(page.body, script, std::regex(R"re(src="(/assets/[0-9a-f]{12}/main\.js)")re")));
  auto main_js = http_request(env.api(), "GET", script[1]);
  CHECK(main_js.status == 200);
  CHECK(main_js.headers["content-type"] == "text/javascript; charset=utf-8");
  CHECK(main_js.headers["cache-control"] == "public, max-age=31536000, immutable");
  CHECK(main_js.body == read_file(source_dir() / "web/ui/main.js"));
  CHECK(main_js.headers["x-content-type-options"] == "nosniff");
  auto api_reply = http_request(env.api(), "GET", "/api/v1/applications");
  CHECK(api_reply.headers["content-security-policy"] == page.headers["content-security-policy"]);
  CHECK(api_reply.headers["referrer-policy"] == "same-origin");

  env.wait_app("tetris", [&](const Json& a) {
    return sync_status(a) == "Synced" && health_status(a) == "Healthy" && revision(a) == commit;
  });

  // A Pod of the frontend's ReplicaSet: not a managed resource, but in the tree.
  Json pod;
  REQUIRE(eventually([&] {
    const auto tree = http_request(env.api(), "GET", "/api/v1/applications/tetris/resource-tree").json();
    for (const auto& node : tree["nodes"]) {
      if (node["kind"] == "Pod" && node["name"].get<std::string>().rfind("game-frontend-", 0) == 0) pod = node;
    }
    return pod.is_object();
  }));
  const auto pod_reply = live(env, "", "Pod", "game", pod["name"]);
  INFO(pod_reply.body);
  REQUIRE(pod_reply.status == 200);
  const auto pod_object = manifest(pod_reply);
  CHECK(pod_object["kind"] == "Pod");
  CHECK(pod_object["metadata"]["name"] == pod["name"]);
  CHECK(pod_object["metadata"]["uid"] == pod["uid"]);
  CHECK_FALSE(pod_object["metadata"].contains("managedFields"));
  CHECK(pod_object["spec"]["containers"][0]["image"] == "docker.io/tetris/game-frontend:0.1.0");

  // A managed Deployment, in the version asked for.
  const auto deployment = http_request(env.api(), "GET",
                                       "/api/v1/applications/tetris/resource?namespace=game&resourceName=game-frontend"
                                       "&kind=Deployment&group=apps&version=v1");
  REQUIRE(deployment.status == 200);
  CHECK(manifest(deployment)["spec"]["replicas"] == 2);
  CHECK_FALSE(manifest(deployment)["metadata"].contains("managedFields"));

  // The app's Secret: every value masked as managed-resources masks it; the value nowhere in the answer.
  const auto secret = live(env, "", "Secret", "game", "game-postgres");
  REQUIRE(secret.status == 200);
  const auto secret_object = manifest(secret);
  REQUIRE(secret_object["data"].is_object());
  CHECK_FALSE(secret_object["data"].empty());
  for (const auto& [key, value] : secret_object["data"].items()) {
    INFO(key);
    CHECK(std::regex_match(value.get<std::string>(), std::regex(R"(\++)")));
  }
  CHECK_FALSE(secret_object.contains("stringData"));
  CHECK(secret.body.find("change-me") == std::string::npos);
  CHECK(secret.body.find(base64("change-me")) == std::string::npos);

  // Objects outside the tree are refused, whatever they are, without a word of their content.
  env.kubectl_apply(R"(apiVersion: v1
kind: Secret
metadata:
  name: not-ours
  namespace: game
stringData:
  token: foreign-value-42
)");
  for (const auto& [kind, ns, name] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"Secret", "game", "not-ours"}, {"Secret", "gitmoor", "not-ours"}, {"Pod", "game", "no-such-pod"},
           {"Namespace", "", "game"}}) {
    INFO(kind << " " << ns << "/" << name);
    const auto refused = live(env, "", kind, ns, name);
    CHECK(refused.status == 404);
    CHECK(refused.body.find("foreign-value-42") == std::string::npos);
    CHECK(refused.body.find(base64("foreign-value-42")) == std::string::npos);
  }
  CHECK(live(env, "", "Secret", "game", "not-ours").body.find("not part of the application") != std::string::npos);
  CHECK(http_request(env.api(), "GET", "/api/v1/applications/tetris/resource?kind=Pod").status == 400);
  CHECK(http_request(env.api(), "GET", "/api/v1/applications/nothing/resource?kind=Pod&resourceName=x").status == 404);
}

TEST_CASE("serve --ui-dir serves web/ui from disk, confined to the folder, and refuses a folder without index.html",
          "[serve]") {
  ServeEnv env;
  const auto ui = source_dir() / "web/ui";
  env.start_serve({"--cluster-apps=false", "--ui-dir", ui.string()});
  auto page = http_request(env.api(), "GET", "/");
  REQUIRE(page.status == 200);
  CHECK(page.body.find("src=\"/assets/dev/main.js\"") != std::string::npos);
  CHECK(page.headers["cache-control"] == "no-store");
  auto main_js = http_request(env.api(), "GET", "/assets/dev/main.js");
  CHECK(main_js.status == 200);
  CHECK(main_js.body == read_file(ui / "main.js"));
  CHECK(main_js.headers["content-security-policy"].find("frame-ancestors 'none'") != std::string::npos);
  for (const std::string target : {"/assets/dev/..%2FCMakeLists.txt", "/assets/dev/..", "/assets/dev/%2Fetc%2Fhosts"}) {
    INFO(target);
    CHECK(http_request(env.api(), "GET", target).status == 404);
  }

  gitmoor::core::SubprocessOptions options;
  options.timeout = std::chrono::seconds(30);
  const auto refused = gitmoor::core::run_subprocess({gitmoor_binary().string(), "serve", "--kubeconfig", env.kubeconfig(),
                                                      "--auth", "none", "--listen", "127.0.0.1:0", "--ui-dir",
                                                      (env.dir() / "no-such-ui").string()},
                                                     options);
  CHECK(refused.exit_code == 2);
  CHECK(refused.stderr_data.find("--ui-dir") != std::string::npos);
  CHECK(refused.stderr_data.find("no-such-ui") != std::string::npos);
}
