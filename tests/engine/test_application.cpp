// parse_application: Argo CD's Application spec into the model, and the spec errors a bad spec yields.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "gitmoor/core/error.hpp"
#include "gitmoor/core/yaml.hpp"
#include "gitmoor/engine/application.hpp"
#include "test_paths.hpp"

using namespace gitmoor;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using engine::ApplicationOrigin;

namespace {

std::string read_fixture(const std::string& name) {
  std::ifstream in(test::testdata_dir() / "applications" / name);
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

engine::Application parse_fixture(const std::string& name) {
  return engine::parse_application(core::parse_yaml(read_fixture(name)), ApplicationOrigin::File, name);
}

core::Json minimal_app(const std::string& api_version = "gitmoor.dev/v1alpha1") {
  return {{"apiVersion", api_version},
          {"kind", "Application"},
          {"metadata", {{"name", "web"}, {"namespace", "gitmoor"}}},
          {"spec",
           {{"source", {{"repoURL", "https://example.com/web.git"}}},
            {"destination", {{"server", "https://kubernetes.default.svc"}}}}}};
}

}  // namespace

TEST_CASE("Application: the reference user's argoproj.io tetris-app.yaml parses unchanged", "[engine][application]") {
  auto app = parse_fixture("tetris-app.yaml");
  CHECK(app.spec_errors.empty());
  CHECK(app.name == "tetris");
  CHECK(app.ns == "argocd");
  CHECK(app.api_version == "argoproj.io/v1alpha1");
  CHECK(app.project == "default");
  CHECK(app.source.repo_url == "https://github.com/<owner>/<repo>");
  CHECK(app.repository.url == app.source.repo_url);
  CHECK(app.source.target_revision == "main");
  CHECK(app.source.path == "helm/tetris");
  CHECK_FALSE(app.source.type.has_value());  // detected from the tree (Chart.yaml) at render time
  CHECK(app.destination.server == engine::kInClusterServer);
  CHECK(app.destination.ns == "game");
  CHECK(app.target_namespace() == "game");
  REQUIRE(app.sync_policy.automated.has_value());
  CHECK(app.sync_policy.automated->prune);
  CHECK(app.sync_policy.automated->self_heal);
  CHECK_FALSE(app.sync_policy.automated->allow_empty);
  CHECK_FALSE(app.sync_policy.retry.has_value());
  CHECK(app.revision_history_limit == 10);
  // Helm defaults: the release is the app's name, in the destination namespace (as `helm install tetris -n game`).
  CHECK(app.source.helm.release_name == "tetris");
  CHECK(app.source.helm.ns == "game");
  CHECK(app.manifest["spec"]["source"]["path"] == "helm/tetris");
  CHECK(app.subject() == "Application tetris");
}

TEST_CASE("Application: every spec field of a gitmoor.dev Application is read", "[engine][application]") {
  auto app = parse_fixture("full.yaml");
  REQUIRE(app.spec_errors.empty());
  CHECK(app.api_version == "gitmoor.dev/v1alpha1");
  CHECK(app.project == "team-a");
  CHECK(app.revision_history_limit == 3);
  CHECK(app.source.target_revision == "v1.2.0");
  REQUIRE(app.source.type == renderer::SourceType::Helm);
  const auto& helm = app.source.helm;
  CHECK(helm.release_name == "shop-prod");
  CHECK(helm.ns == "shop-system");
  CHECK(helm.value_files == std::vector<std::string>{"values.yaml", "values-prod.yaml"});
  CHECK(helm.ignore_missing_value_files);
  CHECK(helm.values == "replicaCount: 3\n");
  CHECK(helm.values_object == core::Json{{"image", {{"tag", "abc123"}}}});
  REQUIRE(helm.parameters.size() == 2);
  CHECK(helm.parameters[0].name == "image.tag");
  CHECK(helm.parameters[0].value == "42");
  CHECK(helm.parameters[0].force_string);
  CHECK_FALSE(helm.parameters[1].force_string);
  CHECK(helm.skip_crds);
  CHECK(helm.kube_version == "1.35.0");
  CHECK(helm.api_versions == std::vector<std::string>{"monitoring.coreos.com/v1"});
  CHECK(app.destination.name == "in-cluster");
  CHECK(app.target_namespace() == "shop");
  REQUIRE(app.sync_policy.automated.has_value());
  CHECK(app.sync_policy.automated->prune);
  CHECK_FALSE(app.sync_policy.automated->self_heal);
  CHECK(app.sync_policy.automated->allow_empty);
  REQUIRE(app.sync_policy.retry.has_value());
  CHECK(app.sync_policy.retry->limit == -1);
  CHECK(app.sync_policy.retry->duration == 500ms);
  CHECK(app.sync_policy.retry->factor == 3);
  CHECK(app.sync_policy.retry->max_duration == 90min);
  REQUIRE(app.ignore_differences.size() == 1);
  CHECK(app.ignore_differences[0].kind == "Deployment");
  CHECK(app.ignore_differences[0].json_pointers == std::vector<std::string>{"/spec/replicas"});
}

TEST_CASE("Application: each invalid spec gives its spec error and the app still parses", "[engine][application]") {
  auto docs = core::parse_yaml_documents(read_fixture("invalid-specs.yaml"));
  REQUIRE(docs.size() == 15);
  for (const auto& doc : docs) {
    const std::string expect = doc["metadata"]["annotations"]["expect"];
    auto app = engine::parse_application(doc, ApplicationOrigin::File, "invalid-specs.yaml");
    INFO(app.name << ": " << (app.spec_errors.empty() ? std::string("no errors") : app.spec_errors.front()));
    REQUIRE(app.spec_errors.size() == 1);
    CHECK_THAT(app.spec_errors.front(), Contains(expect));
  }
}

TEST_CASE("Application: a valid minimal spec has no errors and Argo CD's defaults", "[engine][application]") {
  auto app = engine::parse_application(minimal_app(), ApplicationOrigin::Cluster, "test");
  CHECK(app.spec_errors.empty());
  CHECK(app.source.target_revision == "HEAD");
  CHECK(app.source.path == ".");
  CHECK(app.project == "default");
  CHECK_FALSE(app.sync_policy.automated.has_value());
  CHECK(app.target_namespace() == "default");
  CHECK(app.subject() == "gitmoor.dev/v1alpha1 Application gitmoor/web");

  auto with_slash = minimal_app();
  with_slash["spec"]["destination"]["server"] = "https://kubernetes.default.svc/";
  CHECK(engine::parse_application(with_slash, ApplicationOrigin::Cluster, "test").spec_errors.empty());

  auto retry = minimal_app();
  retry["spec"]["syncPolicy"] = {{"retry", core::Json::object()}, {"automated", {{"enabled", false}, {"prune", true}}}};
  auto parsed = engine::parse_application(retry, ApplicationOrigin::Cluster, "test");
  REQUIRE(parsed.sync_policy.retry.has_value());
  CHECK(parsed.sync_policy.retry->limit == 5);
  CHECK(parsed.sync_policy.retry->duration == 5s);
  CHECK(parsed.sync_policy.retry->factor == 2);
  CHECK(parsed.sync_policy.retry->max_duration == 3min);
  CHECK_FALSE(parsed.sync_policy.automated.has_value());  // enabled: false turns automated sync off
}

TEST_CASE("Application: objects that cannot be Applications throw naming the subject", "[engine][application]") {
  CHECK_THROWS_WITH(engine::parse_application(core::Json::array(), ApplicationOrigin::File, "apps.yaml:3"),
                    Contains("apps.yaml:3"));
  auto deployment = minimal_app("apps/v1");
  deployment["kind"] = "Deployment";
  CHECK_FALSE(engine::is_application(deployment));
  CHECK_THROWS_AS(engine::parse_application(deployment, ApplicationOrigin::File, "x"), core::InvalidInput);
  CHECK_FALSE(engine::is_application(minimal_app("argoproj.io/v1beta1")));
  CHECK(engine::is_application(minimal_app("argoproj.io/v1alpha1")));
  auto nameless = minimal_app();
  nameless["metadata"].erase("name");
  CHECK_THROWS_WITH(engine::parse_application(nameless, ApplicationOrigin::File, "apps.yaml:7"),
                    Contains("apps.yaml:7") && Contains("metadata.name"));
}

TEST_CASE("Application: durations in Go's form or seconds", "[engine][application]") {
  CHECK(engine::parse_duration("5s") == 5s);
  CHECK(engine::parse_duration("3m") == 3min);
  CHECK(engine::parse_duration("1h30m") == 90min);
  CHECK(engine::parse_duration("1.5s") == 1500ms);
  CHECK(engine::parse_duration("250ms") == 250ms);
  CHECK(engine::parse_duration("30") == 30s);
  CHECK(engine::parse_duration(12) == 12s);
  CHECK_FALSE(engine::parse_duration("").has_value());
  CHECK_FALSE(engine::parse_duration("-5s").has_value());
  CHECK_FALSE(engine::parse_duration("5d").has_value());
  CHECK_FALSE(engine::parse_duration("s").has_value());
  CHECK_FALSE(engine::parse_duration(true).has_value());
}

TEST_CASE("Application: syncOptions match case-insensitively on the value only", "[engine][application]") {
  engine::SyncPolicy policy;
  policy.sync_options = {"CreateNamespace=true", "PruneLast=TRUE", "PrunePropagationPolicy=background"};
  CHECK(policy.has_option("CreateNamespace=true"));
  CHECK(policy.has_option("PruneLast=true"));
  CHECK(policy.has_option("PrunePropagationPolicy=Background"));
  CHECK_FALSE(policy.has_option("createnamespace=true"));
  CHECK_FALSE(policy.has_option("CreateNamespace=false"));
  CHECK_FALSE(policy.has_option("ServerSideApply=true"));
}

TEST_CASE("Application: the manifest keeps spec and status and drops managedFields", "[engine][application]") {
  auto object = minimal_app();
  object["status"] = {{"sync", {{"status", "Synced"}}}};
  object["metadata"]["managedFields"] = core::Json::array({{{"manager", "kubectl"}}});
  object["metadata"]["uid"] = "u-1";
  object["metadata"]["resourceVersion"] = "17";
  object["metadata"]["generation"] = 4;
  auto app = engine::parse_application(object, ApplicationOrigin::Cluster, "test");
  CHECK(app.manifest["status"] == object["status"]);  // the controller resumes from it
  CHECK_FALSE(app.manifest["metadata"].contains("managedFields"));
  CHECK(app.manifest["spec"] == object["spec"]);
  CHECK(app.uid == "u-1");
  CHECK(app.resource_version == "17");
  CHECK(app.generation == 4);
}
