#pragma once
// Shared by the renderer tests: the fixture repository, a scratch folder, and helm run directly as the referee.
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "gitmoor/core/subprocess.hpp"
#include "gitmoor/core/tools.hpp"
#include "gitmoor/core/yaml.hpp"
#include "test_paths.hpp"

namespace gitmoor::test {

inline std::filesystem::path render_fixtures() { return testdata_dir() / "render"; }

// A folder removed at the end of the test.
class ScratchDir {
 public:
  ScratchDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("gitmoor-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Runs helm with argv (after the binary) and returns stdout; fails the test on error.
inline std::string run_helm(const std::vector<std::string>& args) {
  std::vector<std::string> argv{core::tool_path(core::Tool::Helm).string()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto result = core::run_subprocess(argv);
  if (!result.ok()) throw std::runtime_error("helm failed: " + result.stderr_data);
  return result.stdout_data;
}

inline std::vector<core::Json> as_json(const std::vector<core::Object>& objects) {
  std::vector<core::Json> out;
  for (const auto& o : objects) out.push_back(o.json());
  return out;
}

inline std::vector<core::Json> parse_all(const std::string& yaml) {
  std::vector<core::Json> out;
  for (const auto& o : core::parse_manifests(yaml)) out.push_back(o.json());
  return out;
}

}  // namespace gitmoor::test
