#pragma once
// Turns a path of a checked-out tree into the desired objects, with the renderer its contents call for.
#include "gitmoor/renderer/errors.hpp"
#include "gitmoor/renderer/render_options.hpp"

namespace gitmoor::renderer {

// Resolves the app path inside the repository (PathEscapesRepository, RenderError when missing), picks the source
// type and runs its renderer. Throws RenderError (and subclasses) for bad inputs and breached limits;
// core::EnvironmentError when helm or kubectl cannot be started.
[[nodiscard]] RenderResult render(const RenderRequest& request);

// How many helm / kubectl runs this process has made: tests and benchmarks prove the cache spares them.
[[nodiscard]] std::size_t tool_runs();

}  // namespace gitmoor::renderer
