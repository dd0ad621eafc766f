#pragma once
// Running the browser scenarios (tests/ui/scenarios/*.mjs) from C++: the UI tests and bench/ui_bench.cpp set up a
// world (a real `gitmoor serve`, or an in-process HttpServer over 1,000 fake Applications), then run a Node script
// that drives Debian's chromium through playwright-core. No Catch2 here, so the bench links it too.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace gitmoor::test {

struct ScenarioRun {
  int exit_code = -1;
  std::string output;  // stdout, then stderr
  std::string outcome;  // "exited with status 0", "timed out after ...": for messages
  std::map<std::string, double> timings;  // the `timing <what> <ms>` lines
};

// Runs `node tests/ui/scenarios/run.mjs <names...>` (node from PATH, argv, no shell): the scenarios one after the
// other in one browser, with these variables added to the environment (GITMOOR_UI_SCREENSHOTS defaulting to
// screenshot_dir()).
ScenarioRun run_scenarios(const std::vector<std::string>& names, std::map<std::string, std::string> environment,
                          std::chrono::seconds timeout = std::chrono::seconds(240));

// <build>/ui-screenshots: where the scenarios write their PNGs.
std::filesystem::path screenshot_dir();

// The UI a gitmoor server embeds, at `api_url`. Throws when GET / does not answer the UI's index.html with its
// /assets/ links: the browser tests run against the UI the binary serves, never a stand-in.
class UiFrontend {
 public:
  explicit UiFrontend(const std::string& api_url);
  [[nodiscard]] const std::string& url() const { return url_; }

 private:
  std::string url_;
};

// GET `target` from http://host:port (HTTP/1.0, loopback): the status and the body; status 0 when unreachable.
std::pair<int, std::string> http_get(const std::string& url, const std::string& target);

}  // namespace gitmoor::test
