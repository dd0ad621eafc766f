#pragma once
// Small readers the differ tests share: objects from inline YAML and from fixture files.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gitmoor/core/yaml.hpp"

namespace gitmoor::test {

inline core::Object object_of(const std::string& yaml) { return core::Object(core::parse_yaml(yaml)); }

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline std::vector<core::Object> objects_in(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) return {};
  return core::parse_manifests(read_text(path), {.file = path.string()});
}

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

}  // namespace gitmoor::test
