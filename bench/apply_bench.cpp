// gitmoor apply vs `kubectl apply --server-side -f` on the same objects, each into a fresh sandbox (issue 6):
// 1,000 ConfigMaps, 300 Deployments, and the re-apply of 1,000 unchanged objects (time and writes).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "gitmoor/applier/kubeconfig.hpp"
#include "gitmoor/applier/resource_manager.hpp"
#include "gitmoor/core/subprocess.hpp"
#include "gitmoor/core/tools.hpp"
#include "gitmoor/core/yaml.hpp"
#include "gitmoor/sandbox/sandbox.hpp"

using namespace gitmoor;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

std::vector<core::Json> config_maps(int n) {
  std::vector<core::Json> out;
  for (int i = 0; i < n; ++i) {
    out.push_back({{"apiVersion", "v1"},
                   {"kind", "ConfigMap"},
                   {"metadata", {{"name", "cm-" + std::to_string(i)}, {"namespace", "bench"}}},
                   {"data", {{"key", "value-" + std::to_string(i)}, {"mode", "fast"}}}});
  }
  return out;
}

std::vector<core::Json> deployments(int n) {
  std::vector<core::Json> out;
  for (int i = 0; i < n; ++i) {
    const std::string name = "app-" + std::to_string(i);
    out.push_back({{"apiVersion", "apps/v1"},
                   {"kind", "Deployment"},
                   {"metadata", {{"name", name}, {"namespace", "bench"}}},
                   {"spec",
                    {{"replicas", 1},
                     {"selector", {{"matchLabels", {{"app", name}}}}},
                     {"template",
                      {{"metadata", {{"labels", {{"app", name}}}}},
                       {"spec",
                        {{"containers",
                          {{{"name", "main"},
                            {"image", "nginx:1.25"},
                            {"ports", {{{"containerPort", 8080}}}},
                            {"resources", {{"requests", {{"cpu", "100m"}, {"memory", "64Mi"}}}}}}}}}}}}}}});
  }
  return out;
}

std::uint64_t writes(sandbox::Sandbox& sb) {
  std::uint64_t n = 0;
  for (const auto& c : sb.api().counters()) {
    if (c.verb == "create" || c.verb == "update" || c.verb == "patch" || c.verb == "delete") n += c.count;
  }
  return n;
}

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Applies the set with the given app name into a fresh sandbox; returns seconds.
double gitmoor_apply(const std::vector<core::Json>& set, const fs::path& dir, double* reapply_seconds = nullptr,
                     std::uint64_t* reapply_writes = nullptr) {
  auto sb = sandbox::Sandbox::start({.controllers = false});
  const auto kc = sb->write_kubeconfig(dir / "kc-gitmoor");
  applier::Client client(applier::load_kubeconfig({.paths = {kc}, .context = {}}));
  applier::ResourceManager manager(client);
  std::vector<core::Object> objects;
  for (const auto& j : set) objects.emplace_back(j);
  const applier::ApplyOptions options{.app = "bench", .ns = "bench", .create_namespace = true};
  const auto start = Clock::now();
  const auto result = manager.apply_all(objects, options);
  const double took = seconds(Clock::now() - start);
  if (result.failed()) std::cerr << result.format_text();
  if (reapply_seconds != nullptr) {
    const auto before = writes(*sb);
    const auto again_start = Clock::now();
    const auto again = manager.apply_all(objects, options);
    *reapply_seconds = seconds(Clock::now() - again_start);
    *reapply_writes = writes(*sb) - before;
    if (again.count(applier::Action::Unchanged) != objects.size()) std::cerr << "re-apply was not all unchanged\n";
  }
  return took;
}

double kubectl_apply(const std::vector<core::Json>& set, const fs::path& dir) {
  auto sb = sandbox::Sandbox::start({.controllers = false});
  const auto kc = sb->write_kubeconfig(dir / "kc-kubectl");
  std::vector<core::Json> all{{{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", "bench"}}}}};
  all.insert(all.end(), set.begin(), set.end());
  std::ofstream(dir / "objects.yaml") << core::to_yaml_stream(all);
  const auto start = Clock::now();
  const auto result = core::run_subprocess(
      {core::tool_path(core::Tool::Kubectl).string(), "--kubeconfig", kc, "apply", "--server-side", "-f",
       (dir / "objects.yaml").string()},
      {.environment = {{"HOME", dir.string()}}, .timeout = std::chrono::minutes(10)});
  const double took = seconds(Clock::now() - start);
  if (!result.ok()) std::cerr << "kubectl: " << result.describe_outcome() << "\n" << result.stderr_data << "\n";
  return took;
}

void compare(const std::string& label, const std::vector<core::Json>& set, const fs::path& dir) {
  const double ours = gitmoor_apply(set, dir);
  const double theirs = kubectl_apply(set, dir);
  std::printf("%-18s gitmoor %7.3f s   kubectl --server-side %7.3f s   ratio %.3f (target <= 0.25)\n",
              label.c_str(), ours, theirs, ours / theirs);
}

}  // namespace

int main() {
  const fs::path dir = fs::temp_directory_path() / ("gitmoor-apply-bench-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  compare("1000 ConfigMaps", config_maps(1000), dir);
  compare("300 Deployments", deployments(300), dir);
  double reapply = 0;
  std::uint64_t reapply_writes = 0;
  gitmoor_apply(config_maps(1000), dir, &reapply, &reapply_writes);
  std::printf("re-apply 1000 unchanged: %.1f ms, %llu writes (target < 50 ms, 0 writes)\n", reapply * 1000,
              static_cast<unsigned long long>(reapply_writes));
  fs::remove_all(dir);
  return 0;
}
