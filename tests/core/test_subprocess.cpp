// The subprocess runner against real children. /bin/sh, cat, sleep and friends are the children here; the runner
// itself never goes through a shell. Bounds on elapsed time are generous correctness checks (a killed child returns
// long before its own sleep would end), not benchmarks.
#include <atomic>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <catch2/catch.hpp>

#include "gitmoor/core/subprocess.hpp"

using gitmoor::core::run_subprocess;
using gitmoor::core::SubprocessError;
using gitmoor::core::SubprocessOptions;
using namespace std::chrono_literals;

namespace {

// Dead means gone, or a zombie waiting for init (or a subreaper) to reap it.
bool process_is_dead(pid_t pid) {
  if (::kill(pid, 0) == -1 && errno == ESRCH) return true;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return true;
  const auto close_paren = line.rfind(')');
  return close_paren != std::string::npos && close_paren + 2 < line.size() &&
         (line[close_paren + 2] == 'Z' || line[close_paren + 2] == 'X');
}

bool becomes_dead(pid_t pid) {
  for (int i = 0; i < 200; ++i) {  // up to 10 s on a loaded machine
    if (process_is_dead(pid)) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

pid_t first_line_pid(const std::string& stdout_data) {
  return static_cast<pid_t>(std::stol(stdout_data.substr(0, stdout_data.find('\n'))));
}

std::filesystem::path make_temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("gitmoor-subprocess-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::size_t open_fd_count() {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++count;
  return count;
}

}  // namespace

TEST_CASE("subprocess captures stdout, stderr and the exit status", "[subprocess]") {
  auto echo = run_subprocess({"/bin/echo", "hello", "world"});
  CHECK(echo.stdout_data == "hello world\n");
  CHECK(echo.stderr_data.empty());
  CHECK(echo.exit_code == 0);
  CHECK_FALSE(echo.signal);
  CHECK(echo.ok());
  CHECK(echo.describe_outcome() == "exited with status 0");

  auto failing = run_subprocess({"sh", "-c", "echo out; echo err >&2; exit 3"});
  CHECK(failing.stdout_data == "out\n");
  CHECK(failing.stderr_data == "err\n");
  CHECK(failing.exit_code == 3);
  CHECK_FALSE(failing.ok());
  CHECK(failing.describe_outcome() == "exited with status 3");
}

TEST_CASE("subprocess passes arguments verbatim, without a shell", "[subprocess]") {
  auto r = run_subprocess({"/bin/echo", "$HOME", "a b", "'q'", ";", "*"});
  CHECK(r.stdout_data == "$HOME a b 'q' ; *\n");
}

TEST_CASE("subprocess writes stdin data and then closes it", "[subprocess]") {
  SECTION("small") {
    auto r = run_subprocess({"cat"}, {.stdin_data = "line one\nline two\n"});
    CHECK(r.stdout_data == "line one\nline two\n");
    CHECK(r.ok());
  }
  SECTION("larger than a pipe buffer, written while output is read") {
    std::string data;
    for (int i = 0; data.size() < (3u << 20); ++i) data += "row " + std::to_string(i) + "\n";
    auto r = run_subprocess({"cat"}, {.stdin_data = data});
    CHECK(r.stdout_data.size() == data.size());
    CHECK(r.stdout_data == data);
  }
  SECTION("empty: the child sees end-of-file at once") {
    auto r = run_subprocess({"cat"}, {.timeout = 20s});
    CHECK(r.stdout_data.empty());
    CHECK(r.ok());
  }
}

TEST_CASE("subprocess survives a child that does not read its stdin", "[subprocess]") {
  // Writing to a pipe nobody reads raises SIGPIPE; the parent must get EPIPE instead and carry on.
  const std::string data(8u << 20, 'x');
  auto ignores = run_subprocess({"sh", "-c", "exit 0"}, {.stdin_data = data});
  CHECK(ignores.exit_code == 0);
  auto reads_a_little = run_subprocess({"head", "-c", "5"}, {.stdin_data = data});
  CHECK(reads_a_little.stdout_data == "xxxxx");
  CHECK(reads_a_little.exit_code == 0);

  // The SIGPIPE those writes raised on this thread was consumed, not left pending for the next unblock to deliver.
  sigset_t pending;
  REQUIRE(sigpending(&pending) == 0);
  CHECK(sigismember(&pending, SIGPIPE) == 0);
}

TEST_CASE("subprocess environment: overrides on top of the parent's, or a clean one", "[subprocess]") {
  ::setenv("GITMOOR_SUBPROCESS_INHERITED", "from-parent", 1);
  SubprocessOptions inherit;
  inherit.environment = {{"GITMOOR_SUBPROCESS_ADDED", "added"}, {"GITMOOR_SUBPROCESS_INHERITED", "overridden"}};
  auto r = run_subprocess({"sh", "-c", "echo \"$GITMOOR_SUBPROCESS_ADDED $GITMOOR_SUBPROCESS_INHERITED $PATH\""},
                          inherit);
  CHECK(r.stdout_data == "added overridden " + std::string(std::getenv("PATH")) + "\n");

  SubprocessOptions clean;
  clean.inherit_environment = false;
  clean.environment = {{"ONLY", "this"}, {"AND", "that"}};
  auto env = run_subprocess({"env"}, clean);  // found through the parent's PATH: the child has none
  CHECK(env.stdout_data == "AND=that\nONLY=this\n");

  SubprocessOptions empty;
  empty.inherit_environment = false;
  CHECK(run_subprocess({"env"}, empty).stdout_data.empty());
}

TEST_CASE("subprocess runs in the given working directory", "[subprocess]") {
  const auto dir = make_temp_dir("cwd");
  auto r = run_subprocess({"/bin/pwd", "-P"}, {.working_dir = dir});
  CHECK(r.stdout_data == std::filesystem::canonical(dir).string() + "\n");
  std::filesystem::remove_all(dir);

  const auto missing = dir / "missing";
  CHECK_THROWS_MATCHES(run_subprocess({"/bin/pwd"}, {.working_dir = missing}), SubprocessError,
                       Catch::Matchers::Predicate<SubprocessError>([&](const SubprocessError& e) {
                         const std::string what = e.what();
                         return what.find(missing.string()) != std::string::npos &&
                                what.find("/bin/pwd") != std::string::npos;
                       }));
}

TEST_CASE("subprocess reports a program that cannot be started", "[subprocess]") {
  CHECK_THROWS_WITH(run_subprocess({"gitmoor-no-such-program-4711"}),
                    Catch::Contains("gitmoor-no-such-program-4711") && Catch::Contains("not found"));
  CHECK_THROWS_WITH(run_subprocess({"/nonexistent/dir/helm"}), Catch::Contains("/nonexistent/dir/helm"));
  CHECK_THROWS_AS(run_subprocess({}), SubprocessError);

  const auto dir = make_temp_dir("noexec");
  const auto script = dir / "not-executable";
  std::ofstream(script) << "#!/bin/sh\necho hi\n";
  std::filesystem::permissions(script, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  CHECK_THROWS_WITH(run_subprocess({script.string()}), Catch::Contains(script.string()));
  CHECK_THROWS_WITH(run_subprocess({dir.string()}), Catch::Contains(dir.string()));  // a directory
  std::filesystem::remove_all(dir);

  // A failed start leaves no zombie and no descriptor behind.
  const auto before = open_fd_count();
  for (int i = 0; i < 20; ++i) CHECK_THROWS_AS(run_subprocess({"gitmoor-no-such-program-4711"}), SubprocessError);
  CHECK(open_fd_count() == before);
}

TEST_CASE("subprocess kills a child that passes the timeout", "[subprocess]") {
  auto r = run_subprocess({"sleep", "100"}, {.timeout = 300ms});
  CHECK(r.timed_out);
  CHECK(r.signal == SIGKILL);
  CHECK_FALSE(r.ok());
  CHECK(r.describe_outcome() == "timed out after 300ms");
  CHECK(r.elapsed >= 300ms);
  CHECK(r.elapsed < 10s);  // the child would have slept 100 s

  auto whole = run_subprocess({"sleep", "100"}, {.timeout = 1s});
  CHECK(whole.describe_outcome() == "timed out after 1s");
}

TEST_CASE("subprocess kills the grandchildren too when the timeout passes", "[subprocess]") {
  auto r = run_subprocess({"sh", "-c", "sleep 1000 & echo $!; sleep 1000"}, {.timeout = 500ms});
  CHECK(r.timed_out);
  CHECK(r.elapsed < 10s);
  const pid_t grandchild = first_line_pid(r.stdout_data);
  CHECK(becomes_dead(grandchild));
}

TEST_CASE("subprocess returns when the child exits although a grandchild holds the pipes", "[subprocess]") {
  SECTION("in the child's group: killed") {
    auto r = run_subprocess({"sh", "-c", "sleep 1000 & echo $!"}, {.timeout = 60s});
    CHECK_FALSE(r.timed_out);  // it did not wait for the grandchild
    CHECK(r.exit_code == 0);
    CHECK(r.ok());
    CHECK(becomes_dead(first_line_pid(r.stdout_data)));
  }
  SECTION("escaped into its own session: abandoned after the drain window") {
    // The child exits only once the background sleep leads its own session (field 6 of /proc/<pid>/stat), so the
    // runner's SIGKILL to the group cannot reach it.
    auto r = run_subprocess(
        {"sh", "-c",
         "setsid sleep 1000 & pid=$!; echo $pid; "
         "while [ \"$(cut -d' ' -f6 /proc/$pid/stat)\" != \"$pid\" ]; do sleep 0.01; done"},
        {.timeout = 60s});
    CHECK_FALSE(r.timed_out);
    CHECK(r.exit_code == 0);
    CHECK(r.elapsed < 30s);
    const pid_t escaped = first_line_pid(r.stdout_data);
    ::kill(escaped, SIGKILL);  // outside the group, so the runner could not; clean up after the test
    CHECK(becomes_dead(escaped));
  }
}

TEST_CASE("subprocess caps stdout and kills a flooding child", "[subprocess]") {
  auto yes = run_subprocess({"yes"}, {.timeout = 60s, .max_stdout = 1u << 20});
  CHECK(yes.stdout_truncated);
  CHECK(yes.stdout_data.size() == (1u << 20));
  CHECK(yes.stdout_data.substr(0, 4) == "y\ny\n");
  CHECK_FALSE(yes.timed_out);
  CHECK(yes.signal.has_value());  // yes never ends by itself: it was killed
  CHECK_FALSE(yes.ok());
  CHECK(yes.describe_outcome() == "output exceeded 1 MiB");

  auto zeros = run_subprocess({"head", "-c", "10M", "/dev/zero"}, {.max_stdout = 100000});
  CHECK(zeros.stdout_truncated);
  CHECK(zeros.stdout_data == std::string(100000, '\0'));
  CHECK(zeros.describe_outcome() == "output exceeded 100000 bytes");

  auto exact = run_subprocess({"head", "-c", "4096", "/dev/zero"}, {.max_stdout = 4096});
  CHECK_FALSE(exact.stdout_truncated);
  CHECK(exact.stdout_data.size() == 4096);
  CHECK(exact.ok());
}

TEST_CASE("subprocess caps stderr and lets the child finish", "[subprocess]") {
  auto r = run_subprocess({"sh", "-c", "head -c 5000000 /dev/zero >&2; echo done"}, {.max_stderr = 1000});
  CHECK(r.stderr_truncated);
  CHECK(r.stderr_data == std::string(1000, '\0'));
  CHECK(r.stdout_data == "done\n");
  CHECK(r.exit_code == 0);
  CHECK(r.ok());
}

TEST_CASE("subprocess reports a child killed by a signal", "[subprocess]") {
  auto r = run_subprocess({"sh", "-c", "kill -TERM $$"});
  CHECK(r.signal == SIGTERM);
  CHECK(r.exit_code == -1);
  CHECK_FALSE(r.timed_out);
  CHECK_FALSE(r.ok());
  CHECK(r.describe_outcome() == "killed by signal 15");
}

TEST_CASE("subprocess reads large stdout and stderr at the same time", "[subprocess]") {
  // Each stream is far larger than a pipe buffer: reading one to the end before the other would deadlock.
  auto r = run_subprocess({"sh", "-c", "yes out | head -c 6000000 & yes err | head -c 6000000 >&2; wait"},
                          {.timeout = 60s});
  CHECK(r.ok());
  CHECK(r.stdout_data.size() == 6000000);
  CHECK(r.stderr_data.size() == (1u << 20));  // the default stderr cap
  CHECK(r.stderr_truncated);
  CHECK(r.stdout_data.substr(0, 8) == "out\nout\n");
}

TEST_CASE("subprocess runs children from many threads at once", "[subprocess]") {
  const auto fds_before = open_fd_count();
  constexpr int kThreads = 6;
  constexpr int kRunsPerThread = 8;
  std::atomic<int> correct{0};
  std::atomic<int> timed_out{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &correct, &timed_out] {
      for (int i = 0; i < kRunsPerThread; ++i) {
        const std::string tag = std::to_string(t) + "-" + std::to_string(i);
        if (i == 3) {  // a timeout in the mix, while other threads start children
          auto slow = run_subprocess({"sh", "-c", "sleep 1000 & sleep 1000"}, {.timeout = 200ms});
          if (slow.timed_out) ++timed_out;
          continue;
        }
        auto r = run_subprocess({"sh", "-c", "echo \"$TAG\"; cat; echo \"$TAG\" >&2"},
                                {.environment = {{"TAG", tag}}, .stdin_data = tag + "-in", .timeout = 60s});
        if (r.ok() && r.stdout_data == tag + "\n" + tag + "-in" && r.stderr_data == tag + "\n") ++correct;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(correct == kThreads * (kRunsPerThread - 1));
  CHECK(timed_out == kThreads);
  CHECK(open_fd_count() == fds_before);
}

TEST_CASE("subprocess leaks no descriptor into children started by other threads", "[subprocess]") {
  // While another thread's child runs (its pipes open here, close-on-exec), a child lists its descriptors: it must see
  // only stdio, descriptors this process deliberately left inheritable, and the one `ls` opens to read the listing.
  std::thread busy([] { run_subprocess({"sleep", "2"}, {.stdin_data = "keep stdin open", .timeout = 30s}); });
  std::this_thread::sleep_for(200ms);

  auto r = run_subprocess({"ls", "-1", "/proc/self/fd"});
  std::set<int> listed;
  std::istringstream lines(r.stdout_data);
  for (std::string line; std::getline(lines, line);) listed.insert(std::stoi(line));

  std::set<int> expected{0, 1, 2};
  for (int fd = 3; fd < 1024; ++fd) {
    const int flags = ::fcntl(fd, F_GETFD);
    if (flags >= 0 && (flags & FD_CLOEXEC) == 0) expected.insert(fd);
  }
  int ls_dir = 3;
  while (expected.count(ls_dir) != 0) ++ls_dir;
  expected.insert(ls_dir);
  busy.join();
  CHECK(listed == expected);
}
