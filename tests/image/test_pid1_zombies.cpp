// gitmoor as a container's PID 1 (cli/pid1_init.hpp): `gitmoor serve` renders 50 Helm apps with a helm that leaves
// an orphan behind on every run, inside its own PID namespace (unshare --pid, as root). With the init, no zombie
// remains; with the init turned off (GITMOOR_PID1_INIT=0), the zombies pile up, which shows the check can fail.
#include <signal.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "gitmoor/core/tools.hpp"
#include "serve_env.hpp"
#include "test_paths.hpp"

namespace fs = std::filesystem;
using namespace gitmoor::test;

namespace {

constexpr int kApps = 50;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A helm that first orphans a process: a subshell starts a short sleep in the background and exits, so the sleep's
// parent is gone and the kernel hands it to PID 1 (as a daemonising helm plugin or credential helper would). Then it
// runs the real helm. Every run adds a line to `runs`. The paths are the test's own folders, quoted; no input from
// elsewhere goes into the script.
fs::path write_orphaning_helm(const fs::path& dir, const fs::path& runs) {
  const std::string real_helm = gitmoor::core::tool_path(gitmoor::core::Tool::Helm).string();
  for (const std::string& path : {dir.string(), real_helm}) REQUIRE(path.find('\'') == std::string::npos);
  const fs::path script = dir / "helm-orphaning";
  std::ofstream(script) << "#!/bin/sh\n"
                        << "echo run >> '" << runs.string() << "'\n"
                        << "( sleep 0.2 </dev/null >/dev/null 2>&1 & )\n"
                        << "exec '" << real_helm << "' \"$@\"\n";
  fs::permissions(script, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec);
  return script;
}

struct ProcessState {
  int pid = 0;
  char state = '?';
  std::string comm;
};

std::optional<ProcessState> process_state(int pid) {
  const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  const auto open = stat.find('(');
  const auto close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close + 2 >= stat.size()) return std::nullopt;
  return ProcessState{pid, stat[close + 2], stat.substr(open + 1, close - open - 1)};
}

// The host pid of the init of a child PID namespace (its NSpid line ends in 1) whose command line holds `marker`.
std::optional<int> namespace_init(const std::string& marker) {
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::istringstream status(read_file(entry.path() / "status"));
    std::string line;
    while (std::getline(status, line)) {
      if (line.rfind("NSpid:", 0) != 0) continue;
      std::istringstream fields(line.substr(6));
      std::vector<std::string> pids{std::istream_iterator<std::string>(fields), {}};
      if (pids.size() == 2 && pids[1] == "1" && read_file(entry.path() / "cmdline").find(marker) != std::string::npos) {
        return std::stoi(name);
      }
    }
  }
  return std::nullopt;
}

// Every descendant of `pid` (children, theirs, ...), zombies included, from /proc/<pid>/task/*/children.
std::vector<ProcessState> descendants(int pid) {
  std::vector<ProcessState> found;
  std::vector<int> pending{pid};
  while (!pending.empty()) {
    const int parent = pending.back();
    pending.pop_back();
    std::error_code ec;
    for (const auto& task : fs::directory_iterator("/proc/" + std::to_string(parent) + "/task", ec)) {
      std::istringstream children(read_file(task.path() / "children"));
      for (int child = 0; children >> child;) {
        if (auto state = process_state(child)) found.push_back(*state);
        pending.push_back(child);
      }
    }
  }
  return found;
}

std::size_t count_processes(const std::vector<ProcessState>& processes, char state, const std::string& comm = {}) {
  return static_cast<std::size_t>(std::count_if(processes.begin(), processes.end(), [&](const ProcessState& p) {
    return (state == '?' || p.state == state) && (comm.empty() || p.comm == comm);
  }));
}

std::size_t lines_in(const fs::path& path) {
  const std::string text = read_file(path);
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// `gitmoor serve` as PID 1 of a new PID namespace, with kApps Helm apps in an --apps folder (each its own release
// and namespace, so every app is its own render) and the orphaning helm.
class Pid1Serve {
 public:
  explicit Pid1Serve(bool init) {
    env_.commit_example("tetris");
    const fs::path apps = env_.dir() / "apps";
    fs::create_directories(apps);
    for (int i = 0; i < kApps; ++i) {
      const std::string name = "app-" + std::to_string(i);
      std::ofstream(apps / (name + ".yaml")) << application_yaml(name, env_.repo_url(), "helm/tetris", "ns-" + std::to_string(i), "",
                                                                   "    helm:\n      releaseName: r" + std::to_string(i) + "\n");
    }
    runs_ = env_.dir() / "helm-runs.log";
    const fs::path helm = write_orphaning_helm(env_.dir(), runs_);
    marker_ = (env_.dir() / "cache-pid1").string();
    // --kill-child: when the test ends unshare (SIGKILL), the namespace's init dies and the kernel ends the rest.
    serve_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{"/usr/bin/unshare", "--pid", "--kill-child", "--mount-proc", "/usr/bin/env",
                                 "GITMOOR_HELM=" + helm.string(), std::string("GITMOOR_PID1_INIT=") + (init ? "1" : "0"),
                                 gitmoor_binary().string(), "serve", "--kubeconfig", env_.kubeconfig(), "--listen",
                                 "127.0.0.1:0", "--cluster-apps", "false", "--apps", apps.string(), "--cache-dir",
                                 marker_, "--auth", "none"},
        env_.dir() / "serve-pid1.log");
    url_ = serve_->wait_for_line("gitmoor serving on ");
    const auto pid = namespace_init(marker_);
    REQUIRE(pid);
    init_pid_ = *pid;
  }

  // Every app compared (rendered by helm, diffed against the cluster): OutOfSync, as nothing was applied.
  void wait_all_rendered() {
    std::string last;
    const bool rendered = eventually(
        [&] {
          for (int i = 0; i < kApps; ++i) {
            const auto reply = http_request(url_, "GET", "/api/v1/applications/app-" + std::to_string(i));
            if (reply.status != 200 || sync_status(reply.json()) != "OutOfSync") {
              last = reply.body;
              return false;
            }
          }
          return true;
        },
        std::chrono::seconds(240));
    INFO("last app not rendered: " << last << "\nserve log:\n" << serve_->output());
    REQUIRE(rendered);
    REQUIRE(lines_in(runs_) >= static_cast<std::size_t>(kApps));
  }

  [[nodiscard]] std::vector<ProcessState> processes() const {
    auto all = descendants(init_pid_);
    if (auto self = process_state(init_pid_)) all.push_back(*self);
    return all;
  }
  [[nodiscard]] int init_pid() const { return init_pid_; }
  [[nodiscard]] std::size_t helm_runs() const { return lines_in(runs_); }
  ChildProcess& serve() { return *serve_; }

 private:
  ServeEnv env_;
  fs::path runs_;
  std::string marker_;
  std::unique_ptr<ChildProcess> serve_;
  std::string url_;
  int init_pid_ = 0;
};

std::string describe(const std::vector<ProcessState>& processes) {
  std::string text;
  for (const auto& p : processes) text += std::to_string(p.pid) + " " + p.state + " " + p.comm + "\n";
  return text;
}

}  // namespace

TEST_CASE("gitmoor serve as PID 1 reaps the orphans of 50 helm runs and forwards SIGTERM", "[image][pid1]") {
  Pid1Serve serve(/*init=*/true);
  serve.wait_all_rendered();

  // The orphaned sleeps end within a fraction of a second; then nothing is left but gitmoor and its init.
  std::vector<ProcessState> processes;
  const bool clean = eventually(
      [&] {
        processes = serve.processes();
        return count_processes(processes, 'Z') == 0 && count_processes(processes, '?', "sleep") == 0;
      },
      std::chrono::seconds(60));
  INFO("processes in the namespace:\n" << describe(processes));
  REQUIRE(clean);
  REQUIRE(count_processes(processes, '?', "gitmoor") == 2);  // the init (PID 1) and gitmoor (its child)
  std::printf("pid1: %zu helm runs, %zu processes left in the namespace, 0 zombies\n", serve.helm_runs(),
              processes.size());

  // The init passes SIGTERM on; gitmoor stops cleanly and the init exits with its status.
  ::kill(serve.init_pid(), SIGTERM);
  REQUIRE(serve.serve().wait() == 0);
}

TEST_CASE("gitmoor serve as PID 1 without the init leaves the orphans of helm as zombies", "[image][pid1]") {
  Pid1Serve serve(/*init=*/false);
  serve.wait_all_rendered();

  std::vector<ProcessState> processes;
  const bool piled_up = eventually(
      [&] {
        processes = serve.processes();
        return count_processes(processes, 'Z') >= static_cast<std::size_t>(kApps);
      },
      std::chrono::seconds(60));
  INFO("processes in the namespace:\n" << describe(processes));
  REQUIRE(piled_up);
  std::printf("pid1 off: %zu helm runs left %zu zombies\n", serve.helm_runs(), count_processes(processes, 'Z'));
}
