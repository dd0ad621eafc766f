// A minimal init for gitmoor as PID 1; why it exists and why it is a fork and not a subreaper: pid1_init.hpp.
#include "pid1_init.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>

namespace gitmoor::cli {
namespace {

bool turned_off() {
  const char* value = std::getenv("GITMOOR_PID1_INIT");
  return value != nullptr && (std::strcmp(value, "0") == 0 || std::strcmp(value, "false") == 0);
}

// The signals a container runtime or a user sends to stop or reload: passed on to gitmoor. SIGKILL and SIGSTOP
// cannot be caught; a kill -9 of PID 1 ends the whole PID namespace anyway.
constexpr int kForwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

// The init loop: only this thread exists in this process, so waitpid(-1) takes nothing from anyone.
int run_init(pid_t child, const sigset_t& awaited) {
  for (;;) {
    int sig = 0;
    if (sigwait(&awaited, &sig) != 0) continue;
    if (sig != SIGCHLD) {
      kill(child, sig);
      continue;
    }
    // One SIGCHLD may stand for several ended processes: reap until none is left.
    for (;;) {
      int status = 0;
      const pid_t pid = waitpid(-1, &status, WNOHANG);
      if (pid == 0 || (pid < 0 && errno == ECHILD)) break;
      if (pid < 0) continue;  // EINTR
      // gitmoor ended: leave. The kernel ends whatever is still running in the PID namespace with its init.
      if (pid == child) return exit_code_of(status);
    }
  }
}

}  // namespace

std::optional<int> run_init_if_pid1() {
  if (getpid() != 1 || turned_off()) return std::nullopt;

  // Blocked before the fork, so no stop signal or child exit can come between fork() and sigwait().
  sigset_t awaited;
  sigemptyset(&awaited);
  sigaddset(&awaited, SIGCHLD);
  for (int sig : kForwarded) sigaddset(&awaited, sig);
  sigset_t previous;
  sigprocmask(SIG_BLOCK, &awaited, &previous);

  const pid_t child = fork();
  if (child < 0) {
    // No init is better than no gitmoor: run without one and say so.
    std::cerr << "gitmoor: as PID 1, could not fork the init (" << std::strerror(errno)
              << "); running without it, so orphaned processes will not be reaped\n";
    sigprocmask(SIG_SETMASK, &previous, nullptr);
    return std::nullopt;
  }
  if (child == 0) {
    sigprocmask(SIG_SETMASK, &previous, nullptr);
    return std::nullopt;
  }
  return run_init(child, awaited);
}

}  // namespace gitmoor::cli
