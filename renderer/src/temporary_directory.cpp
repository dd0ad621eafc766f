#include "temporary_directory.hpp"

#include <cerrno>
#include <cstring>
#include <stdlib.h>
#include <string>

#include "gitmoor/core/error.hpp"

namespace gitmoor::renderer {

TemporaryDirectory::TemporaryDirectory(std::string_view prefix) {
  std::string pattern = (std::filesystem::temp_directory_path() / (std::string(prefix) + "XXXXXX")).string();
  if (mkdtemp(pattern.data()) == nullptr) {
    throw core::EnvironmentError("temporary directory " + pattern + ": " + std::strerror(errno));
  }
  path_ = pattern;
}

TemporaryDirectory::~TemporaryDirectory() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace gitmoor::renderer
