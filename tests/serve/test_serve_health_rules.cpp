// `gitmoor serve` and health rules in Lua from the ConfigMap gitmoor-cm, end to end: a rule added, changed and
// removed with kubectl while serve runs changes a custom resource's health live (nothing in Git or the cluster
// changes), and rules that loop for ever, allocate without end or call os.execute give Unknown with a message while
// the engine goes on serving.
#include <catch2/catch.hpp>

#include "serve_env.hpp"

using namespace gitmoor::test;
using Catch::Matchers::Contains;

namespace {

const std::string kWidgetCrd = R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
)";

const std::string kWidget = R"(apiVersion: example.com/v1
kind: Widget
metadata: {name: gear}
spec: {color: red}
)";

// gitmoor-cm holding one health rule for example.com/Widget (indented as a YAML block scalar).
std::string settings_with_rule(const std::string& script) {
  std::string indented;
  std::size_t start = 0;
  while (start < script.size()) {
    const auto end = script.find('\n', start);
    indented += "    " + script.substr(start, end == std::string::npos ? std::string::npos : end - start + 1);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: gitmoor-cm, namespace: gitmoor}\ndata:\n"
         "  resource.customizations.health.example.com_Widget: |\n" +
         indented;
}

// The Widget's entry in the app's status.resources.
Json widget_health(const Json& app) {
  for (const auto& resource : app["status"].value("resources", Json::array())) {
    if (resource.value("kind", "") == "Widget") return resource.value("health", Json::object());
  }
  return Json::object();
}

std::function<bool(const Json&)> widget_is(const std::string& status, const std::string& message_part) {
  return [status, message_part](const Json& app) {
    const auto health = widget_health(app);
    return health.value("status", "") == status &&
           health.value("message", "").find(message_part) != std::string::npos;
  };
}

}  // namespace

TEST_CASE("serve: a Lua health rule from gitmoor-cm changes a custom resource's health live, and a runaway rule is "
          "Unknown while the engine goes on",
          "[serve][health]") {
  ServeEnv env;
  env.install_crd();
  env.kubectl_apply(kWidgetCrd);
  env.kubectl({"wait", "--for=condition=Established", "crd/widgets.example.com", "--timeout=30s"});
  env.repo().write("widgets/gear.yaml", kWidget);
  const auto commit = env.repo().commit("widgets: a red gear");
  env.kubectl_apply(application_yaml("widgets", env.repo_url(), "widgets", "parts",
                                     "    automated: {}\n    syncOptions:\n      - CreateNamespace=true\n"));
  env.start_serve();

  // No rule: the generic reading, Healthy (a Widget reports no status).
  auto app = env.wait_app("widgets", [&](const Json& a) {
    return sync_status(a) == "Synced" && revision(a) == commit && widget_health(a).value("status", "") == "Healthy";
  });
  CHECK(health_status(app) == "Healthy");

  // A rule added: Degraded with the rule's message, with no change in Git or in the cluster's objects.
  env.kubectl_apply(settings_with_rule(R"(hs = {}
if obj.spec.color == "red" then
  hs.status = "Degraded"
  hs.message = "the " .. obj.metadata.name .. " widget is red"
else
  hs.status = "Healthy"
  hs.message = "a good colour"
end
return hs
)"));
  app = env.wait_app("widgets", widget_is("Degraded", "the gear widget is red"));
  CHECK(health_status(app) == "Degraded");
  CHECK(revision(app) == commit);

  // The rule changed: its new answer, live.
  env.kubectl_apply(settings_with_rule("hs = {status = \"Suspended\", message = \"paused by rule v2\"}\nreturn hs\n"));
  app = env.wait_app("widgets", widget_is("Suspended", "paused by rule v2"));

  // Runaway rules: Unknown with the reason, within the budget; the engine keeps answering and keeps the app Synced.
  env.kubectl_apply(settings_with_rule("while true do end\n"));
  app = env.wait_app("widgets", widget_is("Unknown", "CPU budget"));
  env.kubectl_apply(settings_with_rule("local t = {}\nlocal i = 0\nwhile true do i = i + 1\n t[i] = {i} end\n"));
  app = env.wait_app("widgets", widget_is("Unknown", "memory budget"));
  env.kubectl_apply(settings_with_rule("os.execute(\"touch /tmp/gitmoor-lua-os-execute\")\nreturn {status = \"Healthy\"}\n"));
  app = env.wait_app("widgets", widget_is("Unknown", "execute"));
  CHECK_FALSE(std::filesystem::exists("/tmp/gitmoor-lua-os-execute"));
  CHECK(sync_status(app) == "Synced");
  CHECK(http_request(env.api(), "GET", "/healthz").status == 200);
  CHECK(http_request(env.api(), "GET", "/api/v1/applications/widgets").status == 200);

  // The ConfigMap deleted: back to the built-in reading.
  env.kubectl({"delete", "configmap", "gitmoor-cm", "-n", "gitmoor"});
  app = env.wait_app("widgets", widget_is("Healthy", ""));
  CHECK(health_status(app) == "Healthy");
  CHECK(env.serve().running());
}
