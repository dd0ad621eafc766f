#pragma once
// A Git push as a webhook reports it, and which Applications it refreshes (Argo CD's webhook rules):
//   - the app's repoURL names the pushed repository, however either is written (repo_url.hpp);
//   - a branch push (refs/heads/B) reaches apps whose targetRevision is B or refs/heads/B, and apps on HEAD (or no
//     targetRevision) when B is the repository's default branch; a tag push (refs/tags/T) reaches apps on T or
//     refs/tags/T; apps pinned to a commit SHA are never refreshed by a push;
//   - of those, only apps whose refresh paths hold a pushed file: the app's path (and its Helm value files), or
//     the paths of the annotation gitmoor.dev/manifest-generate-paths (Argo CD's
//     argocd.argoproj.io/manifest-generate-paths too): ';'-separated, relative to the app's path ('.' is the app's
//     path), from the repository root when starting with '/', glob patterns allowed;
//   - a push whose payload lists no files (or a forced push, whose list does not describe what changed since the
//     deployed commit) refreshes every app the first two rules select.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gitmoor/engine/application.hpp"

namespace gitmoor::engine {

inline constexpr std::string_view kManifestGeneratePathsAnnotation = "gitmoor.dev/manifest-generate-paths";
inline constexpr std::string_view kArgoManifestGeneratePathsAnnotation = "argocd.argoproj.io/manifest-generate-paths";

struct GitPush {
  // Every URL the payload gives for the repository (GitHub: html_url, clone_url, ssh_url, git_url); any may match.
  std::vector<std::string> repository_urls;
  std::string ref;             // refs/heads/main, refs/tags/v1.2.0
  std::string default_branch;  // the repository's default branch (what HEAD means), e.g. main
  std::string after;           // the pushed commit, for logs
  // The files the pushed commits added, modified or removed, relative to the repository root; nullopt when the
  // payload gave no lists (every app on the ref is then refreshed).
  std::optional<std::vector<std::string>> changed_files;

  // "repository <url> ref <ref>", for logs and messages.
  [[nodiscard]] std::string subject() const;
};

// True when `push` reaches `app` by repository and revision (the first two rules above).
[[nodiscard]] bool push_targets(const GitPush& push, const Application& app);

// The repository paths whose change refreshes `app` (cleaned, relative to the root, no leading '/'; "" is the whole
// repository; may hold glob patterns from the annotation).
[[nodiscard]] std::vector<std::string> refresh_paths(const Application& app);

// True when one of `changed_files` lies at or below one of `paths` (or matches it as a glob pattern).
[[nodiscard]] bool paths_touched(const std::vector<std::string>& paths, const std::vector<std::string>& changed_files);

// push_targets() and, when the push lists files, paths_touched() over the app's refresh_paths().
[[nodiscard]] bool push_refreshes(const GitPush& push, const Application& app);

}  // namespace gitmoor::engine
