// The resources finalizer's rules: its names per group and propagation policy, what a cascading delete leaves, and
// the reverse wave order.
#include <catch2/catch.hpp>

#include "resources_finalizer.hpp"

namespace gitmoor::engine {
namespace {

using applier::PropagationPolicy;

core::Object configmap(const std::string& name, core::Json annotations = core::Json::object()) {
  return core::Object(core::Json{{"apiVersion", "v1"},
                                 {"kind", "ConfigMap"},
                                 {"metadata", {{"name", name}, {"namespace", "game"}, {"annotations", annotations}}}});
}

std::vector<std::string> names(const std::vector<core::Object>& objects) {
  std::vector<std::string> out;
  for (const auto& o : objects) out.push_back(o.name());
  return out;
}

}  // namespace

TEST_CASE("the resources finalizer: gitmoor's on every app, Argo CD's added on argoproj.io apps and honoured on both, a suffix per policy", "[engine][deletion]") {
  CHECK(resources_finalizer("gitmoor.dev", PropagationPolicy::Foreground) == "resources-finalizer.gitmoor.dev");
  CHECK(resources_finalizer("gitmoor.dev", PropagationPolicy::Background) == "resources-finalizer.gitmoor.dev/background");
  CHECK(resources_finalizer("gitmoor.dev", PropagationPolicy::Orphan) == "resources-finalizer.gitmoor.dev/orphan");
  CHECK(resources_finalizer("argoproj.io", PropagationPolicy::Foreground) == "resources-finalizer.argocd.argoproj.io");
  CHECK(resources_finalizer("argoproj.io", PropagationPolicy::Background) ==
        "resources-finalizer.argocd.argoproj.io/background");

  CHECK(resources_finalizer_policy("resources-finalizer.gitmoor.dev") == PropagationPolicy::Foreground);
  CHECK(resources_finalizer_policy("resources-finalizer.gitmoor.dev/orphan") == PropagationPolicy::Orphan);
  CHECK(resources_finalizer_policy("resources-finalizer.argocd.argoproj.io") == PropagationPolicy::Foreground);
  CHECK(resources_finalizer_policy("resources-finalizer.argocd.argoproj.io/foreground") ==
        PropagationPolicy::Foreground);
  CHECK(resources_finalizer_policy("resources-finalizer.argocd.argoproj.io/background") ==
        PropagationPolicy::Background);
  // Argo CD's name on a gitmoor.dev app (ported from Argo CD) is honoured: nothing else would ever remove it.
  CHECK(resources_finalizer_policy("resources-finalizer.argocd.argoproj.io") == PropagationPolicy::Foreground);
  CHECK(resources_finalizer_policy("resources-finalizer.argocd.argoproj.io/background") ==
        PropagationPolicy::Background);
  // Other finalizers and unknown suffixes are not ours.
  CHECK_FALSE(resources_finalizer_policy("kubernetes"));
  CHECK_FALSE(resources_finalizer_policy("resources-finalizer.gitmoor.dev/sideways"));
  CHECK_FALSE(resources_finalizer_policy("resources-finalizer.gitmoor.devx"));

  CHECK(parse_propagation_policy("") == PropagationPolicy::Foreground);
  CHECK(parse_propagation_policy("Background") == PropagationPolicy::Background);
  CHECK(parse_propagation_policy("orphan") == PropagationPolicy::Orphan);
  CHECK_FALSE(parse_propagation_policy("later"));
}

TEST_CASE("a cascading delete leaves Delete=false and helm.sh/resource-policy keep objects", "[engine][deletion]") {
  CHECK_FALSE(kept_on_delete(configmap("plain")));
  CHECK(kept_on_delete(configmap("argo", {{"argocd.argoproj.io/sync-options", "Prune=false, Delete=false"}})));
  CHECK(kept_on_delete(configmap("own", {{"gitmoor.dev/sync-options", "Delete=false"}})));
  CHECK(kept_on_delete(configmap("helm", {{"helm.sh/resource-policy", "keep"}})));
  CHECK_FALSE(kept_on_delete(configmap("prune-only", {{"argocd.argoproj.io/sync-options", "Prune=false"}})));
  CHECK_FALSE(kept_on_delete(configmap("delete-true", {{"argocd.argoproj.io/sync-options", "Delete=true"}})));
}

TEST_CASE("resources are deleted highest sync wave first", "[engine][deletion]") {
  const std::vector<core::Object> remaining{configmap("w0"), configmap("w5a", {{"argocd.argoproj.io/sync-wave", "5"}}),
                                            configmap("wm1", {{"argocd.argoproj.io/sync-wave", "-1"}}),
                                            configmap("w5b", {{"argocd.argoproj.io/sync-wave", "5"}})};
  CHECK(names(next_deletion_wave(remaining)) == std::vector<std::string>{"w5a", "w5b"});
  CHECK(names(next_deletion_wave({remaining[0], remaining[2]})) == std::vector<std::string>{"w0"});
  CHECK(names(next_deletion_wave({remaining[2]})) == std::vector<std::string>{"wm1"});
  CHECK(next_deletion_wave({}).empty());
}

}  // namespace gitmoor::engine
