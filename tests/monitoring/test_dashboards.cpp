// The Grafana dashboards of docker/chart/gitmoor/monitoring/dashboards/: valid dashboard JSON as Grafana's sidecar
// loads it, the tetris dashboard on exactly the reference user's queries, the gitmoor dashboard covering what issue 16
// asks for, and only metric names gitmoor's /metrics exports.
#include <catch2/catch.hpp>

#include <set>

#include "monitoring_support.hpp"

using namespace gitmoor::test::monitoring;

namespace {

// Every panel, with those of collapsed rows.
void all_panels(const Json& panels, std::vector<Json>& out) {
  for (const auto& panel : panels) {
    out.push_back(panel);
    if (panel.contains("panels")) all_panels(panel.at("panels"), out);
  }
}

std::vector<Json> panels_of(const Json& dashboard) {
  std::vector<Json> out;
  all_panels(dashboard.at("panels"), out);
  return out;
}

bool has_text(const Json& j, const char* key) { return j.contains(key) && j.at(key).is_string() && !j.at(key).get<std::string>().empty(); }

// The exprs of the panels whose title is `title`.
std::vector<std::string> exprs_of(const Json& dashboard, const std::string& title) {
  std::vector<std::string> out;
  for (const auto& panel : panels_of(dashboard))
    if (panel.value("title", "") == title)
      for (const auto& target : panel.value("targets", Json::array())) out.push_back(target.at("expr"));
  return out;
}

bool any_contains(const std::vector<std::string>& exprs, const std::string& part) {
  for (const auto& e : exprs)
    if (e.find(part) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("dashboards: each is Grafana dashboard JSON with title, uid, schemaVersion, a prometheus datasource variable and panels with unique ids, gridPos and targets with expr",
          "[monitoring][dashboards]") {
  std::set<std::string> uids;
  for (const auto& file : kDashboardFiles) {
    INFO(file);
    Json d;
    REQUIRE_NOTHROW(d = dashboard(file));
    CHECK(has_text(d, "title"));
    REQUIRE(has_text(d, "uid"));
    CHECK(d.at("uid").get<std::string>().size() <= 40);  // Grafana's limit
    CHECK(uids.insert(d.at("uid")).second);
    REQUIRE(d.contains("schemaVersion"));
    CHECK(d.at("schemaVersion").is_number_integer());
    CHECK(d.at("schemaVersion").get<int>() >= 36);  // datasource references as {type, uid}
    // A sidecar-loaded dashboard is provisioned as it is: no database id of another Grafana.
    CHECK((!d.contains("id") || d.at("id").is_null()));

    // ${datasource}: a variable of type datasource over prometheus, as kube-prometheus-stack's dashboards have.
    bool datasource_variable = false;
    for (const auto& v : d.at("templating").at("list"))
      if (v.value("name", "") == "datasource")
        datasource_variable = v.value("type", "") == "datasource" && v.value("query", "") == "prometheus";
    CHECK(datasource_variable);

    std::set<long> ids;
    int targets = 0;
    for (const auto& panel : panels_of(d)) {
      INFO(panel.dump().substr(0, 200));
      REQUIRE(panel.contains("id"));
      REQUIRE(panel.at("id").is_number_integer());
      CHECK(ids.insert(panel.at("id").get<long>()).second);  // unique ids
      CHECK(has_text(panel, "type"));
      CHECK(has_text(panel, "title"));
      const auto& grid = panel.at("gridPos");
      for (const char* k : {"h", "w", "x", "y"}) CHECK(grid.at(k).is_number_integer());
      CHECK(grid.at("x").get<int>() + grid.at("w").get<int>() <= 24);
      if (panel.at("type") == "row") continue;
      CHECK(panel.at("datasource") == Json({{"type", "prometheus"}, {"uid", "${datasource}"}}));
      REQUIRE(panel.contains("targets"));
      REQUIRE_FALSE(panel.at("targets").empty());
      std::set<std::string> refs;
      for (const auto& target : panel.at("targets")) {
        CHECK(has_text(target, "expr"));
        CHECK(refs.insert(target.value("refId", "")).second);
        CHECK(target.at("datasource") == Json({{"type", "prometheus"}, {"uid", "${datasource}"}}));
        ++targets;
      }
    }
    CHECK(targets >= 5);
  }
}

TEST_CASE("dashboards: the tetris dashboard queries exactly the reference user's PromQL", "[monitoring][dashboards]") {
  // reference-user.md, "Grafana panels the user wants", verbatim.
  const std::vector<std::string> reference{
      R"(sum(rate(container_cpu_usage_seconds_total{namespace="game", pod=~"game-backend.*"}[2m])) by (pod))",
      R"(sum(container_memory_working_set_bytes{namespace="game", pod=~"game-backend.*"}) by (pod))",
      R"(kube_deployment_status_replicas{namespace="game", deployment="game-backend"})",
      R"(kube_horizontalpodautoscaler_status_current_replicas{namespace="game", horizontalpodautoscaler="game-backend-hpa"})",
      R"(kube_horizontalpodautoscaler_status_desired_replicas{namespace="game", horizontalpodautoscaler="game-backend-hpa"})"};
  auto d = dashboard("tetris.json");
  std::vector<std::string> exprs;
  for (const auto& q : dashboard_queries(d)) exprs.push_back(q.expr);
  CHECK(exprs == reference);
  // Backend CPU and memory per Pod, Deployment replicas, HPA current versus desired in one panel.
  CHECK(exprs_of(d, "Backend CPU per Pod") == std::vector<std::string>{reference[0]});
  CHECK(exprs_of(d, "Backend memory per Pod") == std::vector<std::string>{reference[1]});
  CHECK(exprs_of(d, "Backend Deployment replicas") == std::vector<std::string>{reference[2]});
  CHECK(exprs_of(d, "HPA current vs desired replicas") == std::vector<std::string>{reference[3], reference[4]});
}

TEST_CASE("dashboards: the gitmoor dashboard shows apps per sync and health status, syncs and failures, reconcile and self-heal latency, Git and Kubernetes API requests and errors, memory",
          "[monitoring][dashboards]") {
  auto d = dashboard("gitmoor.json");
  CHECK(any_contains(exprs_of(d, "Applications by sync status"), "count by (sync_status)"));
  CHECK(any_contains(exprs_of(d, "Applications by health status"), "count by (health_status)"));
  CHECK(any_contains(exprs_of(d, "Sync operations by phase"), "sum by (phase) (rate(gitmoor_app_sync_total"));
  CHECK(any_contains(exprs_of(d, "Sync failures by app"), R"(phase=~"Error|Failed")"));
  for (const char* q : {"0.5", "0.9", "0.99"}) {
    CHECK(any_contains(exprs_of(d, "Reconcile duration"),
                       std::string("histogram_quantile(") + q + ", sum by (le) (rate(gitmoor_app_reconcile_seconds_bucket"));
    CHECK(any_contains(exprs_of(d, "Self-heal latency"),
                       std::string("histogram_quantile(") + q + ", sum by (le) (rate(gitmoor_self_heal_latency_seconds_bucket"));
  }
  CHECK(any_contains(exprs_of(d, "Git requests"), "rate(gitmoor_git_requests_total"));
  CHECK(any_contains(exprs_of(d, "Git request duration"), "gitmoor_git_request_duration_seconds_bucket"));
  CHECK(any_contains(exprs_of(d, "Kubernetes API requests"), "rate(gitmoor_kube_requests_total"));
  CHECK(any_contains(exprs_of(d, "Kubernetes API errors"), R"(code!~"2..")"));
  CHECK(any_contains(exprs_of(d, "Resident memory"), "process_resident_memory_bytes"));
  // Every query of gitmoor's own metrics is narrowed to the chosen gitmoor (the job variable), also process_*,
  // which every exporter has.
  for (const auto& q : dashboard_queries(d)) {
    INFO(q.where << ": " << q.expr);
    if (q.where.find("variable") == std::string::npos) CHECK(q.expr.find(R"(job=~"$job")") != std::string::npos);
  }
}

TEST_CASE("promql: every gitmoor_ and process_ metric name in the dashboards and alert rules is one that /metrics exports",
          "[monitoring][promql]") {
  std::vector<std::string> exprs;
  for (const auto& file : kDashboardFiles)
    for (const auto& q : dashboard_queries(dashboard(file))) exprs.push_back(q.expr);
  for (const auto& group : rule_groups().at("groups"))
    for (const auto& rule : group.at("rules")) exprs.push_back(rule.at("expr"));
  REQUIRE(exprs.size() > 40);
  for (const auto& e : exprs) {
    INFO(e);
    CHECK(unknown_metric_names(e).empty());
  }

  // The check sees a misspelt name, a histogram series of a counter, and not a label value that looks like one.
  CHECK(unknown_metric_names(R"(sum(rate(gitmoor_app_sync_totl[5m])))") == std::vector<std::string>{"gitmoor_app_sync_totl"});
  CHECK(unknown_metric_names("gitmoor_leader_bucket") == std::vector<std::string>{"gitmoor_leader_bucket"});
  CHECK(unknown_metric_names("process_resident_memory") == std::vector<std::string>{"process_resident_memory"});
  CHECK(unknown_metric_names(R"(histogram_quantile(0.9, sum by (le) (rate(gitmoor_render_seconds_bucket[2m]))))").empty());
  CHECK(unknown_metric_names(R"(gitmoor_app_info{name="gitmoor_not_a_metric"})").empty());
}
