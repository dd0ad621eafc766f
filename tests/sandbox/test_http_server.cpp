// The HTTP front over real sockets: keep-alive, size bounds, chunked watches, and a fuzz loop of malformed
// requests after which the server still answers correctly.
#include <catch2/catch.hpp>

#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "gitmoor/sandbox/sandbox.hpp"
#include "raw_http.hpp"

using gitmoor::sandbox::Sandbox;
using gitmoor::sandbox::SandboxOptions;
using gitmoor::test::RawConnection;
using Json = nlohmann::json;

namespace {
SandboxOptions quiet() {
  SandboxOptions o;
  o.controllers = false;
  o.idle_timeout = std::chrono::seconds(5);
  return o;
}
const std::string kCms = "/api/v1/namespaces/default/configmaps";
std::string cm(const std::string& name) {
  return Json{{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}, {"data", {{"a", "1"}}}}
      .dump();
}
}  // namespace

TEST_CASE("one keep-alive connection serves many requests", "[sandbox][http]") {
  auto sb = Sandbox::start(quiet());
  RawConnection c(sb->port());
  REQUIRE(c.ok());
  for (int i = 0; i < 50; ++i) {
    REQUIRE(c.request("POST", kCms, cm("c" + std::to_string(i))) == 201);
  }
  std::string body;
  REQUIRE(c.request("GET", kCms, "", "", &body) == 200);
  CHECK(Json::parse(body)["items"].size() == 50);
  // A missing Content-Type is JSON.
  REQUIRE(c.send("PUT " + kCms + "/c1 HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                 std::to_string(cm("c1").size()) + "\r\n\r\n" + cm("c1")));
  CHECK(c.read_response() == 200);
}

TEST_CASE("a body over 3 MiB is refused with 413", "[sandbox][http]") {
  auto sb = Sandbox::start(quiet());
  RawConnection c(sb->port());
  std::string body = cm("big");
  body.insert(body.size() - 2, std::string(3u << 20, 'x'));
  std::string response;
  CHECK(c.request("POST", kCms, body, "application/json", &response) == 413);
  CHECK(Json::parse(response)["reason"] == "RequestEntityTooLarge");
  RawConnection again(sb->port());
  CHECK(again.request("GET", "/version") == 200);
}

TEST_CASE("a watch streams chunked events", "[sandbox][http]") {
  auto sb = Sandbox::start(quiet());
  RawConnection watcher(sb->port());
  REQUIRE(watcher.send("GET " + kCms + "?watch=true&timeoutSeconds=1 HTTP/1.1\r\nHost: x\r\n\r\n"));
  RawConnection writer(sb->port());
  REQUIRE(writer.request("POST", kCms, cm("w")) == 201);
  std::string body;
  CHECK(watcher.read_response(&body) == 200);  // the stream ends at timeoutSeconds
  auto line = Json::parse(body.substr(0, body.find('\n')));
  CHECK(line["type"] == "ADDED");
  CHECK(line["object"]["metadata"]["name"] == "w");
}

TEST_CASE("malformed and random requests never stop the server from answering", "[sandbox][http][fuzz]") {
  auto sb = Sandbox::start(quiet());
  std::mt19937 random(20261126);
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(random() % n); };
  auto noise = [&](std::size_t max) {
    std::string s(pick(max) + 1, '\0');
    for (auto& ch : s) ch = static_cast<char>(random() % 256);
    return s;
  };
  const std::vector<std::string> methods = {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "BREW", ""};
  const std::vector<std::string> targets = {
      kCms, kCms + "/x", "/api/v1/namespaces/default/pods?watch=1&resourceVersion=abc", "/apis/apps/v1/deployments",
      "/apis/apps/v1/namespaces/default/deployments/d/scale", "/api/v1/namespaces/%ZZ/configmaps",
      "/apis/../../etc/passwd", "/api/v1/namespaces/default/configmaps?labelSelector=a%20in%20(", "/",
      "/api/v1/namespaces/default/configmaps?limit=-1&continue=zz", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
      "/sandbox/faults", "/api/v1/namespaces/default/configmaps/x/status", std::string(5000, '/')};
  const std::vector<std::string> types = {"application/json", "application/apply-patch+yaml",
                                          "application/merge-patch+json", "application/strategic-merge-patch+json",
                                          "application/json-patch+json", "application/vnd.kubernetes.protobuf",
                                          "text/plain", ""};
  const std::vector<std::string> bodies = {
      "{", "[]", "null", "{\"metadata\":5}", "{\"metadata\":{\"name\":[1]}}", "{\"apiVersion\":\"v1\"}",
      cm("ok"), "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\",\"labels\":{\"a\":1}}}",
      "[{\"op\":\"remove\",\"path\":\"/nope\"}]", "k8s\x00\x0a\xff\xff\xff", "apiVersion: v1\nkind: [\n",
      "{\"spec\":{\"replicas\":\"many\"}}", "{\"metadata\":{\"finalizers\":{\"a\":1}}}", std::string(100000, '{')};

  int answered = 0;
  const int kRequests = 10000;
  std::unique_ptr<RawConnection> conn;
  for (int i = 0; i < kRequests; ++i) {
    if (!conn || !conn->ok() || pick(20) == 0) conn = std::make_unique<RawConnection>(sb->port(), 5);
    std::string req;
    bool garbage = true;
    switch (pick(4)) {
      case 0:  // pure noise
        req = noise(300);
        break;
      case 1: {  // a broken request line or headers
        req = methods[pick(methods.size())] + " " + targets[pick(targets.size())] + (pick(2) ? " HTTP/1.1" : "") +
              "\r\n" + (pick(2) ? "Content-Length: " + std::to_string(static_cast<int>(pick(200)) - 50) + "\r\n" : "") +
              (pick(2) ? noise(40) + ": " + noise(40) + "\r\n" : "") + "\r\n" + noise(50);
        break;
      }
      default: {  // well-formed HTTP with hostile content
        garbage = false;
        std::string body = pick(3) ? bodies[pick(bodies.size())] : noise(500);
        std::string type = types[pick(types.size())];
        req = methods[pick(5)] + " " + targets[pick(targets.size())] + " HTTP/1.1\r\nHost: x\r\n" +
              (type.empty() ? "" : "Content-Type: " + type + "\r\n") +
              "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
      }
    }
    if (!conn->send(req)) {
      conn.reset();
      continue;
    }
    if (garbage) conn->finish_sending();
    // Well-formed requests must be answered; for garbage, the server may answer 400 or close.
    int status = conn->read_response();
    if (status != 0) ++answered;
    if (garbage || status == 0 || status == 400 || status == 413 || status == 431) conn.reset();
  }
  INFO("answered " << answered << " of " << kRequests);
  CHECK(answered > kRequests / 4);

  // Still healthy and correct afterwards.
  RawConnection check(sb->port());
  REQUIRE(check.ok());
  std::string body;
  REQUIRE(check.request("GET", "/version", "", "", &body) == 200);
  CHECK(Json::parse(body)["major"] == "1");
  CHECK(check.request("POST", kCms, cm("after-fuzz")) == 201);
  REQUIRE(check.request("GET", kCms + "/after-fuzz", "", "", &body) == 200);
  CHECK(Json::parse(body)["data"]["a"] == "1");
}
