#include "monitoring_support.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

#include "gitmoor/core/tools.hpp"
#include "gitmoor/core/yaml.hpp"
#include "test_paths.hpp"

namespace fs = std::filesystem;

namespace gitmoor::test::monitoring {

fs::path source(const std::string& relative) { return source_dir() / relative; }

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  INFO(path.string());
  REQUIRE(in.good());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  INFO(path.string());
  REQUIRE(out.good());
}

Json dashboard(const std::string& file) {
  return Json::parse(read_file(source(std::string(kChart) + "/monitoring/dashboards/" + file)));
}

Json rule_groups() { return core::parse_yaml(read_file(source(std::string(kChart) + "/monitoring/gitmoor.rules.yaml"))); }

TemporaryDirectory::TemporaryDirectory() {
  std::random_device rd;
  path_ = fs::temp_directory_path() / ("gitmoor-monitoring-test-" + std::to_string(rd()) + std::to_string(rd()));
  fs::create_directories(path_);
}

TemporaryDirectory::~TemporaryDirectory() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

core::SubprocessResult run_helm(const std::vector<std::string>& args) {
  std::vector<std::string> argv{core::tool_path(core::Tool::Helm).string()};
  argv.insert(argv.end(), args.begin(), args.end());
  TemporaryDirectory home;
  core::SubprocessOptions options;
  options.timeout = std::chrono::seconds(60);
  options.environment = {{"HOME", home.path().string()},
                         {"HELM_CACHE_HOME", (home.path() / "cache").string()},
                         {"HELM_CONFIG_HOME", (home.path() / "config").string()},
                         {"HELM_DATA_HOME", (home.path() / "data").string()}};
  return core::run_subprocess(argv, options);
}

std::string helm_template(const std::vector<std::string>& flags) {
  std::vector<std::string> args{"template", "gitmoor", source(kChart).string(), "--namespace", "gitmoor"};
  args.insert(args.end(), flags.begin(), flags.end());
  auto r = run_helm(args);
  INFO(r.stderr_data);
  REQUIRE(r.exit_code == 0);
  return r.stdout_data;
}

fs::path promtool() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    auto candidate = fs::path(dir) / "promtool";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  FAIL("promtool is not on PATH (" << (path ? path : "") << "): it comes with Debian's prometheus package, which "
       "scripts/setup.sh installs (apt-get install --no-install-recommends prometheus)");
  return {};
}

core::SubprocessResult run_promtool(const std::vector<std::string>& args) {
  std::vector<std::string> argv{promtool().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  core::SubprocessOptions options;
  options.timeout = std::chrono::seconds(60);
  return core::run_subprocess(argv, options);
}

namespace {

// A Prometheus metric name from free text: what is not [a-zA-Z0-9_:] becomes '_'.
std::string metric_name_of(const std::string& text) {
  std::string out;
  for (char c : text) out.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':' ? c : '_');
  return out;
}

const std::regex kLabelValues(R"(^\s*label_values\((.+),\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)\s*$)");

void collect_panel_queries(const Json& panels, const std::string& uid, std::vector<DashboardQuery>& out) {
  for (const auto& panel : panels) {
    if (panel.contains("panels")) collect_panel_queries(panel.at("panels"), uid, out);  // a collapsed row's
    if (!panel.contains("targets")) continue;
    for (const auto& target : panel.at("targets")) {
      auto id = std::to_string(panel.at("id").get<long>());
      auto ref = target.value("refId", std::string("?"));
      out.push_back({uid + " panel " + id + " (" + panel.value("title", std::string()) + ") target " + ref,
                     metric_name_of("dashboard:" + uid + ":panel_" + id + "_" + ref), target.value("expr", "")});
    }
  }
}

}  // namespace

std::vector<DashboardQuery> dashboard_queries(const Json& dashboard) {
  std::vector<DashboardQuery> out;
  auto uid = dashboard.value("uid", std::string("?"));
  collect_panel_queries(dashboard.value("panels", Json::array()), uid, out);
  for (const auto& variable : dashboard.value("templating", Json::object()).value("list", Json::array())) {
    if (variable.value("type", "") != "query") continue;
    const auto& query = variable.at("query");
    std::string text = query.is_string() ? query.get<std::string>() : query.value("query", "");
    std::smatch m;
    // label_values(selector, label) asks the series API for the selector: the selector is the PromQL to check.
    std::string expr = std::regex_match(text, m, kLabelValues) ? m[1].str() : text;
    out.push_back({uid + " variable " + variable.value("name", ""),
                   metric_name_of("dashboard:" + uid + ":variable_" + variable.value("name", "")), expr});
  }
  return out;
}

std::string substitute_grafana_variables(const std::string& expr) {
  static const std::map<std::string, std::string> values{
      {"__rate_interval", "2m"}, {"__interval", "1m"}, {"__range", "6h"}, {"job", "gitmoor"}};
  std::string out;
  for (std::size_t i = 0; i < expr.size();) {
    if (expr[i] != '$') {
      out.push_back(expr[i++]);
      continue;
    }
    std::string name;
    std::size_t end;
    if (i + 1 < expr.size() && expr[i + 1] == '{') {
      end = expr.find('}', i);
      if (end == std::string::npos) throw std::runtime_error("an unclosed ${ in: " + expr);
      name = expr.substr(i + 2, end - i - 2);
      ++end;
    } else {
      end = i + 1;
      while (end < expr.size() && (std::isalnum(static_cast<unsigned char>(expr[end])) || expr[end] == '_')) ++end;
      name = expr.substr(i + 1, end - i - 1);
    }
    auto it = values.find(name);
    if (it == values.end()) throw std::runtime_error("unknown Grafana variable $" + name + " in: " + expr);
    out += it->second;
    i = end;
  }
  return out;
}

Json recording_rules(const std::string& group, const std::vector<DashboardQuery>& queries) {
  Json rules = Json::array();
  for (const auto& q : queries) rules.push_back({{"record", q.record}, {"expr", substitute_grafana_variables(q.expr)}});
  return {{"groups", Json::array({{{"name", group}, {"rules", rules}}})}};
}

std::vector<std::string> unknown_metric_names(const std::string& expr) {
  // The names agreed with /metrics (issue 16): counters and gauges, then histograms.
  static const std::set<std::string> plain{
      "gitmoor_app_info",           "gitmoor_app_sync_total",       "gitmoor_self_heal_total",
      "gitmoor_git_requests_total", "gitmoor_render_cache_hits_total", "gitmoor_kube_requests_total",
      "gitmoor_webhook_requests_total", "gitmoor_leader",           "gitmoor_workqueue_depth",
      "process_resident_memory_bytes", "process_cpu_seconds_total", "process_open_fds"};
  static const std::set<std::string> histograms{
      "gitmoor_app_reconcile_seconds", "gitmoor_self_heal_latency_seconds", "gitmoor_git_request_duration_seconds",
      "gitmoor_render_seconds", "gitmoor_kube_request_duration_seconds"};
  // String literals hold label values, not names: drop them first.
  static const std::regex strings(R"("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)");
  static const std::regex names(R"((?:^|[^a-zA-Z0-9_:])((?:gitmoor|process)_[a-zA-Z0-9_:]*))");
  std::string code = std::regex_replace(expr, strings, "\"\"");
  std::vector<std::string> unknown;
  for (std::sregex_iterator it(code.begin(), code.end(), names), end; it != end; ++it) {
    std::string name = (*it)[1];
    bool known = plain.count(name) || histograms.count(name);
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      std::string s(suffix);
      if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0 &&
          histograms.count(name.substr(0, name.size() - s.size())))
        known = true;
    }
    if (!known) unknown.push_back(name);
  }
  return unknown;
}

}  // namespace gitmoor::test::monitoring
