// Immutable fields through real kubectl: the 422 comes back as kubectl prints it from a real cluster, and
// `kubectl replace --force` (delete, then create) gets past it.
#include <catch2/catch.hpp>

#include "kubectl_env.hpp"

using gitmoor::test::KubectlEnv;
using Json = nlohmann::json;

namespace {
std::string deployment(const std::string& app) {
  return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector:\n    matchLabels: {app: " +
         app + "}\n  template:\n    metadata:\n      labels: {app: " + app +
         "}\n    spec:\n      containers: [{name: web, image: nginx:1.25}]\n";
}
}  // namespace

TEST_CASE("kubectl apply of a changed Deployment selector is refused as field is immutable", "[e2e]") {
  gitmoor::sandbox::SandboxOptions options;
  options.controllers = false;
  KubectlEnv env(options);
  auto file = env.write_file("d.yaml", deployment("web"));
  REQUIRE(env.kubectl({"apply", "--server-side", "-f", file}).exit_code == 0);
  env.write_file("d.yaml", deployment("web2"));
  auto refused = env.kubectl({"apply", "--server-side", "-f", file});
  CHECK(refused.exit_code != 0);
  INFO(refused.stderr_data);
  CHECK(refused.stderr_data.find(
            "The Deployment \"web\" is invalid: spec.selector: Invalid value: "
            "v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web2\"}, "
            "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable") != std::string::npos);
  auto client_side = env.kubectl({"apply", "-f", file});
  CHECK(client_side.exit_code != 0);
  CHECK(client_side.stderr_data.find("field is immutable") != std::string::npos);
  CHECK(env.json({"get", "deployment", "web"})["spec"]["selector"]["matchLabels"]["app"] == "web");

  auto replaced = env.kubectl({"replace", "--force", "-f", file});
  INFO(replaced.stderr_data);
  CHECK(replaced.exit_code == 0);
  CHECK(env.json({"get", "deployment", "web"})["spec"]["selector"]["matchLabels"]["app"] == "web2");
}

TEST_CASE("kubectl edits of an immutable ConfigMap are refused", "[e2e]") {
  KubectlEnv env;
  auto file = env.write_file("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\n"
                                        "immutable: true\ndata: {level: info}\n");
  REQUIRE(env.kubectl({"apply", "--server-side", "-f", file}).exit_code == 0);
  auto patched = env.kubectl({"patch", "configmap", "settings", "--type=merge", "-p", R"({"data":{"level":"debug"}})"});
  CHECK(patched.exit_code != 0);
  CHECK(patched.stderr_data.find("The ConfigMap \"settings\" is invalid: data: Forbidden: field is immutable when "
                                 "`immutable` is set") != std::string::npos);
  CHECK(env.kubectl({"label", "configmap", "settings", "team=a"}).exit_code == 0);
}
