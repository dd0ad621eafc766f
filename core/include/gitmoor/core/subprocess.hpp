#pragma once
// Running helm and kubectl (DESIGN.md decision 8): an argv (never a shell), a timeout that kills the whole
// process group, and caps on captured output so a runaway child cannot exhaust memory.
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gitmoor/core/error.hpp"

namespace gitmoor::core {

struct SubprocessOptions {
  std::filesystem::path working_dir;  // empty: the parent's
  // Environment of the child. When inherit_environment is true, these are added to (or override) the parent's.
  std::map<std::string, std::string> environment;
  bool inherit_environment = true;
  std::string stdin_data;  // written to the child's stdin, which is then closed
  std::chrono::milliseconds timeout{std::chrono::seconds(90)};
  std::size_t max_stdout = 64u << 20;  // bytes kept; beyond this the child is killed and stdout_truncated set
  std::size_t max_stderr = 1u << 20;   // bytes kept; beyond this the rest is dropped (the child keeps running)
};

struct SubprocessResult {
  std::string stdout_data;
  std::string stderr_data;
  int exit_code = -1;          // when exited normally
  std::optional<int> signal;   // when killed by a signal
  bool timed_out = false;      // killed because the timeout passed
  bool stdout_truncated = false;  // killed because stdout passed max_stdout
  bool stderr_truncated = false;
  std::chrono::milliseconds elapsed{0};

  [[nodiscard]] bool ok() const { return !timed_out && !stdout_truncated && !signal && exit_code == 0; }
  // One line for a message: "exited with status 1", "killed by signal 9", "timed out after 90s", ...
  [[nodiscard]] std::string describe_outcome() const;
};

// The program could not be started at all (not found, not executable). Failures of a started child are results.
class SubprocessError : public EnvironmentError {
 public:
  using EnvironmentError::EnvironmentError;
};

// Runs argv[0] (looked up in PATH when it has no slash) with argv. Blocks until the child and every process in its
// group have ended, the timeout passes, or stdout passes its cap; in the last two cases the whole group is killed.
SubprocessResult run_subprocess(const std::vector<std::string>& argv, const SubprocessOptions& options = {});

}  // namespace gitmoor::core
