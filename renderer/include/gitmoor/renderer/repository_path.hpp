#pragma once
// Confinement of spec paths to the repository (DESIGN.md decision 8): what the Application names must stay inside
// its checkout, whatever `..` or symlinks it contains.
#include <filesystem>
#include <string_view>

namespace gitmoor::renderer {

// The canonical path of `relative` under `repo_root`. Throws PathEscapesRepository (naming `what`, e.g.
// `value file ../x.yaml`) for
// an absolute path, or when the resolved path — symlinks followed — leaves the repository; RenderError when
// must_exist and it does not exist.
[[nodiscard]] std::filesystem::path resolve_in_repository(const std::filesystem::path& repo_root,
                                                          std::string_view relative, std::string_view what,
                                                          bool must_exist = true);

// The nearest folder at or above `dir` holding `.git` (a work tree's root), or `dir` itself outside any.
[[nodiscard]] std::filesystem::path find_repository_root(const std::filesystem::path& dir);

// True when `path` (canonical) is `root` (canonical) or below it.
[[nodiscard]] bool is_within(const std::filesystem::path& root, const std::filesystem::path& path);

}  // namespace gitmoor::renderer
