// The chart's monitoring values, rendered by real helm: the ServiceMonitor, the PrometheusRule and the dashboards'
// ConfigMaps come from the chart's files, and examples/monitoring/ is what scripts/gen-monitoring.sh renders from them.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "gitmoor/core/yaml.hpp"
#include "gitmoor/core/tools.hpp"
#include "monitoring_support.hpp"

using namespace gitmoor::test::monitoring;
namespace fs = std::filesystem;

namespace {

// The objects of a YAML stream by "Kind namespace/name".
std::map<std::string, Json> objects(const std::string& yaml) {
  std::map<std::string, Json> out;
  for (const auto& o : gitmoor::core::parse_manifests(yaml)) {
    const auto& j = o.json();
    auto key = j.value("kind", "") + " " + j.at("metadata").value("namespace", "") + "/" +
               j.at("metadata").value("name", "");
    INFO(key);
    CHECK(out.count(key) == 0);
    out[key] = j;
  }
  return out;
}

std::set<std::string> kinds(const std::map<std::string, Json>& objects) {
  std::set<std::string> out;
  for (const auto& [key, o] : objects) out.insert(o.at("kind"));
  return out;
}

const std::vector<std::string> kAllOn{"--set", "serviceMonitor.enabled=true", "--set", "prometheusRule.enabled=true",
                                      "--set", "dashboards.enabled=true", "--set", "dashboards.tetris=true"};

}  // namespace

TEST_CASE("chart: with monitoring values helm template renders the ServiceMonitor, the PrometheusRule and the dashboards' ConfigMaps from the chart's files",
          "[monitoring][helm]") {
  auto flags = kAllOn;
  for (const char* more : {"serviceMonitor.labels.release=kps", "prometheusRule.labels.release=kps",
                           "dashboards.labels.team=platform", "dashboards.annotations.grafana_folder=GitOps"}) {
    flags.push_back("--set");
    flags.push_back(more);
  }
  auto chart = objects(helm_template(flags));

  // ServiceMonitor: selects the chart's Service by its labels, on its port named http, path /metrics.
  const auto& service = chart.at("Service gitmoor/gitmoor");
  const auto& monitor = chart.at("ServiceMonitor gitmoor/gitmoor");
  CHECK(monitor.at("apiVersion") == "monitoring.coreos.com/v1");
  CHECK(monitor.at("metadata").at("labels").at("release") == "kps");
  const auto& match = monitor.at("spec").at("selector").at("matchLabels");
  for (const auto& [k, v] : match.items()) CHECK(service.at("metadata").at("labels").at(k) == v);
  CHECK(service.at("spec").at("ports")[0].at("name") == "http");
  const auto& endpoint = monitor.at("spec").at("endpoints")[0];
  CHECK(endpoint.at("port") == "http");
  CHECK(endpoint.at("path") == "/metrics");
  CHECK(endpoint.at("honorLabels") == true);  // the app metrics' own namespace label

  // PrometheusRule: the rule file's groups as they are.
  const auto& rule = chart.at("PrometheusRule gitmoor/gitmoor");
  CHECK(rule.at("apiVersion") == "monitoring.coreos.com/v1");
  CHECK(rule.at("metadata").at("labels").at("release") == "kps");
  CHECK(rule.at("spec") == rule_groups());

  // Dashboards: one ConfigMap each, labelled for Grafana's sidecar, holding the chart's JSON file.
  for (const auto& [name, file] : std::map<std::string, std::string>{{"gitmoor-dashboard", "gitmoor.json"},
                                                                      {"gitmoor-tetris-dashboard", "tetris.json"}}) {
    INFO(name);
    const auto& cm = chart.at("ConfigMap gitmoor/" + name);
    CHECK(cm.at("metadata").at("labels").at("grafana_dashboard") == "1");
    CHECK(cm.at("metadata").at("labels").at("team") == "platform");
    CHECK(cm.at("metadata").at("annotations").at("grafana_folder") == "GitOps");
    REQUIRE(cm.at("data").size() == 1);
    CHECK(Json::parse(cm.at("data").at(file).get<std::string>()) == dashboard(file));
  }

  // helm lint passes with everything on.
  std::vector<std::string> lint{"lint", source(kChart).string()};
  lint.insert(lint.end(), kAllOn.begin(), kAllOn.end());
  auto r = run_helm(lint);
  INFO(r.stdout_data + r.stderr_data);
  CHECK(r.exit_code == 0);
}

TEST_CASE("chart: monitoring objects only when enabled - none by default, tetris's dashboard only on request, dashboards in another namespace",
          "[monitoring][helm]") {
  auto defaults = kinds(objects(helm_template()));
  CHECK(defaults.count("ServiceMonitor") == 0);
  CHECK(defaults.count("PrometheusRule") == 0);
  CHECK(objects(helm_template()).count("ConfigMap gitmoor/gitmoor-dashboard") == 0);

  auto dashboards = objects(helm_template({"--set", "dashboards.enabled=true", "--set", "dashboards.namespace=monitoring"}));
  CHECK(dashboards.count("ConfigMap monitoring/gitmoor-dashboard") == 1);
  CHECK(dashboards.count("ConfigMap monitoring/gitmoor-tetris-dashboard") == 0);
  CHECK(kinds(dashboards).count("PrometheusRule") == 0);

  auto tetris = objects(helm_template({"--set", "dashboards.enabled=true", "--set", "dashboards.tetris=true"}));
  CHECK(tetris.count("ConfigMap gitmoor/gitmoor-tetris-dashboard") == 1);
  // dashboards.tetris alone renders nothing: the dashboards switch governs both.
  CHECK(objects(helm_template({"--set", "dashboards.tetris=true"})).count("ConfigMap gitmoor/gitmoor-tetris-dashboard") == 0);
}

TEST_CASE("examples: examples/monitoring is what scripts/gen-monitoring.sh renders from the chart", "[monitoring][helm]") {
  TemporaryDirectory out;
  gitmoor::core::SubprocessOptions options;
  options.timeout = std::chrono::seconds(120);
  options.environment = {{"GITMOOR_HELM", gitmoor::core::tool_path(gitmoor::core::Tool::Helm).string()},
                         {"HOME", out.path().string()},
                         {"HELM_CACHE_HOME", (out.path() / "helm-cache").string()},
                         {"HELM_CONFIG_HOME", (out.path() / "helm-config").string()},
                         {"HELM_DATA_HOME", (out.path() / "helm-data").string()}};
  auto generated = out.path() / "monitoring";
  auto r = gitmoor::core::run_subprocess({source("scripts/gen-monitoring.sh").string(), generated.string()}, options);
  INFO(r.stdout_data + r.stderr_data);
  REQUIRE(r.exit_code == 0);

  // Stale? Run scripts/gen-monitoring.sh.
  std::set<std::string> files;
  for (const auto& entry : fs::directory_iterator(generated)) files.insert(entry.path().filename().string());
  CHECK(files == std::set<std::string>{"dashboard-gitmoor.yaml", "dashboard-tetris.yaml", "prometheusrule.yaml",
                                       "servicemonitor.yaml"});
  std::set<std::string> examples;
  for (const auto& entry : fs::directory_iterator(source("examples/monitoring")))
    if (entry.path().extension() != ".md") examples.insert(entry.path().filename().string());
  CHECK(examples == files);
  for (const auto& file : files) {
    INFO(file);
    CHECK(read_file(source("examples/monitoring/" + file)) == read_file(generated / file));
  }

  // They are the objects of the chart with the monitoring values on, labelled for kube-prometheus-stack's release.
  std::string all;
  for (const auto& file : files) all += read_file(generated / file);
  auto example = objects(all);
  CHECK(kinds(example) == std::set<std::string>{"ConfigMap", "PrometheusRule", "ServiceMonitor"});
  CHECK(example.size() == 4);
  CHECK(example.at("ServiceMonitor gitmoor/gitmoor").at("metadata").at("labels").at("release") == "kube-prometheus-stack");
  CHECK(example.at("PrometheusRule gitmoor/gitmoor").at("metadata").at("labels").at("release") == "kube-prometheus-stack");
}
