// The web UI under load (issue 14), in Debian's chromium driven by playwright-core: the real HTTP server (embedded
// UI, SSE hub, built-in auth) over 1,000 in-memory Applications with 100 status changes per second
// (tests/ui/load_world.cpp), measured by the UI tests' scenario tests/ui/scenarios/load.mjs with more samples:
//   navigation → first tiles, → all counted in the summary; search latency p50/p99 while the changes stream; the
//   longest gaps between animation frames; opening an app from its tile; the page's JS heap.
// Needs node and chromium (scripts/setup.sh). Flags: --apps N (1000), --changes-per-second N (100), --searches N (40).
#include <signal.h>

#include <cstdio>
#include <string>

#include "gitmoor/core/logging.hpp"
#include "load_world.hpp"
#include "ui_runner.hpp"

using namespace gitmoor;

namespace {

int flag(int argc, char** argv, const std::string& name, int fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return std::stoi(argv[i + 1]);
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  core::logger("web")->set_level(spdlog::level::err);  // the fake engine has no revision metadata: warned per request
  core::logger("auth")->set_level(spdlog::level::warn);
  signal(SIGPIPE, SIG_IGN);
  const int apps = flag(argc, argv, "--apps", 1000);
  const int rate = flag(argc, argv, "--changes-per-second", 100);
  const int searches = flag(argc, argv, "--searches", 40);
  try {
    test::LoadServer server(apps, rate);
    test::UiFrontend ui(server.url());
    std::printf("Web UI with %d applications, %d status changes/s streaming (chromium headless, UI embedded in the server)\n",
                apps, rate);
    const long before = server.changes();
    const auto run = test::run_scenarios({"load"}, {{"GITMOOR_UI_URL", ui.url()},
                                                 {"GITMOOR_UI_PASSWORD", server.password()},
                                                 {"GITMOOR_UI_APPS", std::to_string(apps)},
                                                 {"GITMOOR_UI_SEARCHES", std::to_string(searches)},
                                                 // the bench reports; it does not judge
                                                 {"GITMOOR_UI_LOAD_BUDGET_MS", "1000000"}});
    const long changes = server.changes() - before;
    if (run.exit_code != 0) {
      std::fprintf(stderr, "ui bench: the scenario failed (%s):\n%s\n", run.outcome.c_str(), run.output.c_str());
      return 1;
    }
    const auto t = [&](const char* what) {
      const auto it = run.timings.find(what);
      return it == run.timings.end() ? -1.0 : it->second;
    };
    std::printf("  list: first tiles %.0f ms after navigation, all %d counted in the summary after %.0f ms\n",
                t("first-tiles"), apps, t("all-counted"));
    std::printf("  search under load (%d searches): p50 %.0f ms, p99 %.0f ms, max %.0f ms\n", searches, t("search-p50"),
                t("search-p99"), t("search-max"));
    std::printf("  animation frames under load: gap p99 %.1f ms, max %.1f ms\n", t("frame-gap-p99"), t("frame-gap-max"));
    std::printf("  open an app from its tile: %.0f ms to its header\n", t("open-app"));
    std::printf("  page JS heap after the run: %.1f MiB; %ld status changes streamed meanwhile\n",
                t("js-heap-used-kib") / 1024, changes);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ui bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
