// Sandbox throughput: server-side applies per second and latency percentiles from 8 concurrent keep-alive clients
// over loopback, plus resident memory per 10,000 stored ConfigMaps. Target: >= 3,000 applies/s on 2 cores.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "gitmoor/sandbox/sandbox.hpp"
#include "raw_http.hpp"

using Clock = std::chrono::steady_clock;
using gitmoor::test::RawConnection;

namespace {

long rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

std::string configmap(const std::string& name, int version) {
  nlohmann::json cm{{"apiVersion", "v1"},
                    {"kind", "ConfigMap"},
                    {"metadata", {{"name", name}, {"labels", {{"app", "bench"}, {"gitmoor.dev/app", "bench"}}},
                                  {"annotations", {{"gitmoor.dev/tracking-id", "bench:/ConfigMap:default/" + name}}}}},
                    {"data", {{"version", std::to_string(version)}, {"payload", std::string(200, 'x')}}}};
  return cm.dump();
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

}  // namespace

int main() {
  gitmoor::sandbox::SandboxOptions options;
  options.controllers = false;
  auto sandbox = gitmoor::sandbox::Sandbox::start(options);
  const int kClients = 8;
  const int kPerClient = 1500;
  const int kObjectsPerClient = 50;

  // Warm up: create the objects.
  {
    RawConnection c(sandbox->port());
    for (int t = 0; t < kClients; ++t) {
      for (int i = 0; i < kObjectsPerClient; ++i) {
        std::string name = "cm-" + std::to_string(t) + "-" + std::to_string(i);
        c.request("PATCH", "/api/v1/namespaces/default/configmaps/" + name + "?fieldManager=gitmoor&force=true",
                  configmap(name, 0), "application/apply-patch+yaml");
      }
    }
  }

  std::vector<std::vector<double>> latencies(kClients);
  std::atomic<int> failures{0};
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int t = 0; t < kClients; ++t) {
    threads.emplace_back([&, t] {
      RawConnection c(sandbox->port());
      latencies[t].reserve(kPerClient);
      for (int i = 0; i < kPerClient; ++i) {
        std::string name = "cm-" + std::to_string(t) + "-" + std::to_string(i % kObjectsPerClient);
        auto begin = Clock::now();
        int status = c.request("PATCH",
                               "/api/v1/namespaces/default/configmaps/" + name + "?fieldManager=gitmoor&force=true",
                               configmap(name, i + 1), "application/apply-patch+yaml");
        latencies[t].push_back(std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
        if (status != 200) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  double applies = static_cast<double>(all.size());
  std::printf("sandbox server-side apply: %d clients x %d applies (changing ConfigMaps, keep-alive, loopback)\n",
              kClients, kPerClient);
  std::printf("  throughput      %.0f applies/s  (target >= 3000)\n", applies / seconds);
  std::printf("  latency p50     %.2f ms\n", percentile(all, 0.50));
  std::printf("  latency p99     %.2f ms\n", percentile(all, 0.99));
  std::printf("  failures        %d\n", failures.load());

  // Memory per 10,000 stored ConfigMaps, created in-process (no socket buffers in the figure).
  sandbox->stop();
  sandbox.reset();
  gitmoor::sandbox::ApiOptions api_options;
  api_options.controllers = false;
  gitmoor::sandbox::ApiServer api(api_options);
  long before = rss_kib();
  for (int i = 0; i < 10000; ++i) {
    gitmoor::sandbox::Request r;
    r.method = "PATCH";
    r.target = "/api/v1/namespaces/default/configmaps/mem-" + std::to_string(i) + "?fieldManager=gitmoor";
    r.headers["content-type"] = "application/apply-patch+yaml";
    r.body = configmap("mem-" + std::to_string(i), 1);
    api.handle(r);
  }
  long after = rss_kib();
  std::printf("memory: 10,000 ConfigMaps (~450 bytes of JSON each, with managedFields) add %.1f MiB RSS, "
              "%.0f bytes per object (event history of 10,000 included)\n",
              static_cast<double>(after - before) / 1024.0, static_cast<double>(after - before) * 1024.0 / 10000.0);
  return failures.load() == 0 ? 0 : 1;
}
