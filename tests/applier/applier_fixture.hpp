#pragma once
// A sandbox started in-process, a kubeconfig for it in a private temp folder, and helpers to count the writes the
// sandbox saw. Every applier test talks to a real server through the real client.
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>

#include "gitmoor/applier/client.hpp"
#include "gitmoor/applier/kubeconfig.hpp"
#include "gitmoor/applier/resource_manager.hpp"
#include "gitmoor/core/yaml.hpp"
#include "gitmoor/sandbox/sandbox.hpp"

namespace gitmoor::test {

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("gitmoor-applier-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    const auto p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }

 private:
  std::filesystem::path path_;
};

inline std::uint64_t write_count(sandbox::Sandbox& sb) {
  std::uint64_t n = 0;
  for (const auto& c : sb.api().counters()) {
    if (c.verb == "create" || c.verb == "update" || c.verb == "patch" || c.verb == "delete" ||
        c.verb == "deletecollection") {
      n += c.count;
    }
  }
  return n;
}

struct ApplierEnv {
  explicit ApplierEnv(sandbox::SandboxOptions options = {.controllers = true, .pod_ready_delay = std::chrono::milliseconds(50)})
      : sb(sandbox::Sandbox::start(options)) {
    kubeconfig = sb->write_kubeconfig(dir.path() / "kubeconfig");
    client = std::make_unique<applier::Client>(applier::load_kubeconfig({.paths = {kubeconfig}, .context = {}}));
    manager = std::make_unique<applier::ResourceManager>(*client);
  }

  TempDir dir;
  std::unique_ptr<sandbox::Sandbox> sb;
  std::string kubeconfig;
  std::unique_ptr<applier::Client> client;
  std::unique_ptr<applier::ResourceManager> manager;
};

inline std::vector<core::Object> objects(const std::string& yaml) { return core::parse_manifests(yaml); }

inline const applier::ChangeSetEntry* find_entry(const applier::ChangeSet& set, const std::string& kind,
                                                 const std::string& name) {
  for (const auto& e : set.entries) {
    if (e.key.kind == kind && e.key.name == name) return &e;
  }
  return nullptr;
}

}  // namespace gitmoor::test
