#pragma once
// A private scratch folder (mode 0700) removed with everything in it when the owner goes.
#include <filesystem>
#include <string_view>

namespace gitmoor::renderer {

class TemporaryDirectory {
 public:
  explicit TemporaryDirectory(std::string_view prefix = "gitmoor-render-");
  ~TemporaryDirectory();
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace gitmoor::renderer
