#pragma once
// gitmoor as PID 1 (the container's entrypoint): a minimal init in front of the real process.
//
// Why: helm (and the plugins or credential helpers it may start) can leave grandchildren that outlive it. The kernel
// re-parents such orphans to PID 1, and only PID 1 can reap them; a gitmoor that is PID 1 and never reaps would
// collect one zombie per orphan until the PID limit stops all spawning. gitmoor cannot simply call waitpid(-1) in
// its own process: it is multithreaded and its subprocess code waits for the exact pid of each helm/kubectl it
// starts, so a waitpid(-1) there would steal those exit statuses.
//
// So, when getpid() == 1, main() forks first, before any thread exists: the parent stays PID 1 as this init (it
// forwards stop signals to the child, reaps every process that ends, and exits with the child's status); the child
// runs gitmoor as usual. This is an init (as tini or docker --init do), not PR_SET_CHILD_SUBREAPER: a subreaper
// would make gitmoor itself the parent of the orphans and bring back the waitpid(-1) problem above.
//
// GITMOOR_PID1_INIT=0 turns it off (gitmoor then runs as PID 1 itself; the zombie test shows what that leads to).
#include <optional>

namespace gitmoor::cli {

// Outside PID 1, or when turned off: returns nullopt at once, and the caller goes on as gitmoor. As PID 1: forks;
// in the child returns nullopt (go on as gitmoor); in the parent runs the init until the child ends and returns the
// exit code for main() to return (the child's code, or 128 + the signal that ended it).
std::optional<int> run_init_if_pid1();

}  // namespace gitmoor::cli
