#pragma once
// What a simulated container's process exits with. The sandbox runs no processes, so a container that runs to
// completion (a Job's Pod) reads its exit code from its command line: tests and hooks that need a failing Pod write
// the same `sh -c "... exit 1"` or `false` they would write for a cluster.
#include <nlohmann/json.hpp>

namespace gitmoor::sandbox {

// The exit code of a container spec (its command followed by its args):
// - `false` (or a path ending in /false) alone → 1;
// - the last argument ending in `exit N` (a shell script such as `echo hi; exit 3`) → N modulo 256;
// - anything else → 0.
int container_exit_code(const nlohmann::json& container);

}  // namespace gitmoor::sandbox
