// Every PromQL expression the chart ships, checked by Prometheus's own promtool: the dashboards' queries wrapped as
// recording rules, the PrometheusRule's groups as the chart renders them, and the alerts' behaviour over time with
// `promtool test rules` (tests/testdata/monitoring/gitmoor-alerts.test.yaml).
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "gitmoor/core/yaml.hpp"
#include "monitoring_support.hpp"

using namespace gitmoor::test::monitoring;

namespace {

std::string promtool_output(const gitmoor::core::SubprocessResult& r) { return r.stdout_data + r.stderr_data; }

// The groups of the PrometheusRule that `helm template` renders with prometheusRule.enabled.
Json rendered_rule_groups() {
  auto stream = helm_template({"--set", "prometheusRule.enabled=true", "--show-only", "templates/prometheusrule.yaml"});
  auto objects = gitmoor::core::parse_manifests(stream);
  REQUIRE(objects.size() == 1);
  return objects[0].json().at("spec");
}

}  // namespace

TEST_CASE("promql: every dashboard query, Grafana's variables substituted and wrapped as a recording rule, passes promtool check rules",
          "[monitoring][promql]") {
  TemporaryDirectory dir;
  for (const auto& file : kDashboardFiles) {
    auto queries = dashboard_queries(dashboard(file));
    REQUIRE_FALSE(queries.empty());
    Json rules;
    REQUIRE_NOTHROW(rules = recording_rules("dashboard-" + file, queries));
    auto path = dir.path() / (file + ".rules.json");
    write_file(path, rules.dump(2));
    auto r = run_promtool({"check", "rules", path.string()});
    INFO(file << "\n" << promtool_output(r) << "\n" << rules.dump(2));
    CHECK(r.exit_code == 0);
    // Every query was read as a rule (promtool counts them), and nothing was left for Grafana to fill in.
    CHECK(r.stdout_data.find("SUCCESS: " + std::to_string(queries.size()) + " rules found") != std::string::npos);
    CHECK(rules.dump().find('$') == std::string::npos);
  }
}

TEST_CASE("promql: the wrapping names what it cannot substitute, and promtool check rules rejects a broken query naming it",
          "[monitoring][promql]") {
  CHECK(substitute_grafana_variables(R"(rate(gitmoor_leader{job=~"${job}"}[$__rate_interval]))") ==
        R"(rate(gitmoor_leader{job=~"gitmoor"}[2m]))");
  CHECK_THROWS_WITH(substitute_grafana_variables("sum(gitmoor_leader{pod=~\"$pod\"})"),
                    Catch::Contains("unknown Grafana variable $pod"));

  TemporaryDirectory dir;
  auto path = dir.path() / "broken.rules.json";
  write_file(path, recording_rules("broken", {{"test", "broken:sync_rate",
                                               "sum by (phase) (rate(gitmoor_app_sync_total[$__rate_interval])"}})
                       .dump());
  auto r = run_promtool({"check", "rules", path.string()});
  INFO(promtool_output(r));
  CHECK(r.exit_code != 0);
  CHECK(promtool_output(r).find("broken:sync_rate") != std::string::npos);
}

TEST_CASE("rules: the PrometheusRule's groups pass promtool check rules, every alert has a severity, and app alerts name the app",
          "[monitoring][rules]") {
  auto groups = rendered_rule_groups();
  CHECK(groups == rule_groups());  // the chart's file, as it is
  TemporaryDirectory dir;
  auto path = dir.path() / "gitmoor.rules.json";
  write_file(path, groups.dump(2));
  auto r = run_promtool({"check", "rules", path.string()});
  INFO(promtool_output(r));
  CHECK(r.exit_code == 0);
  CHECK(r.stdout_data.find("SUCCESS: 5 rules found") != std::string::npos);

  std::set<std::string> alerts;
  for (const auto& group : groups.at("groups")) {
    for (const auto& rule : group.at("rules")) {
      INFO(rule.dump());
      REQUIRE(rule.contains("alert"));
      alerts.insert(rule.at("alert"));
      auto severity = rule.at("labels").at("severity").get<std::string>();
      CHECK((severity == "critical" || severity == "warning"));
      const auto& annotations = rule.at("annotations");
      CHECK_FALSE(annotations.at("summary").get<std::string>().empty());
      CHECK_FALSE(annotations.at("description").get<std::string>().empty());
      if (rule.at("alert").get<std::string>().rfind("GitmoorApp", 0) == 0) {
        for (const char* key : {"summary", "description"})
          CHECK(annotations.at(key).get<std::string>().find("{{ $labels.namespace }}/{{ $labels.name }}") !=
                std::string::npos);
      }
    }
  }
  CHECK(alerts == std::set<std::string>{"GitmoorAppDegraded", "GitmoorAppOutOfSync", "GitmoorAppSyncFailed",
                                        "GitmoorNoLeader", "GitmoorDown"});
}

TEST_CASE("rules: promtool test rules - Degraded fires after 5 minutes and OutOfSync after 15 and not before, a first sync failure fires, no leader and no metrics fire after 5 minutes",
          "[monitoring][rules]") {
  TemporaryDirectory dir;
  write_file(dir.path() / "gitmoor.rules.json", rendered_rule_groups().dump(2));
  auto tests = dir.path() / "gitmoor-alerts.test.yaml";
  write_file(tests, read_file(source("tests/testdata/monitoring/gitmoor-alerts.test.yaml")));
  auto r = run_promtool({"test", "rules", tests.string()});
  INFO(promtool_output(r));
  CHECK(r.exit_code == 0);
  CHECK(r.stdout_data.find("SUCCESS") != std::string::npos);

  // The unit tests do catch a wrong duration: with the Degraded alert's `for` at 4 minutes they fail on it.
  auto groups = rendered_rule_groups();
  for (auto& group : groups.at("groups"))
    for (auto& rule : group.at("rules"))
      if (rule.at("alert") == "GitmoorAppDegraded") rule["for"] = "4m";
  write_file(dir.path() / "gitmoor.rules.json", groups.dump(2));
  auto wrong = run_promtool({"test", "rules", tests.string()});
  INFO(promtool_output(wrong));
  CHECK(wrong.exit_code != 0);
  CHECK(promtool_output(wrong).find("alertname: GitmoorAppDegraded, time: 4m") != std::string::npos);
}
