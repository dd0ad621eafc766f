#pragma once
// The golden desired/live pairs under tests/testdata/diff. Each folder holds:
//   desired.yaml   what Git holds now
//   applied.yaml   what gitmoor applied earlier (server-side apply, field manager gitmoor); desired.yaml when absent
//   edits.yaml     changes by other field managers afterwards: [{manager, resource, type: merge|strategic|json|apply,
//                  subresource, patch}]
//   live.yaml      what the sandbox returned after those steps, managedFields included (regenerate with
//                  GITMOOR_REGENERATE_DIFF_FIXTURES=1 gitmoor_differ_tests "[.generate]"; see test_diff_generate.cpp)
//   expected.yaml  {status, resources: {key: {status, changes: ["op path"]}}, ignoreDifferences, secrets,
//                  kubectl: verdict of kubectl diff when it differs from gitmoor's, kubectlReason}
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "../e2e/kubectl_env.hpp"
#include "differ_support.hpp"
#include "gitmoor/core/yaml.hpp"
#include "test_paths.hpp"

namespace gitmoor::test {

struct DiffCase {
  std::string name;
  std::filesystem::path dir;
  nlohmann::json expected;

  [[nodiscard]] std::filesystem::path applied_file() const {
    return std::filesystem::exists(dir / "applied.yaml") ? dir / "applied.yaml" : dir / "desired.yaml";
  }
};

inline std::vector<DiffCase> diff_cases() {
  std::vector<DiffCase> cases;
  for (const auto& entry : std::filesystem::directory_iterator(testdata_dir() / "diff")) {
    if (!entry.is_directory()) continue;
    DiffCase c;
    c.name = entry.path().filename().string();
    c.dir = entry.path();
    c.expected = core::parse_yaml(read_text(entry.path() / "expected.yaml"));
    cases.push_back(std::move(c));
  }
  std::sort(cases.begin(), cases.end(), [](const DiffCase& a, const DiffCase& b) { return a.name < b.name; });
  return cases;
}

inline void require_ok(const core::SubprocessResult& r, const std::string& what) {
  if (r.exit_code != 0) throw std::runtime_error(what + ": " + r.stderr_data + r.stdout_data);
}

// Puts the sandbox into the case's live state: namespace, gitmoor's apply, then the other managers' edits.
// Returns the files whose objects make up the live state.
inline std::vector<std::string> replay(const KubectlEnv& env, const DiffCase& c) {
  require_ok(env.kubectl({"create", "namespace", "game"}), c.name + ": create namespace");
  std::vector<std::string> files{c.applied_file().string()};
  require_ok(env.kubectl({"apply", "--server-side", "--field-manager=gitmoor", "--force-conflicts", "-f", files[0]}),
             c.name + ": apply");
  if (!std::filesystem::exists(c.dir / "edits.yaml")) return files;
  const auto edits = core::parse_yaml(read_text(c.dir / "edits.yaml"));
  int n = 0;
  for (const auto& edit : edits) {
    const std::string manager = edit.at("manager");
    const std::string type = edit.at("type");
    if (type == "apply") {
      auto file = env.write_file(c.name + "-edit-" + std::to_string(n++) + ".yaml", core::to_yaml(edit.at("patch")));
      require_ok(env.kubectl({"apply", "--server-side", "--field-manager=" + manager, "--force-conflicts", "-f", file}),
                 c.name + ": edit by " + manager);
      files.push_back(file);
      continue;
    }
    std::vector<std::string> args{"patch", edit.at("resource").get<std::string>(), "-n", "game", "--type", type,
                                  "--field-manager=" + manager, "-p", edit.at("patch").dump()};
    if (edit.contains("subresource")) args.push_back("--subresource=" + edit.at("subresource").get<std::string>());
    require_ok(env.kubectl(args), c.name + ": edit by " + manager);
  }
  return files;
}

}  // namespace gitmoor::test
