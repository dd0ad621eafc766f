// The engine at work (issue 7), against a `gitmoor sandbox` process and a local Git repository:
//   latency: self-heal latency (a write that drifts a managed object → the object restored), 50 trials, p50/p99,
//            target p50 < 200 ms, p99 < 1 s; commit-to-synced after a refresh trigger, target < 1 s.
//   scale:   1,000 Applications × 20 objects, steady state with no changes at a 60 s poll: RSS and CPU per minute
//            of the engine process, targets < 150 MiB and < 2% of a core.
// Without arguments both run, each in a fresh process of its own (so one's memory does not count for the other).
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "gitmoor/applier/client.hpp"
#include "gitmoor/applier/kubeconfig.hpp"
#include "gitmoor/applier/live_cache.hpp"
#include "gitmoor/applier/resource_manager.hpp"
#include "gitmoor/core/duration.hpp"
#include "gitmoor/core/logging.hpp"
#include "gitmoor/core/subprocess.hpp"
#include "gitmoor/core/yaml.hpp"
#include "gitmoor/engine/controller.hpp"

extern char** environ;

using namespace gitmoor;
using Clock = std::chrono::steady_clock;
using core::Json;
namespace fs = std::filesystem;

namespace {

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  if (values.empty()) return 0;
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

void git(const fs::path& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"git"};
  argv.insert(argv.end(), args.begin(), args.end());
  core::SubprocessOptions options;
  options.working_dir = dir;
  options.environment = {{"GIT_CONFIG_NOSYSTEM", "1"},    {"GIT_CONFIG_GLOBAL", "/dev/null"},
                         {"GIT_AUTHOR_NAME", "bench"},    {"GIT_AUTHOR_EMAIL", "bench@gitmoor.dev"},
                         {"GIT_COMMITTER_NAME", "bench"}, {"GIT_COMMITTER_EMAIL", "bench@gitmoor.dev"}};
  const auto result = core::run_subprocess(argv, options);
  if (!result.ok()) throw std::runtime_error("git failed: " + result.stderr_data);
}

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

std::string config_maps(const std::string& prefix, int n, const std::string& value) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    out += "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + prefix + std::to_string(i) +
           "\ndata:\n  value: \"" + value + "\"\n  mode: steady\n";
  }
  return out;
}

// `gitmoor sandbox` as its own process: the engine's memory and CPU are measured without the cluster's.
struct SandboxProcess {
  pid_t pid = -1;
  std::string url;
  fs::path kubeconfig;

  explicit SandboxProcess(const fs::path& dir) {
    kubeconfig = dir / "kubeconfig";
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::vector<std::string> args{GITMOOR_BINARY, "sandbox", "--listen", "127.0.0.1:0", "--kubeconfig-out",
                                  kubeconfig.string(), "--pod-ready-delay-ms", "50"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
      throw std::runtime_error("cannot start " + args[0]);
    }
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    std::string line;
    char c;
    while (::read(fds[0], &c, 1) == 1 && c != '\n') line += c;
    ::close(fds[0]);
    url = line.substr(line.find("http"));
  }
  ~SandboxProcess() {
    ::kill(pid, SIGTERM);
    ::waitpid(pid, nullptr, 0);
  }
};

struct Cluster {
  fs::path dir;
  std::unique_ptr<SandboxProcess> sandbox;
  std::unique_ptr<applier::Client> client;

  Cluster() {
    dir = fs::temp_directory_path() / ("gitmoor-bench-engine-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir);
    sandbox = std::make_unique<SandboxProcess>(dir);
    client = std::make_unique<applier::Client>(applier::load_kubeconfig({.paths = {sandbox->kubeconfig}, .context = ""}));
    applier::ResourceManager manager(*client);
    std::ifstream in(fs::path(GITMOOR_SOURCE_DIR) / "docker/install/applications.gitmoor.dev.yaml");
    std::stringstream text;
    text << in.rdbuf();
    auto objects = core::parse_manifests(text.str());
    objects.emplace_back(Json{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "gitmoor"}}}});
    if (manager.apply_all(std::move(objects), {.app = "", .ns = "gitmoor"}).failed()) {
      throw std::runtime_error("cannot install the Application CRD");
    }
  }
  ~Cluster() {
    client.reset();
    sandbox.reset();
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }

  void create_app(const std::string& name, const std::string& repo, const std::string& path, const std::string& ns,
                  bool self_heal) {
    Json app{{"apiVersion", "gitmoor.dev/v1alpha1"},
             {"kind", "Application"},
             {"metadata", {{"name", name}, {"namespace", "gitmoor"}}},
             {"spec",
              {{"source", {{"repoURL", repo}, {"targetRevision", "main"}, {"path", path}}},
               {"destination", {{"server", "https://kubernetes.default.svc"}, {"namespace", ns}}},
               {"syncPolicy",
                {{"automated", {{"prune", true}, {"selfHeal", self_heal}}},
                 {"syncOptions", Json::array({"CreateNamespace=true"})}}}}}};
    client->request_json({.method = "POST",
                          .path = "/apis/gitmoor.dev/v1alpha1/namespaces/gitmoor/applications",
                          .body = app.dump(),
                          .content_type = "application/json",
                          .idempotent = false});
  }
};

std::string app_sync(engine::Controller& controller, const std::string& name) {
  auto app = controller.get_application(name);
  if (!app) return {};
  return (*app)["status"]["sync"].value("status", "") + "@" + (*app)["status"]["sync"].value("revision", "");
}

bool wait_until(const std::function<bool()>& condition, std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return false;
}

std::string head(const fs::path& repo) {
  core::SubprocessOptions options;
  options.working_dir = repo;
  auto r = core::run_subprocess({"git", "rev-parse", "HEAD"}, options);
  auto out = r.stdout_data;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

// ---- latency

int run_latency() {
  Cluster cluster;
  const fs::path repo = cluster.dir / "repo";
  fs::create_directories(repo);
  git(repo, {"init", "--quiet", "--initial-branch=main"});
  constexpr int kTrials = 50;
  write(repo / "heal/cms.yaml", config_maps("heal-", kTrials, "desired"));
  write(repo / "commit/cm.yaml", config_maps("commit-", 1, "v0"));
  git(repo, {"add", "-A"});
  git(repo, {"commit", "--quiet", "-m", "start"});
  const std::string url = "file://" + repo.string();
  cluster.create_app("heal", url, "heal", "heal", true);
  cluster.create_app("commit", url, "commit", "commit", true);

  engine::Controller controller(*cluster.client, {.apps_namespace = "gitmoor",
                                                  .poll_interval = std::chrono::seconds(60),
                                                  .cache_dir = cluster.dir / "cache"});
  controller.start();
  const std::string first = head(repo);
  if (!wait_until([&] { return app_sync(controller, "heal") == "Synced@" + first &&
                               app_sync(controller, "commit") == "Synced@" + first; },
                  std::chrono::seconds(60))) {
    std::cerr << "apps did not sync\n";
    return 1;
  }

  // Our own watch sees the restore the moment the API server has it.
  std::mutex mutex;
  std::condition_variable changed;
  std::map<std::string, std::string> values;
  applier::Discovery discovery(*cluster.client);
  const auto resource = *discovery.find({.group = "", .version = "v1", .kind = "ConfigMap"});
  applier::LiveCache watch(*cluster.client, {{.resource = resource, .ns = "", .label_selector = "gitmoor.dev/app"}});
  watch.on_change([&](applier::LiveEvent, const core::Object& object) {
    std::lock_guard lock(mutex);
    values[object.ns() + "/" + object.name()] = object.json().value("data", Json::object()).value("value", "");
    changed.notify_all();
  });
  watch.start();
  const auto wait_value = [&](const std::string& key, const std::string& value) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, std::chrono::seconds(30), [&] { return values[key] == value; });
  };

  std::vector<double> heal;
  for (int i = 0; i < kTrials; ++i) {
    const std::string name = "heal-" + std::to_string(i);
    const Json patch{{"data", {{"value", "drifted"}}}};
    const auto start = Clock::now();
    cluster.client->request_json({.method = "PATCH",
                                  .path = "/api/v1/namespaces/heal/configmaps/" + name + "?fieldManager=kubectl-edit",
                                  .body = patch.dump(),
                                  .content_type = "application/merge-patch+json"});
    if (!wait_value("heal/" + name, "desired")) {
      std::cerr << "trial " << i << ": not restored in 30 s\n";
      return 1;
    }
    heal.push_back(ms_since(start));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  std::vector<double> commit;
  for (int i = 1; i <= 10; ++i) {
    const std::string value = "v" + std::to_string(i);
    write(repo / "commit/cm.yaml", config_maps("commit-", 1, value));
    git(repo, {"commit", "--quiet", "-am", "bump " + value});
    const std::string sha = head(repo);
    const auto start = Clock::now();
    controller.refresh("commit", false);
    if (!wait_value("commit/commit-0", value) ||
        !wait_until([&] { return app_sync(controller, "commit") == "Synced@" + sha; }, std::chrono::seconds(30))) {
      std::cerr << "commit " << i << ": not synced in 30 s\n";
      return 1;
    }
    commit.push_back(ms_since(start));
  }
  watch.stop();
  controller.stop();

  std::printf("self-heal latency (write that drifts a managed ConfigMap -> restored), %d trials:\n", kTrials);
  std::printf("  p50 %.1f ms (target < 200 ms)   p99 %.1f ms (target < 1000 ms)   max %.1f ms\n",
              percentile(heal, 0.5), percentile(heal, 0.99), percentile(heal, 1.0));
  std::printf("commit-to-synced after a refresh trigger, 10 commits:\n");
  std::printf("  p50 %.1f ms   max %.1f ms (target < 1000 ms)\n", percentile(commit, 0.5), percentile(commit, 1.0));
  return 0;
}

// ---- scale

long rss_kib(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::string(field).size()));
  }
  return 0;
}

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

int run_scale(int apps, int objects, std::chrono::seconds steady) {
  Cluster cluster;
  const fs::path repo = cluster.dir / "repo";
  fs::create_directories(repo);
  git(repo, {"init", "--quiet", "--initial-branch=main"});
  for (int a = 0; a < apps; ++a) {
    write(repo / ("apps/app-" + std::to_string(a) + "/cms.yaml"), config_maps("cm-", objects, "a" + std::to_string(a)));
  }
  git(repo, {"add", "-A"});
  git(repo, {"commit", "--quiet", "-m", "many apps"});
  const std::string sha = head(repo);
  const std::string url = "file://" + repo.string();
  for (int a = 0; a < apps; ++a) {
    cluster.create_app("app-" + std::to_string(a), url, "apps/app-" + std::to_string(a), "ns-" + std::to_string(a),
                       true);
  }

  const double cpu_start = cpu_seconds();
  const auto start = Clock::now();
  engine::Controller controller(*cluster.client, {.apps_namespace = "gitmoor",
                                                  .poll_interval = std::chrono::seconds(60),
                                                  .cache_dir = cluster.dir / "cache"});
  controller.start();
  const auto synced = [&] {
    std::size_t n = 0;
    for (const auto& app : controller.list_applications()) {
      if (app["status"]["sync"].value("status", "") == "Synced" && app["status"]["sync"].value("revision", "") == sha) ++n;
    }
    return n;
  };
  while (synced() < static_cast<std::size_t>(apps)) {
    if (Clock::now() - start > std::chrono::minutes(20)) {
      std::cerr << "only " << synced() << " of " << apps << " apps synced in 20 minutes\n";
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  const double converge_s = ms_since(start) / 1000;
  const double converge_cpu = cpu_seconds() - cpu_start;
  const long rss_converged = rss_kib("VmRSS:");

  const double cpu_before = cpu_seconds();
  std::this_thread::sleep_for(steady);
  const double cpu_steady = cpu_seconds() - cpu_before;
  const long rss = rss_kib("VmRSS:");
  const long hwm = rss_kib("VmHWM:");
  const auto heap = mallinfo2();
  controller.stop();

  const double per_minute = cpu_steady * 60.0 / static_cast<double>(steady.count());
  std::printf("%d Applications x %d objects (%d objects), 60 s poll:\n", apps, objects, apps * objects);
  std::printf("  initial sync: %.1f s wall, %.1f s CPU\n", converge_s, converge_cpu);
  std::printf("  steady state over %lld s: CPU %.2f s per minute = %.2f%% of a core (target < 2%%)\n",
              static_cast<long long>(steady.count()), per_minute, per_minute / 60.0 * 100.0);
  std::printf("  RSS %.1f MiB after the steady period (target < 150 MiB); %.1f MiB when converged; peak %.1f MiB\n",
              static_cast<double>(rss) / 1024.0, static_cast<double>(rss_converged) / 1024.0,
              static_cast<double>(hwm) / 1024.0);
  std::printf("  heap: %.1f MiB in use, %.1f MiB free in the allocator\n",
              static_cast<double>(heap.uordblks) / 1048576.0, static_cast<double>(heap.fordblks) / 1048576.0);
  return 0;
}

int run_self(const std::vector<std::string>& args) {
  std::vector<std::string> full{"/proc/self/exe"};
  full.insert(full.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : full) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ) != 0) return 1;
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

}  // namespace

int main(int argc, char** argv) {
  core::configure_logging({.level = spdlog::level::warn});
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty()) {
      const int latency = run_self({"latency"});
      const int scale = run_self({"scale"});
      return latency != 0 ? latency : scale;
    }
    if (args[0] == "latency") return run_latency();
    if (args[0] == "scale") {
      int apps = 1000, objects = 20;
      std::chrono::seconds steady{60};
      for (std::size_t i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == "--apps") apps = std::stoi(args[i + 1]);
        if (args[i] == "--objects") objects = std::stoi(args[i + 1]);
        if (args[i] == "--steady") {
          steady = std::chrono::duration_cast<std::chrono::seconds>(core::parse_duration(args[i + 1], "--steady"));
        }
      }
      return run_scale(apps, objects, steady);
    }
    std::cerr << "usage: gitmoor_bench_engine [latency | scale [--apps N] [--objects N] [--steady 60s]]\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
