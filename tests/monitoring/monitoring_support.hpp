#pragma once
// What the monitoring tests share: the chart's dashboards and rules, helm and promtool run as real binaries, the
// queries of a Grafana dashboard, and the metric names gitmoor's /metrics exports.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gitmoor/core/subprocess.hpp"

namespace gitmoor::test::monitoring {

using Json = nlohmann::json;

std::filesystem::path source(const std::string& relative);
std::string read_file(const std::filesystem::path& path);
void write_file(const std::filesystem::path& path, const std::string& text);

// The chart's files, the one source of the dashboards and alerts.
inline const char* kChart = "docker/chart/gitmoor";
inline const std::vector<std::string> kDashboardFiles{"gitmoor.json", "tetris.json"};
Json dashboard(const std::string& file);  // docker/chart/gitmoor/monitoring/dashboards/<file>, parsed
Json rule_groups();                       // docker/chart/gitmoor/monitoring/gitmoor.rules.yaml, parsed

// A private directory under the temporary one, removed with its contents at the end of the scope.
class TemporaryDirectory {
 public:
  TemporaryDirectory();
  ~TemporaryDirectory();
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// helm (core::tool_path) with a private HOME, so no user's helm configuration or cache takes part.
core::SubprocessResult run_helm(const std::vector<std::string>& args);
// `helm template gitmoor docker/chart/gitmoor --namespace gitmoor FLAGS...`; REQUIREs success.
std::string helm_template(const std::vector<std::string>& flags = {});

// promtool from PATH; FAILs the test, saying where it comes from, when it is missing.
std::filesystem::path promtool();
core::SubprocessResult run_promtool(const std::vector<std::string>& args);

// One PromQL query of a dashboard: a panel target's expr, or a query variable's label_values() selector.
struct DashboardQuery {
  std::string where;  // "gitmoor-overview panel 14 (Sync operations by phase) target A", for messages
  std::string record;  // a recording rule name unique in the dashboard
  std::string expr;    // as written, with Grafana's variables
};
std::vector<DashboardQuery> dashboard_queries(const Json& dashboard);

// The expression with Grafana's variables replaced as Grafana would for a 6-hour range at a 30 s scrape interval
// ($__rate_interval 2m, $__interval 1m, $__range 6h, $job gitmoor). Throws naming the variable when it knows none.
std::string substitute_grafana_variables(const std::string& expr);

// A rule file (JSON, which YAML reads) recording each query under its record name.
Json recording_rules(const std::string& group, const std::vector<DashboardQuery>& queries);

// The gitmoor_* and process_* names an expression uses (string literals skipped) that gitmoor's /metrics does not
// export: the agreed list of metrics, a histogram also as its _bucket, _sum and _count series.
std::vector<std::string> unknown_metric_names(const std::string& expr);

}  // namespace gitmoor::test::monitoring
