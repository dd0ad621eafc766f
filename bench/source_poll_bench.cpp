// Cost of polling 1,000 Applications on one monorepo served by `git daemon`: the first poll (clone, renders) and
// then unchanged polls, which should cost one remote check, no fetch and no helm run. Prints figures; asserts nothing.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "../tests/engine/git_fixtures.hpp"
#include "gitmoor/engine/manifest_poller.hpp"

using namespace gitmoor;
using namespace std::chrono;

namespace {

double cpu_ms() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto ms = [](const timeval& t) { return t.tv_sec * 1000.0 + t.tv_usec / 1000.0; };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

std::string app_name(int i) {
  char name[16];
  std::snprintf(name, sizeof name, "app-%04d", i);
  return name;
}

}  // namespace

int main(int argc, char** argv) {
  const int apps_count = argc > 1 ? std::atoi(argv[1]) : 1000;
  const int helm_every = 20;  // every 20th app is a Helm chart, the others directories of manifests
  const int polls = 10;

  test::ScratchDir dir;
  test::GitRemote remote(dir.path() / "served", "monorepo.git");
  for (int i = 0; i < apps_count; ++i) {
    const std::string path = "apps/" + app_name(i) + "/";
    if (i % helm_every == 0) {
      remote.write(path + "Chart.yaml", "apiVersion: v2\nname: " + app_name(i) + "\nversion: 0.1.0\n");
      remote.write(path + "values.yaml", "tag: v1\n");
      remote.write(path + "templates/cm.yaml",
                   "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n"
                   "  tag: {{ .Values.tag | quote }}\n");
    } else {
      remote.write(path + "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + app_name(i) + "\n");
    }
  }
  remote.commit("monorepo");
  test::GitDaemon daemon(dir.path() / "served");

  engine::GitSource source({.cache_dir = dir.path() / "cache"});
  renderer::RenderCache cache;
  engine::ManifestPoller poller(source, cache);
  std::vector<engine::AppSource> apps;
  for (int i = 0; i < apps_count; ++i) {
    apps.push_back({.app = app_name(i),
                    .repository = {.url = daemon.url("monorepo.git"), .credentials = {}},
                    .target_revision = "main",
                    .path = "apps/" + app_name(i),
                    .render = {.helm = {.release_name = app_name(i), .ns = "game"}}});
  }

  auto wall0 = steady_clock::now();
  double cpu0 = cpu_ms();
  auto runs0 = renderer::tool_runs();
  auto results = poller.poll(apps);
  const auto failed = std::count_if(results.begin(), results.end(), [](const auto& r) { return !r.ok(); });
  std::printf("first poll of %d apps (%d helm): %.0f ms wall, %.0f ms CPU, %zu helm runs, %zu fetches, %ld failed\n",
              apps_count, (apps_count + helm_every - 1) / helm_every,
              duration<double, std::milli>(steady_clock::now() - wall0).count(), cpu_ms() - cpu0,
              renderer::tool_runs() - runs0, source.counters().fetches, static_cast<long>(failed));

  std::vector<double> cpu, wall;
  const auto checks0 = source.counters().remote_checks;
  const auto fetches0 = source.counters().fetches;
  const auto connections0 = daemon.connections();
  runs0 = renderer::tool_runs();
  for (int p = 0; p < polls; ++p) {
    wall0 = steady_clock::now();
    cpu0 = cpu_ms();
    results = poller.poll(apps);
    cpu.push_back(cpu_ms() - cpu0);
    wall.push_back(duration<double, std::milli>(steady_clock::now() - wall0).count());
  }
  std::sort(cpu.begin(), cpu.end());
  std::sort(wall.begin(), wall.end());
  std::printf("unchanged poll of %d apps (median of %d): %.2f ms CPU, %.2f ms wall; per poll: %.1f remote checks, "
              "%.1f fetches, %.1f daemon connections, %.1f helm runs (target: 1 check, 0 helm runs, < 50 ms CPU)\n",
              apps_count, polls, cpu[polls / 2], wall[polls / 2],
              double(source.counters().remote_checks - checks0) / polls,
              double(source.counters().fetches - fetches0) / polls, double(daemon.connections() - connections0) / polls,
              double(renderer::tool_runs() - runs0) / polls);
  return 0;
}
