// GET /metrics of a real `gitmoor serve` after a scripted sequence (a manual sync, a drift healed by selfHeal, a
// failed sync, webhook deliveries): each step moves exactly the counters it should, each app's gitmoor_app_info
// carries the state the API shows, and promtool accepts the whole exposition.
#include <catch2/catch.hpp>


#include <map>
#include <sstream>

#include "promtool.hpp"
#include "hmac_hex.hpp"
#include "serve_env.hpp"

using namespace gitmoor::test;

namespace {

const std::string kSecret = "metrics-webhook-secret";

// One scrape: series (name and labels as written) → value.
using Scrape = std::map<std::string, double>;

Scrape parse_exposition(const std::string& text) {
  Scrape out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

std::string scrape_text(ServeEnv& env) {
  const auto reply = http_request(env.api(), "GET", "/metrics");
  REQUIRE(reply.status == 200);
  return reply.body;
}

Scrape scrape(ServeEnv& env) { return parse_exposition(scrape_text(env)); }

double value(const Scrape& scrape, const std::string& series) {
  const auto it = scrape.find(series);
  return it == scrape.end() ? 0 : it->second;
}

// The sum of every series of `name` whose labels contain each of `labels` (`verb="patch"`), e.g. across codes.
double sum_of(const Scrape& scrape, const std::string& name, const std::vector<std::string>& labels) {
  double total = 0;
  for (const auto& [series, v] : scrape) {
    if (series.rfind(name + "{", 0) != 0) continue;
    bool all = true;
    for (const auto& label : labels) all = all && series.find(label) != std::string::npos;
    if (all) total += v;
  }
  return total;
}

std::string sync_series(const std::string& app, const std::string& phase) {
  return "gitmoor_app_sync_total{name=\"" + app + "\",namespace=\"gitmoor\",project=\"default\",phase=\"" + phase +
         "\",dry_run=\"false\"}";
}

std::string info_series(const std::string& app, const std::string& repo, const std::string& ns,
                        const std::string& sync, const std::string& health, bool automated) {
  return "gitmoor_app_info{name=\"" + app + "\",namespace=\"gitmoor\",project=\"default\",repo=\"" + repo +
         "\",dest_server=\"https://kubernetes.default.svc\",dest_namespace=\"" + ns + "\",sync_status=\"" + sync +
         "\",health_status=\"" + health + "\",operation=\"\",autosync_enabled=\"" + (automated ? "true" : "false") +
         "\"}";
}

std::string phase(const Json& app) {
  return app.value("status", Json::object()).value("operationState", Json::object()).value("phase", "");
}

std::string config_map(const std::string& name, const std::string& level_yaml) {
  return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\ndata:\n  level: " + level_yaml + "\n";
}

HttpReply deliver(ServeEnv& env, const std::string& event, const std::string& body, const std::string& key = kSecret) {
  return http_request(env.api(), "POST", "/api/webhook", body,
                      {{"X-GitHub-Event", event}, {"X-Hub-Signature-256", "sha256=" + hmac_hex(key, body)}});
}

}  // namespace

TEST_CASE("metrics: a sync, a healed drift, a failed sync and webhooks move exactly their counters", "[serve][metrics]") {
  ServeEnv env;
  env.install_crd();
  env.kubectl({"create", "secret", "generic", "gitmoor-secret", "-n", "gitmoor",
               "--from-literal=webhook.github.secret=" + kSecret});
  env.repo().write("apps/manual/cm.yaml", config_map("manual", "\"1\""));
  env.repo().write("apps/healer/cm.yaml", config_map("healer", "\"1\""));
  const std::string first = env.repo().commit("manual and healer");
  env.start_serve();
  env.kubectl_apply(application_yaml("manual", env.repo_url(), "apps/manual", "manual",
                                     "    syncOptions:\n      - CreateNamespace=true\n"));
  env.kubectl_apply(application_yaml("healer", env.repo_url(), "apps/healer", "healer",
                                     "    automated:\n      prune: true\n      selfHeal: true\n"
                                     "    syncOptions:\n      - CreateNamespace=true\n"));
  env.wait_app("healer", [&](const Json& a) {
    return sync_status(a) == "Synced" && health_status(a) == "Healthy" && revision(a) == first;
  });
  env.wait_app("manual", [&](const Json& a) { return sync_status(a) == "OutOfSync" && revision(a) == first; });
  const std::string repo = env.repo_url();

  // /metrics answers without credentials, in the text format's media type.
  const auto plain = http_request(env.api(), "GET", "/metrics");
  REQUIRE(plain.status == 200);
  CHECK(plain.headers.at("content-type") == "text/plain; version=0.0.4; charset=utf-8");

  // A manual sync: Succeeded +1, and the patches it sent are counted.
  const auto before_sync = scrape(env);
  REQUIRE(http_request(env.api(), "POST", "/api/v1/applications/manual/sync", "{}").status == 200);
  env.wait_app("manual", [&](const Json& a) { return phase(a) == "Succeeded" && sync_status(a) == "Synced"; });
  Scrape after_sync;
  // The counter moves as the operation is recorded, right after the status the API shows: wait for it.
  CHECK(eventually([&] {
    after_sync = scrape(env);
    return value(after_sync, sync_series("manual", "Succeeded")) > value(before_sync, sync_series("manual", "Succeeded"));
  }));
  CHECK(value(after_sync, sync_series("manual", "Succeeded")) - value(before_sync, sync_series("manual", "Succeeded")) == 1);
  CHECK(value(after_sync, sync_series("manual", "Failed")) == 0);
  CHECK(sum_of(after_sync, "gitmoor_kube_requests_total", {"verb=\"patch\"", "resource=\"configmaps\""}) >
        sum_of(before_sync, "gitmoor_kube_requests_total", {"verb=\"patch\"", "resource=\"configmaps\""}));
  CHECK(eventually([&] {
    return value(scrape(env), info_series("manual", repo, "manual", "Synced", "Healthy", false)) == 1;
  }));

  // A drift healed: the ConfigMap changed by hand is put back; one self-heal, one latency observation, one more
  // Succeeded sync of the healer, and nothing for the manual app.
  const auto before_heal = scrape(env);
  env.kubectl({"patch", "configmap", "healer", "-n", "healer", "--type=merge", "-p", R"({"data":{"level":"9"}})"});
  Scrape after_heal;
  const std::string heals = "gitmoor_self_heal_total{name=\"healer\",namespace=\"gitmoor\"}";
  CHECK(eventually([&] {
    after_heal = scrape(env);
    return value(after_heal, heals) > value(before_heal, heals);
  }));
  const auto level = env.kubectl_json({"get", "configmap", "healer", "-n", "healer"});
  REQUIRE(level);
  CHECK((*level)["data"]["level"] == "1");
  CHECK(value(after_heal, heals) - value(before_heal, heals) == 1);
  CHECK(value(after_heal, "gitmoor_self_heal_latency_seconds_count") -
            value(before_heal, "gitmoor_self_heal_latency_seconds_count") == 1);
  CHECK(value(after_heal, "gitmoor_self_heal_latency_seconds_sum") >
        value(before_heal, "gitmoor_self_heal_latency_seconds_sum"));
  CHECK(value(after_heal, "gitmoor_self_heal_latency_seconds_bucket{le=\"+Inf\"}") ==
        value(after_heal, "gitmoor_self_heal_latency_seconds_count"));
  CHECK(value(after_heal, sync_series("healer", "Succeeded")) - value(before_heal, sync_series("healer", "Succeeded")) == 1);
  CHECK(value(after_heal, sync_series("manual", "Succeeded")) == value(before_heal, sync_series("manual", "Succeeded")));

  // A failed sync: a ConfigMap whose name is no DNS subdomain is refused by the API server (422).
  env.repo().write("apps/manual/bad.yaml", config_map("Bad_Name", "\"2\""));
  const std::string second = env.repo().commit("manual: a ConfigMap with an invalid name");
  env.wait_app("manual", [&](const Json& a) { return revision(a) == second && sync_status(a) == "OutOfSync"; });
  const auto before_failure = scrape(env);
  REQUIRE(http_request(env.api(), "POST", "/api/v1/applications/manual/sync", "{}").status == 200);
  env.wait_app("manual", [&](const Json& a) { return phase(a) == "Failed"; });
  Scrape after_failure;
  CHECK(eventually([&] {
    after_failure = scrape(env);
    return value(after_failure, sync_series("manual", "Failed")) > value(before_failure, sync_series("manual", "Failed"));
  }));
  CHECK(value(after_failure, sync_series("manual", "Failed")) - value(before_failure, sync_series("manual", "Failed")) == 1);
  CHECK(value(after_failure, sync_series("manual", "Succeeded")) ==
        value(before_failure, sync_series("manual", "Succeeded")));
  CHECK(value(after_failure, sync_series("manual", "Error")) == 0);
  CHECK(sum_of(after_failure, "gitmoor_kube_requests_total", {"verb=\"patch\"", "code=\"422\""}) >
        sum_of(before_failure, "gitmoor_kube_requests_total", {"verb=\"patch\"", "code=\"422\""}));

  // Webhooks: a push reaching the manual app (accepted), a ping (ignored), a wrong signature (rejected), a signed
  // body that is no push payload (error): one count each.
  const auto before_hooks = scrape(env);
  const Json push{{"ref", "refs/heads/main"},
                  {"after", second},
                  {"repository", {{"git_url", repo}, {"default_branch", "main"}}},
                  {"commits", Json::array({Json{{"modified", Json::array({"apps/manual/cm.yaml"})}}})}};
  const auto pushed = deliver(env, "push", push.dump());
  REQUIRE(pushed.status == 200);
  CHECK(pushed.json() == Json{{"refreshed", Json::array({"manual"})}});
  CHECK(deliver(env, "ping", R"({"zen":"Keep it logically awesome."})").status == 200);
  CHECK(deliver(env, "push", push.dump(), "wrong-secret").status == 400);
  CHECK(deliver(env, "push", "not json").status == 400);
  const auto after_hooks = scrape(env);
  const auto hook = [](const std::string& event, const std::string& result) {
    return "gitmoor_webhook_requests_total{event=\"" + event + "\",result=\"" + result + "\"}";
  };
  for (const auto& [event, result] : std::vector<std::pair<std::string, std::string>>{
           {"push", "accepted"}, {"ping", "ignored"}, {"push", "rejected"}, {"push", "error"}}) {
    INFO(event << " " << result);
    CHECK(value(after_hooks, hook(event, result)) - value(before_hooks, hook(event, result)) == 1);
  }
  CHECK(value(after_hooks, hook("push", "ignored")) == value(before_hooks, hook("push", "ignored")));

  // The rest of the families, from all of the above.
  std::string text;
  Scrape last;
  // gitmoor_app_info follows each app's state as the API shows it (the failed app: OutOfSync, its invalid ConfigMap
  // Missing).
  const auto manual_now = env.wait_app("manual", [](const Json& a) { return sync_status(a) == "OutOfSync"; });
  CHECK(health_status(manual_now) == "Missing");
  CHECK(eventually([&] {
    text = scrape_text(env);
    last = parse_exposition(text);
    return value(last, info_series("manual", repo, "manual", "OutOfSync", health_status(env.app("manual")), false)) ==
               1 &&
           value(last, info_series("healer", repo, "healer", "Synced", "Healthy", true)) == 1;
  }));
  CHECK(sum_of(last, "gitmoor_app_info", {}) == 2);  // one series per app
  CHECK(value(last, "gitmoor_git_requests_total{repo=\"" + repo + "\",request_type=\"fetch\"}") >= 2);  // two commits
  CHECK(value(last, "gitmoor_git_requests_total{repo=\"" + repo + "\",request_type=\"ls-remote\"}") >= 2);
  CHECK(value(last, "gitmoor_git_request_duration_seconds_count{repo=\"" + repo + "\",request_type=\"fetch\"}") ==
        value(last, "gitmoor_git_requests_total{repo=\"" + repo + "\",request_type=\"fetch\"}"));
  CHECK(value(last, "gitmoor_render_seconds_count{source_type=\"directory\"}") >= 2);
  CHECK(value(last, "gitmoor_render_cache_hits_total") >= 1);
  CHECK(value(last, "gitmoor_app_reconcile_seconds_count") >= 4);
  CHECK(sum_of(last, "gitmoor_kube_request_duration_seconds_count", {"verb=\"list\""}) >= 1);
  CHECK(sum_of(last, "gitmoor_kube_requests_total", {"verb=\"watch\""}) + sum_of(last, "gitmoor_kube_requests_total", {"verb=\"list\""}) >= 1);
  CHECK(value(last, "gitmoor_leader") == 1);
  CHECK(last.count("gitmoor_workqueue_depth") == 1);
  CHECK(value(last, "process_resident_memory_bytes") > 0);
  CHECK(value(last, "process_open_fds") > 0);
  CHECK(last.count("process_cpu_seconds_total") == 1);
  CHECK(last.count("process_max_fds") == 1);
  CHECK(value(last, "process_start_time_seconds") > 1.5e9);
  for (const auto* family : {"gitmoor_app_info", "gitmoor_app_sync_total", "gitmoor_app_reconcile_seconds",
                             "gitmoor_self_heal_total", "gitmoor_self_heal_latency_seconds", "gitmoor_git_requests_total",
                             "gitmoor_git_request_duration_seconds", "gitmoor_render_seconds",
                             "gitmoor_render_cache_hits_total", "gitmoor_kube_requests_total",
                             "gitmoor_kube_request_duration_seconds", "gitmoor_webhook_requests_total",
                             "gitmoor_leader", "gitmoor_workqueue_depth"}) {
    INFO(family);
    CHECK(text.find(std::string("# HELP ") + family + " ") != std::string::npos);
    CHECK(text.find(std::string("# TYPE ") + family + " ") != std::string::npos);
  }

  const auto verdict = promtool_check_metrics(text);
  INFO(text << "\npromtool: " << verdict.output);
  CHECK(verdict.exit_code == 0);
  CHECK(verdict.output.empty());
}
