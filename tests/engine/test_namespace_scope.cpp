// Namespaced mode's scope (namespace_scope.hpp): which desired objects an engine limited to some namespaces refuses.
#include <catch2/catch.hpp>

#include "namespace_scope.hpp"

using gitmoor::core::Object;
using gitmoor::engine::NamespaceScope;
using gitmoor::engine::out_of_scope;

namespace {

Object object(const std::string& api_version, const std::string& kind, const std::string& ns, const std::string& name) {
  nlohmann::json metadata{{"name", name}};
  if (!ns.empty()) metadata["namespace"] = ns;
  return Object(nlohmann::json{{"apiVersion", api_version}, {"kind", kind}, {"metadata", metadata}});
}

}  // namespace

TEST_CASE("namespace scope: empty is cluster-wide, listed namespaces only, never cluster-scoped objects",
          "[engine][scope]") {
  const NamespaceScope everywhere;
  CHECK(everywhere.cluster_wide());
  CHECK(everywhere.contains("anything"));
  CHECK(everywhere.contains(""));

  const NamespaceScope scope({"shop", "game", "", "game"});
  CHECK_FALSE(scope.cluster_wide());
  CHECK(scope.namespaces() == std::vector<std::string>{"game", "shop"});
  CHECK(scope.describe() == "game, shop");
  CHECK(scope.contains("game"));
  CHECK_FALSE(scope.contains("other"));
  CHECK_FALSE(scope.contains(""));

  const std::vector<Object> desired{object("v1", "ConfigMap", "game", "a"), object("v1", "ConfigMap", "other", "b"),
                                    object("rbac.authorization.k8s.io/v1", "ClusterRole", "", "reader"),
                                    object("apps/v1", "Deployment", "shop", "web")};
  CHECK(out_of_scope(desired, everywhere).empty());
  const auto outside = out_of_scope(desired, scope);
  REQUIRE(outside.size() == 2);
  CHECK(outside[0].key.to_string() == desired[1].key().to_string());
  CHECK(outside[1].key.kind == "ClusterRole");
  CHECK(outside[1].gvk.group == "rbac.authorization.k8s.io");
}
