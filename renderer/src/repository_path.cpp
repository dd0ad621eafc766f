#include "gitmoor/renderer/repository_path.hpp"

#include <string>

#include "gitmoor/renderer/errors.hpp"

namespace gitmoor::renderer {

namespace fs = std::filesystem;

bool is_within(const fs::path& root, const fs::path& path) {
  auto r = root.begin();
  auto p = path.begin();
  for (; r != root.end(); ++r, ++p) {
    if (r->empty()) continue;  // a trailing separator
    if (p == path.end() || *r != *p) return false;
  }
  return true;
}

fs::path find_repository_root(const fs::path& dir) {
  std::error_code ec;
  for (fs::path at = dir; !at.empty(); at = at.parent_path()) {
    if (fs::exists(at / ".git", ec)) return at;
    if (at == at.parent_path()) break;
  }
  return dir;
}

fs::path resolve_in_repository(const fs::path& repo_root, std::string_view relative, std::string_view what,
                               bool must_exist) {
  const std::string rel(relative);
  if (fs::path(rel).is_absolute()) {
    throw PathEscapesRepository(std::string(what) + ": absolute paths are not allowed; give a path relative to "
                                "the repository");
  }
  std::error_code ec;
  const fs::path root = fs::canonical(repo_root, ec);
  if (ec) throw RenderError("repository " + repo_root.string() + ": " + ec.message());
  // weakly_canonical follows every symlink that exists, so a link pointing out is caught like a `..` escape.
  const fs::path resolved = fs::weakly_canonical(root / rel, ec);
  if (ec) throw RenderError(std::string(what) + ": " + ec.message());
  if (!is_within(root, resolved)) {
    throw PathEscapesRepository(std::string(what) + " resolves to " + resolved.string() + ", outside the repository");
  }
  if (must_exist && !fs::exists(resolved, ec)) {
    throw RenderError(std::string(what) + " does not exist in the repository");
  }
  return resolved;
}

}  // namespace gitmoor::renderer
