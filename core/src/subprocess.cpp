#include "gitmoor/core/subprocess.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <string_view>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <system_error>
#include <unistd.h>
#include <utility>

extern char** environ;  // NOLINT: POSIX declares it nowhere in a header

namespace gitmoor::core {
namespace {

using Clock = std::chrono::steady_clock;

// After the group is killed, how long the pipes may still be drained. SIGKILLed processes close them at once; only a
// process that left the group (setsid) can keep them open, and it must not hold the run hostage.
constexpr auto kDrainGrace = std::chrono::seconds(1);
// Without a pidfd (kernels before 5.3), how often to ask whether the child has exited.
constexpr auto kExitPollTick = std::chrono::milliseconds(10);
constexpr auto kMaxPollWait = std::chrono::minutes(1);
constexpr std::size_t kReadChunk = 64u << 10;
constexpr std::string_view kDefaultPath = "/usr/local/bin:/usr/bin:/bin";

std::string errno_text(int error) { return std::generic_category().message(error); }

SubprocessError start_error(const std::string& program, const std::string& why) {
  return SubprocessError("cannot start " + program + ": " + why);
}

// Owns one file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  [[nodiscard]] int get() const { return fd_; }
  [[nodiscard]] bool is_open() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  Fd read;
  Fd write;
};

// A pipe end numbered 0-2 would be clobbered by the child's dup2 calls (and dup2(fd, fd) keeps close-on-exec), which
// can happen when the parent runs with a standard stream closed; such ends are moved above 2.
int above_stdio(int fd) {
  if (fd > 2) return fd;
  const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  ::close(fd);
  return moved;
}

// Close-on-exec from birth (pipe2), so a child that another thread forks at the same moment inherits none of them.
Pipe make_pipe(const std::string& program) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw start_error(program, "pipe: " + errno_text(errno));
  Pipe pipe{Fd(above_stdio(fds[0])), Fd(above_stdio(fds[1]))};
  if (!pipe.read.is_open() || !pipe.write.is_open()) throw start_error(program, "pipe: " + errno_text(errno));
  return pipe;
}

void set_nonblocking(const Fd& fd) {
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags >= 0) ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK);
}

// Everything the child needs, built before fork: after fork the child may only make async-signal-safe calls
// (another thread may have held the allocator's lock), so it must not allocate.
struct LaunchPlan {
  std::vector<std::string> candidates;  // paths to try with execve, in order
  std::vector<char*> argv;
  std::vector<std::string> environment;  // "NAME=value"
  std::vector<char*> envp;
  std::string working_dir;
};

std::map<std::string, std::string> child_environment(const SubprocessOptions& options) {
  std::map<std::string, std::string> env;
  if (options.inherit_environment) {
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
      const std::string_view text(*entry);
      const auto eq = text.find('=');
      if (eq != std::string_view::npos) env.emplace(text.substr(0, eq), text.substr(eq + 1));
    }
  }
  for (const auto& [name, value] : options.environment) env[name] = value;
  return env;
}

// execvp's search order; empty PATH entries (meaning ".") are skipped so the working directory never supplies a tool.
std::vector<std::string> exec_candidates(const std::string& program, std::string_view path_list) {
  if (program.find('/') != std::string::npos) return {program};
  std::vector<std::string> candidates;
  while (true) {
    const auto colon = path_list.find(':');
    const std::string_view dir = path_list.substr(0, colon);
    if (!dir.empty()) candidates.push_back(std::string(dir) + (dir.back() == '/' ? "" : "/") + program);
    if (colon == std::string_view::npos) break;
    path_list.remove_prefix(colon + 1);
  }
  return candidates;
}

std::string lookup_path(const std::map<std::string, std::string>& env) {
  if (auto it = env.find("PATH"); it != env.end()) return it->second;
  if (const char* parent = std::getenv("PATH"); parent != nullptr) return parent;
  return std::string(kDefaultPath);
}

LaunchPlan make_plan(const std::vector<std::string>& argv, const SubprocessOptions& options) {
  LaunchPlan plan;
  const auto env = child_environment(options);
  plan.candidates = exec_candidates(argv.front(), lookup_path(env));
  for (const auto& arg : argv) plan.argv.push_back(const_cast<char*>(arg.c_str()));  // execve does not write
  plan.argv.push_back(nullptr);
  for (const auto& [name, value] : env) plan.environment.push_back(name + "=" + value);
  for (auto& entry : plan.environment) plan.envp.push_back(entry.data());
  plan.envp.push_back(nullptr);
  plan.working_dir = options.working_dir.string();
  return plan;
}

// What the child reports on the error pipe when it cannot exec; the pipe closes on a successful exec, so the parent
// reads either this or end-of-file, never a guess.
enum class StartStage : int { redirect = 1, chdir = 2, exec = 3 };
struct StartFailure {
  StartStage stage;
  int error;
};

[[noreturn]] void report_and_exit(int report_fd, StartStage stage, int error) noexcept {
  const StartFailure failure{stage, error};
  while (::write(report_fd, &failure, sizeof failure) < 0 && errno == EINTR) {
  }
  ::_exit(127);
}

// Runs in the forked child: async-signal-safe calls only.
[[noreturn]] void exec_child(const LaunchPlan& plan, int stdin_fd, int stdout_fd, int stderr_fd,
                             int report_fd) noexcept {
  ::setpgid(0, 0);  // its own group, so a timeout can kill it together with everything it started
  // helm and kubectl get a clean slate: the parent's ignored signals (SIG_IGN survives exec) and blocked signals
  // (the mask survives exec, and the parent blocked everything around fork) must not reach them.
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &default_action, nullptr);
  }
  sigset_t none;
  ::sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);

  if (::dup2(stdin_fd, 0) < 0 || ::dup2(stdout_fd, 1) < 0 || ::dup2(stderr_fd, 2) < 0) {
    report_and_exit(report_fd, StartStage::redirect, errno);
  }
  if (!plan.working_dir.empty() && ::chdir(plan.working_dir.c_str()) != 0) {
    report_and_exit(report_fd, StartStage::chdir, errno);
  }
  int error = ENOENT;
  bool denied = false;
  for (const auto& candidate : plan.candidates) {
    ::execve(candidate.c_str(), plan.argv.data(), plan.envp.data());
    // Like execvp: keep searching past entries that are missing or not permitted; any other error is the answer.
    if (errno == EACCES) {
      denied = true;
    } else if (errno != ENOENT && errno != ENOTDIR) {
      error = errno;
      break;
    }
  }
  report_and_exit(report_fd, StartStage::exec, denied ? EACCES : error);
}

// The calling thread's signal mask during a run. Every signal is blocked across fork, so no handler of the parent
// runs in the child before the child resets it. Afterwards only SIGPIPE stays blocked: writing stdin to a child that
// closed it then fails with EPIPE instead of killing the process, without touching process-wide dispositions that
// other threads rely on. The SIGPIPE that EPIPE leaves pending on this thread is consumed before the mask is restored.
class SignalMaskGuard {
 public:
  SignalMaskGuard() {
    sigset_t all;
    ::sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &saved_);
    sigset_t pending;
    sigpipe_was_pending_ = ::sigpending(&pending) == 0 && ::sigismember(&pending, SIGPIPE) == 1;
  }
  SignalMaskGuard(const SignalMaskGuard&) = delete;
  SignalMaskGuard& operator=(const SignalMaskGuard&) = delete;
  ~SignalMaskGuard() {
    if (caused_sigpipe_ && !sigpipe_was_pending_) {
      sigset_t sigpipe;
      ::sigemptyset(&sigpipe);
      ::sigaddset(&sigpipe, SIGPIPE);
      const timespec no_wait{0, 0};
      ::sigtimedwait(&sigpipe, nullptr, &no_wait);
    }
    ::pthread_sigmask(SIG_SETMASK, &saved_, nullptr);
  }

  void after_fork() {
    sigset_t mask = saved_;
    ::sigaddset(&mask, SIGPIPE);
    ::pthread_sigmask(SIG_SETMASK, &mask, nullptr);
  }
  void note_epipe() { caused_sigpipe_ = true; }

 private:
  sigset_t saved_{};
  bool sigpipe_was_pending_ = false;
  bool caused_sigpipe_ = false;
};

std::optional<StartFailure> read_start_failure(const Fd& report) {
  StartFailure failure{};
  auto* bytes = reinterpret_cast<char*>(&failure);
  std::size_t got = 0;
  while (got < sizeof failure) {
    const ssize_t n = ::read(report.get(), bytes + got, sizeof failure - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  if (got < sizeof failure) return std::nullopt;  // end-of-file: exec succeeded
  return failure;
}

std::string describe_start_failure(const LaunchPlan& plan, const std::string& program, StartFailure failure) {
  switch (failure.stage) {
    case StartStage::redirect: return "redirecting its standard streams: " + errno_text(failure.error);
    case StartStage::chdir: return "working directory " + plan.working_dir + ": " + errno_text(failure.error);
    case StartStage::exec: break;
  }
  if (failure.error == ENOENT && program.find('/') == std::string::npos) return "not found in PATH";
  return errno_text(failure.error);
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;  // ECHILD: the process set SIGCHLD to SIG_IGN and the kernel reaped it
  }
  return status;
}

// A pidfd turns "the child exited" into a poll event; -1 (old kernel) falls back to asking every kExitPollTick.
Fd open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  return Fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));  // close-on-exec by definition
#else
  (void)pid;
  return Fd();
#endif
}

// One started child: feeds stdin, captures stdout and stderr, enforces the timeout and the caps, and reaps.
class ChildRun {
 public:
  ChildRun(pid_t pid, Pipe& in, Pipe& out, Pipe& err, const SubprocessOptions& options, SignalMaskGuard& signals)
      : pid_(pid),
        pidfd_(open_pidfd(pid)),
        stdin_(std::move(in.write)),
        stdout_(std::move(out.read)),
        stderr_(std::move(err.read)),
        options_(options),
        signals_(signals),
        deadline_(Clock::now() + options.timeout) {
    set_nonblocking(stdin_);
    set_nonblocking(stdout_);
    set_nonblocking(stderr_);
    if (options_.stdin_data.empty()) stdin_.reset();  // the child sees end-of-file at once
  }

  ChildRun(const ChildRun&) = delete;
  ChildRun& operator=(const ChildRun&) = delete;
  // Only when run() threw (bad_alloc): the child must not outlive the call or stay a zombie.
  ~ChildRun() {
    if (reaped_) return;
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
    wait_for(pid_);
  }

  SubprocessResult run() {
    while (!finished()) {
      if (!stopping_ && Clock::now() >= deadline_) {
        result_.timed_out = true;
        stop_group();
        continue;
      }
      wait_and_service();
      if (!exited_ && child_has_exited()) {
        exited_ = true;
        stop_group();  // the run ends with the direct child; nothing it left behind may outlive it
      }
    }
    stdin_.reset();
    stdout_.reset();
    stderr_.reset();
    record_status(wait_for(pid_));
    reaped_ = true;
    return std::move(result_);
  }

 private:
  [[nodiscard]] bool finished() const {
    // Past the drain window the pipes are abandoned; if the killed child has not exited yet, the reap waits for it.
    if (drain_deadline_ && Clock::now() >= *drain_deadline_) return true;
    return exited_ && !stdin_.is_open() && !stdout_.is_open() && !stderr_.is_open();
  }

  // SIGKILL to the group and, in case the child left it, to the child. The child is not reaped yet, so its pid (and
  // with it the group id) cannot have been reused by an unrelated process.
  void stop_group() {
    if (stopping_) return;
    stopping_ = true;
    ::kill(-pid_, SIGKILL);
    if (!exited_) ::kill(pid_, SIGKILL);
    drain_deadline_ = Clock::now() + kDrainGrace;
  }

  [[nodiscard]] int poll_timeout_ms() const {
    std::optional<Clock::time_point> until;
    if (!stopping_) until = deadline_;
    if (drain_deadline_) until = until ? std::min(*until, *drain_deadline_) : *drain_deadline_;
    Clock::duration wait = kMaxPollWait;  // bounded so a huge timeout cannot overflow poll's int
    if (until) wait = std::clamp<Clock::duration>(*until - Clock::now(), Clock::duration::zero(), kMaxPollWait);
    if (!exited_ && !pidfd_.is_open()) wait = std::min<Clock::duration>(wait, kExitPollTick);
    // Round up so the loop does not spin on a deadline that is less than a millisecond away.
    return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(wait).count());
  }

  void wait_and_service() {
    pollfd fds[4];
    nfds_t count = 0;
    auto watch = [&](const Fd& fd, short events) -> pollfd* {
      if (!fd.is_open()) return nullptr;
      fds[count] = pollfd{fd.get(), events, 0};
      return &fds[count++];
    };
    const pollfd* in = watch(stdin_, POLLOUT);
    const pollfd* out = watch(stdout_, POLLIN);
    const pollfd* err = watch(stderr_, POLLIN);
    const pollfd* exit_event = exited_ ? nullptr : watch(pidfd_, POLLIN);
    if (::poll(fds, count, poll_timeout_ms()) < 0) return;  // EINTR: the loop re-checks its deadlines
    if (in != nullptr && in->revents != 0) write_stdin();
    if (out != nullptr && out->revents != 0) read_into(stdout_, &ChildRun::take_stdout);
    if (err != nullptr && err->revents != 0) read_into(stderr_, &ChildRun::take_stderr);
    exit_signalled_ = exit_event != nullptr && exit_event->revents != 0;
  }

  [[nodiscard]] bool child_has_exited() const {
    if (pidfd_.is_open() && !exit_signalled_) return false;
    siginfo_t info{};
    // WNOWAIT leaves the child a zombie: its pid stays reserved until the group has been killed.
    if (::waitid(P_PID, static_cast<id_t>(pid_), &info, WEXITED | WNOHANG | WNOWAIT) != 0) return errno == ECHILD;
    return info.si_pid == pid_;
  }

  void write_stdin() {
    const std::string& data = options_.stdin_data;
    const ssize_t n = ::write(stdin_.get(), data.data() + stdin_written_, data.size() - stdin_written_);
    if (n > 0) {
      stdin_written_ += static_cast<std::size_t>(n);
      if (stdin_written_ == data.size()) stdin_.reset();
      return;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (n < 0 && errno == EPIPE) signals_.note_epipe();  // the child stopped reading: the rest is dropped
    stdin_.reset();
  }

  void read_into(Fd& fd, void (ChildRun::*take)(std::string_view)) {
    const ssize_t n = ::read(fd.get(), buffer_.data(), buffer_.size());
    if (n > 0) {
      (this->*take)(std::string_view(buffer_.data(), static_cast<std::size_t>(n)));
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      fd.reset();
    }
  }

  // Past the cap the output is useless and may be unbounded (a runaway render), so the group is killed.
  void take_stdout(std::string_view chunk) {
    const std::size_t room = options_.max_stdout - result_.stdout_data.size();
    result_.stdout_data.append(chunk.substr(0, room));
    if (chunk.size() > room) {
      result_.stdout_truncated = true;
      stdout_.reset();
      stop_group();
    }
  }

  // stderr is diagnostics: keep the beginning, drop the rest, let the child finish.
  void take_stderr(std::string_view chunk) {
    const std::size_t room = options_.max_stderr - result_.stderr_data.size();
    result_.stderr_data.append(chunk.substr(0, room));
    if (chunk.size() > room) result_.stderr_truncated = true;
  }

  void record_status(int status) {
    if (status < 0) return;
    if (WIFEXITED(status)) result_.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result_.signal = WTERMSIG(status);
  }

  pid_t pid_;
  Fd pidfd_;
  Fd stdin_;
  Fd stdout_;
  Fd stderr_;
  const SubprocessOptions& options_;
  SignalMaskGuard& signals_;
  Clock::time_point deadline_;
  std::optional<Clock::time_point> drain_deadline_;
  std::size_t stdin_written_ = 0;
  bool stopping_ = false;
  bool exited_ = false;
  bool exit_signalled_ = false;
  bool reaped_ = false;
  std::string buffer_ = std::string(kReadChunk, '\0');
  SubprocessResult result_;
};

std::string describe_duration(std::chrono::milliseconds duration) {
  const auto ms = duration.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string describe_size(std::size_t bytes) {
  if (bytes != 0 && bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes != 0 && bytes % (1u << 10) == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

}  // namespace

std::string SubprocessResult::describe_outcome() const {
  if (timed_out) return "timed out after " + describe_duration(timeout);
  if (stdout_truncated) return "output exceeded " + describe_size(max_stdout);
  if (signal) return "killed by signal " + std::to_string(*signal);
  return "exited with status " + std::to_string(exit_code);
}

SubprocessResult run_subprocess(const std::vector<std::string>& argv, const SubprocessOptions& options) {
  if (argv.empty() || argv.front().empty()) throw SubprocessError("cannot start a child process: empty argv");
  const std::string& program = argv.front();
  const auto start = Clock::now();
  const LaunchPlan plan = make_plan(argv, options);
  Pipe in = make_pipe(program);
  Pipe out = make_pipe(program);
  Pipe err = make_pipe(program);
  Pipe report = make_pipe(program);

  SignalMaskGuard signals;
  const pid_t pid = ::fork();
  if (pid == 0) exec_child(plan, in.read.get(), out.write.get(), err.write.get(), report.write.get());
  const int fork_error = errno;
  signals.after_fork();
  if (pid < 0) throw start_error(program, "fork: " + errno_text(fork_error));
  ::setpgid(pid, pid);  // as the child does: whichever runs first, the group exists before anyone signals it

  in.read.reset();
  out.write.reset();
  err.write.reset();
  report.write.reset();
  if (auto failure = read_start_failure(report.read)) {
    wait_for(pid);
    throw start_error(program, describe_start_failure(plan, program, *failure));
  }

  ChildRun child(pid, in, out, err, options, signals);
  SubprocessResult result = child.run();
  result.timeout = options.timeout;
  result.max_stdout = options.max_stdout;
  result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return result;
}

}  // namespace gitmoor::core
