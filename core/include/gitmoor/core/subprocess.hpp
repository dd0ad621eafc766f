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
  int exit_code = -1;          // when exited normally; -1 otherwise
  std::optional<int> signal;   // when killed by a signal (SIGKILL after a timeout or the stdout cap)
  bool timed_out = false;      // killed because the timeout passed
  bool stdout_truncated = false;  // killed because stdout passed max_stdout
  bool stderr_truncated = false;
  std::chrono::milliseconds elapsed{0};      // monotonic clock, from before the fork until the child was reaped
  std::chrono::milliseconds timeout{0};      // the limits that applied, so describe_outcome can name them
  std::size_t max_stdout = 0;

  [[nodiscard]] bool ok() const { return !timed_out && !stdout_truncated && !signal && exit_code == 0; }
  // One line for a message: "exited with status 1", "killed by signal 9", "timed out after 90s", ...
  [[nodiscard]] std::string describe_outcome() const;
};

// The program could not be started at all (not found, not executable, bad working directory); the message names the
// program (and the directory). Failures of a started child are results.
class SubprocessError : public EnvironmentError {
 public:
  using EnvironmentError::EnvironmentError;
};

// Runs argv[0] with argv, never through a shell. argv[0] without a slash is looked up like execvp does, in the PATH of
// the child's environment (the parent's PATH when the child's has none); empty PATH entries are skipped.
//
// The child runs in its own process group with default signal dispositions and an empty signal mask. The run ends
// when the direct child exits, the timeout passes, or stdout passes its cap. In every case the rest of the group is
// then sent SIGKILL (no SIGTERM and no grace: helm and kubectl render, they hold nothing worth a clean shutdown, and a
// hung child may ignore SIGTERM), so no grandchild outlives the run; the pipes are drained for at most a second
// more, which bounds the wait when a process that left the group (setsid) still holds them. The child is always
// reaped, also when this function throws.
//
// Thread-safe: no global state is changed; every descriptor is close-on-exec, so children that other threads start
// meanwhile inherit none of this run's pipes. SIGPIPE is blocked in the calling thread only, for the duration of the
// call, so a child that stops reading its stdin cannot kill the parent (the rest of stdin_data is dropped). The
// parent's environment is read when inherit_environment is set: as with getenv, do not setenv concurrently.
SubprocessResult run_subprocess(const std::vector<std::string>& argv, const SubprocessOptions& options = {});

}  // namespace gitmoor::core
