#include "tool_run.hpp"

#include <atomic>

#include "gitmoor/renderer/errors.hpp"
#include "gitmoor/renderer/render.hpp"

namespace gitmoor::renderer {

namespace {
std::atomic<std::size_t> g_tool_runs{0};

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  return s;
}
}  // namespace

std::size_t tool_runs() { return g_tool_runs.load(); }
void count_tool_run() { ++g_tool_runs; }

std::string shorten(const std::string& text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  std::size_t cut = text.rfind('\n', max_bytes);
  if (cut == std::string::npos || cut < max_bytes / 2) cut = max_bytes;
  return text.substr(0, cut) + "\n... (" + std::to_string(text.size() - cut) + " more bytes not shown)";
}

std::string run_tool(const std::vector<std::string>& argv, const std::string& subject, const RenderLimits& limits,
                     const core::SubprocessOptions& base) {
  core::SubprocessOptions options = base;
  options.timeout = limits.timeout;
  options.max_stdout = limits.max_output_bytes;
  options.max_stderr = 256u << 10;
  count_tool_run();
  const core::SubprocessResult result = core::run_subprocess(argv, options);
  if (result.timed_out) {
    throw RenderLimitExceeded(subject + ": " + result.describe_outcome() + " (render timeout " +
                              std::to_string(limits.timeout.count()) + " ms)");
  }
  if (result.stdout_truncated) {
    throw RenderLimitExceeded(subject + ": output exceeds the cap of " + std::to_string(limits.max_output_bytes) +
                              " bytes");
  }
  if (!result.ok()) {
    std::string message = trim(result.stderr_data);
    if (message.empty()) message = trim(result.stdout_data);
    throw RenderError(subject + " failed (" + result.describe_outcome() + "): " + shorten(message));
  }
  return result.stdout_data;
}

}  // namespace gitmoor::renderer
