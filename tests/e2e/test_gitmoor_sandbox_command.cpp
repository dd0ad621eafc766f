// The `gitmoor sandbox` command: prints `listening on <URL>`, writes a kubeconfig kubectl can use, and exits
// cleanly on SIGTERM.
#include <catch2/catch.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <random>

#include "gitmoor/core/subprocess.hpp"
#include "gitmoor/core/tools.hpp"
#include "test_paths.hpp"

extern char** environ;

namespace {

struct Child {
  pid_t pid = -1;
  int out = -1;
  ~Child() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
    }
    if (out >= 0) ::close(out);
  }
};

// Reads the child's stdout up to the first newline.
std::string first_line(int fd) {
  std::string line;
  char c;
  while (line.size() < 4096 && ::read(fd, &c, 1) == 1 && c != '\n') line += c;
  return line;
}

}  // namespace

TEST_CASE("gitmoor sandbox serves kubectl, writes its kubeconfig with TLS and token, and stops on SIGTERM", "[e2e]") {
  std::random_device rd;
  auto dir = std::filesystem::temp_directory_path() / ("gitmoor-sandbox-cmd-" + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  std::string kubeconfig = (dir / "kubeconfig").string();

  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  std::string binary = gitmoor::test::gitmoor_binary().string();
  std::vector<std::string> args{binary,    "sandbox", "--listen", "127.0.0.1:0", "--kubeconfig-out", kubeconfig,
                                "--tls",   "--token", "cmd-token"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  Child child;
  REQUIRE(posix_spawn(&child.pid, binary.c_str(), &actions, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  child.out = pipe_fds[0];

  std::string line = first_line(child.out);
  REQUIRE(line.rfind("listening on https://127.0.0.1:", 0) == 0);
  REQUIRE(std::filesystem::exists(kubeconfig));

  gitmoor::core::SubprocessOptions options;
  options.environment = {{"HOME", dir.string()}};
  auto r = gitmoor::core::run_subprocess(
      {gitmoor::core::tool_path(gitmoor::core::Tool::Kubectl).string(), "--kubeconfig", kubeconfig, "get", "ns"},
      options);
  INFO(r.stderr_data);
  CHECK(r.exit_code == 0);
  CHECK(r.stdout_data.find("kube-system") != std::string::npos);

  REQUIRE(::kill(child.pid, SIGTERM) == 0);
  int status = 0;
  REQUIRE(::waitpid(child.pid, &status, 0) == child.pid);
  child.pid = -1;
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}
