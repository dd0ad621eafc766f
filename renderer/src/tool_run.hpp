#pragma once
// One run of helm or kubectl under the render limits, counted, with failures turned into RenderErrors that carry
// the tool's own message (shortened when it is long).
#include <string>
#include <vector>

#include "gitmoor/core/subprocess.hpp"
#include "gitmoor/renderer/render_options.hpp"

namespace gitmoor::renderer {

// Runs argv; returns stdout when the tool succeeded. `subject` names the render (`helm template helm/tetris`).
std::string run_tool(const std::vector<std::string>& argv, const std::string& subject, const RenderLimits& limits,
                     const core::SubprocessOptions& base = {});

// At most `max_bytes` of `text`, cut at a line end when possible, with a note of how much was left out.
std::string shorten(const std::string& text, std::size_t max_bytes = 4096);

void count_tool_run();

}  // namespace gitmoor::renderer
