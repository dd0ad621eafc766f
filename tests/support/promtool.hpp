#pragma once
// `promtool check metrics` (Debian's prometheus package, installed by scripts/setup.sh) over an exposition text.
// A missing promtool fails the test that needs it, saying so: the check is part of the acceptance, never skipped.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>

#include "gitmoor/core/subprocess.hpp"

namespace gitmoor::test {

inline std::filesystem::path promtool_path() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (!dir.empty() && std::filesystem::exists(std::filesystem::path(dir) / "promtool")) {
      return std::filesystem::path(dir) / "promtool";
    }
  }
  return {};
}

// What promtool says about `exposition` (its exit status and output), for REQUIRE and INFO.
struct PromtoolVerdict {
  int exit_code = -1;
  std::string output;
};

inline PromtoolVerdict promtool_check_metrics(const std::string& exposition) {
  const auto promtool = promtool_path();
  if (promtool.empty()) {
    FAIL("promtool is not installed: run scripts/setup.sh (apt package prometheus) to check /metrics against it");
  }
  core::SubprocessOptions options;
  options.stdin_data = exposition;
  options.timeout = std::chrono::seconds(60);
  const auto result = core::run_subprocess({promtool.string(), "check", "metrics"}, options);
  return {result.exit_code, result.stdout_data + result.stderr_data};
}

}  // namespace gitmoor::test
