#include <catch2/catch.hpp>

#include "differ_support.hpp"
#include "gitmoor/differ/health_lua.hpp"

using namespace gitmoor;
using H = differ::HealthStatus;

namespace {

// An Argo CD-style rule for cert-manager Certificates, written in the shape Argo CD users keep in argocd-cm
// (Lua 5.1 idioms included: table.getn, global hs).
constexpr const char* kCertificateRule = R"(
hs = {}
if obj.status ~= nil and obj.status.conditions ~= nil then
  for i = 1, table.getn(obj.status.conditions) do
    local c = obj.status.conditions[i]
    if c.type == "Issuing" and c.status == "True" then
      hs.status = "Progressing"
      hs.message = c.message
      return hs
    end
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == "Ready" then
      if c.status == "True" then hs.status = "Healthy" else hs.status = "Degraded" end
      hs.message = c.message
      return hs
    end
  end
end
hs.status = "Progressing"
hs.message = "Waiting for certificate"
return hs
)";

core::Object certificate(const std::string& ready, const std::string& message) {
  return test::object_of(R"(
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: tetris-tls, namespace: game}
spec: {secretName: tetris-tls, issuerRef: {name: letsencrypt, kind: ClusterIssuer}}
status:
  conditions:
  - {type: Ready, status: ")" + ready + R"(", reason: R, message: ")" + message + R"("}
)");
}

core::Object widget() {
  return test::object_of(R"(
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: game, labels: {tier: gold}}
spec: {replicas: 3, ratio: 0.5, tags: [a, b, c], enabled: true}
status: {phase: Ready}
)");
}

differ::LuaHealthRules widget_rule(const std::string& script, differ::LuaBudget budget = {}) {
  differ::LuaHealthRules rules(budget);
  rules.set("example.com_Widget", script);
  return rules;
}

}  // namespace

TEST_CASE("a Lua health rule in Argo CD's format decides a custom resource's health", "[differ][health][lua]") {
  auto rules = differ::LuaHealthRules::from_config_map({
      {"resource.customizations.health.cert-manager.io_Certificate", kCertificateRule},
      {"resource.customizations.ignoreDifferences.apps_Deployment", "jsonPointers: [/spec/replicas]"},
      {"url", "https://gitmoor.example.com"},
  });
  REQUIRE(rules.size() == 1);

  auto ready = certificate("True", "Certificate is up to date and has not expired");
  auto health = differ::assess_health(&ready, rules);
  CHECK(health == differ::Health{H::Healthy, "Certificate is up to date and has not expired"});

  auto failed = certificate("False", "Issuing certificate as Secret does not exist");
  CHECK(differ::assess_health(&failed, rules) == differ::Health{H::Degraded, "Issuing certificate as Secret does not exist"});

  auto fresh = test::object_of("{apiVersion: cert-manager.io/v1, kind: Certificate, metadata: {name: c, namespace: game}}");
  CHECK(differ::assess_health(&fresh, rules) == differ::Health{H::Progressing, "Waiting for certificate"});

  // A kind without a rule keeps its built-in health; absence and deletion come before any rule.
  auto other = widget();
  CHECK_FALSE(rules.assess(other));
  CHECK(differ::assess_health(&other, rules).status == H::Healthy);
  CHECK(differ::assess_health(nullptr, rules).status == H::Missing);
  auto deleting = test::object_of(R"(
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: c, namespace: game, deletionTimestamp: "2026-12-01T10:00:00Z"}
)");
  CHECK(differ::assess_health(&deleting, rules).status == H::Progressing);
}

TEST_CASE("a Lua rule overrides the built-in rule and sees the object as Argo CD passes it", "[differ][health][lua]") {
  // Integers stay integers, floats floats, arrays count from 1, booleans are booleans.
  auto rules = widget_rule(R"(
local s = obj.spec
local ok = s.replicas == 3 and math.type(s.replicas) == "integer" and s.ratio == 0.5 and #s.tags == 3
  and s.tags[1] == "a" and s.enabled == true and obj.metadata.labels.tier == "gold" and obj.missing == nil
return {status = ok and "Suspended" or "Degraded", message = obj.metadata.name .. " read " .. tostring(ok)}
)");
  auto w = widget();
  CHECK(differ::assess_health(&w, rules) == differ::Health{H::Suspended, "w read true"});
  CHECK(differ::assess_health(&w).status == H::Healthy);  // the built-in reading, without the rule
}

TEST_CASE("Lua rule keys: core group, globs, the exact key first", "[differ][health][lua]") {
  differ::LuaHealthRules rules;
  rules.set("*.example.com_*", R"(return {status = "Degraded", message = "glob"})");
  rules.set("example.com_Widget", R"(return {status = "Suspended", message = "exact"})");
  rules.set("ConfigMap", R"(return {status = "Progressing", message = "core"})");
  auto w = widget();
  CHECK(rules.assess(w)->message == "exact");
  auto gadget = test::object_of("{apiVersion: shop.example.com/v1, kind: Gadget, metadata: {name: g}}");
  CHECK(rules.assess(gadget)->message == "glob");
  auto cm = test::object_of("{apiVersion: v1, kind: ConfigMap, metadata: {name: c}}");
  CHECK(rules.assess(cm)->message == "core");
  auto deployment = test::object_of("{apiVersion: apps/v1, kind: Deployment, metadata: {name: d}}");
  CHECK_FALSE(rules.assess(deployment));
}

TEST_CASE("a Lua rule that fails gives Unknown with the error", "[differ][health][lua]") {
  auto w = widget();
  struct Case {
    const char* script;
    const char* message;
  };
  const Case cases[] = {
      {"return {status = 'Healthy', message = obj.spec.nothing.deeper}", "attempt to index a nil value"},
      {"error('custom failure')", "custom failure"},
      {"return {status = 'Fine'}", "'Fine' is not a health status"},
      {"return 42", "returned no table"},
      {"hs = {} return hs", "hs.status is not set"},
      {"return {status = ", "syntax"},
      {"return {status = io.open('/etc/passwd'):read('a')}", "io"},
      {"return require('os')", "require"},
      {"return load('return 1')()", "load"},
      {"return dofile('/etc/passwd')", "dofile"},
      {"return debug.getinfo(1)", "debug"},
      {"return string.dump(print)", "dump"},
  };
  for (const auto& c : cases) {
    INFO(c.script);
    auto health = widget_rule(c.script).assess(w);
    REQUIRE(health);
    CHECK(health->status == H::Unknown);
    CHECK_THAT(health->message, Catch::Contains("health rule for example.com/Widget") && Catch::Contains(c.message));
  }
  // Bytecode is refused: only source text loads.
  auto bytecode = widget_rule(std::string("\x1bLua\x54", 5) + "garbage").assess(w);
  CHECK(bytecode->status == H::Unknown);
}

TEST_CASE("a Lua rule cannot run a command", "[differ][health][lua]") {
  auto w = widget();
  auto health = widget_rule(R"(os.execute("touch /tmp/gitmoor-lua-was-here") return {status = "Healthy"})").assess(w);
  REQUIRE(health);
  CHECK(health->status == H::Unknown);
  CHECK_THAT(health->message, Catch::Contains("execute"));
  CHECK_FALSE(std::filesystem::exists("/tmp/gitmoor-lua-was-here"));
  // os keeps only its clocks, as Argo CD's safe os library does.
  auto clock = widget_rule(R"(return {status = "Healthy", message = type(os.time()) .. " " .. tostring(os.getenv)})").assess(w);
  CHECK(*clock == differ::Health{H::Healthy, "number nil"});
}

TEST_CASE("a Lua rule that loops forever stops at its CPU budget", "[differ][health][lua]") {
  auto w = widget();
  auto health = widget_rule("while true do end", {.instructions = 2'000'000}).assess(w);
  REQUIRE(health);
  CHECK(health->status == H::Unknown);
  CHECK_THAT(health->message, Catch::Contains("CPU budget of 2000000 instructions exceeded"));

  // Catching the budget error does not buy more time.
  auto caught = widget_rule(R"(
while true do pcall(function() while true do end end) end
)", {.instructions = 2'000'000}).assess(w);
  CHECK(caught->status == H::Unknown);
  CHECK_THAT(caught->message, Catch::Contains("CPU budget"));

  // Loops inside the C library are bounded too.
  auto rep = widget_rule("return {status = 'Healthy', message = string.rep('', 1e15)}").assess(w);
  CHECK(rep->status == H::Unknown);
  CHECK_THAT(rep->message, Catch::Contains("string.rep count"));
  auto move = widget_rule("table.move({}, 1, 1e15, 1) return {status = 'Healthy'}").assess(w);
  CHECK(move->status == H::Unknown);
}

TEST_CASE("a Lua rule that allocates without end stops at its memory budget", "[differ][health][lua]") {
  auto w = widget();
  const differ::LuaBudget budget{.memory_bytes = 4 * 1024 * 1024};
  auto tables = widget_rule("local t = {} local i = 0 while true do i = i + 1 t[i] = {i} end", budget).assess(w);
  REQUIRE(tables);
  CHECK(tables->status == H::Unknown);
  CHECK_THAT(tables->message, Catch::Contains("memory budget of 4194304 bytes exceeded"));

  auto strings = widget_rule("local s = 'x' while true do s = s .. s end", budget).assess(w);
  CHECK(strings->status == H::Unknown);
  CHECK_THAT(strings->message, Catch::Contains("memory budget"));

  // Still usable afterwards: every call has a fresh state.
  auto fine = widget_rule("return {status = 'Healthy', message = 'after'}", budget).assess(w);
  CHECK(*fine == differ::Health{H::Healthy, "after"});
}

TEST_CASE("calls do not share state", "[differ][health][lua]") {
  auto w = widget();
  auto rules = widget_rule(R"(
counter = (counter or 0) + 1
return {status = "Healthy", message = tostring(counter)}
)");
  CHECK(rules.assess(w)->message == "1");
  CHECK(rules.assess(w)->message == "1");
}
