// Which Applications a Git push refreshes: see git_push.hpp for the rules (Argo CD's webhook behaviour).
#include "gitmoor/engine/git_push.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>

#include "gitmoor/engine/repo_url.hpp"

namespace gitmoor::engine {

namespace {

constexpr std::string_view kHeads = "refs/heads/";
constexpr std::string_view kTags = "refs/tags/";

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

// A full commit id (SHA-1 or SHA-256): the app is pinned, a push never moves it.
bool is_commit_sha(std::string_view revision) {
  if (revision.size() != 40 && revision.size() != 64) return false;
  return std::all_of(revision.begin(), revision.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

// filepath.Clean for repository paths: no leading '/', no "." or empty segments, ".." resolved; "" is the root.
// A path climbing above the root keeps its leading ".." segments and so matches no pushed file.
std::string clean_path(std::string_view path) {
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    const auto end = std::min(path.find('/', start), path.size());
    const auto segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty() && segments.back() != "..") {
        segments.pop_back();
      } else {
        segments.emplace_back("..");
      }
    } else if (!segment.empty() && segment != ".") {
      segments.emplace_back(segment);
    }
    start = end + 1;
  }
  std::string out;
  for (const auto& segment : segments) out += (out.empty() ? "" : "/") + segment;
  return out;
}

bool is_glob(std::string_view path) { return path.find_first_of("*?[") != std::string_view::npos; }

std::string join(std::string_view base, std::string_view item) {
  return clean_path(std::string(base) + "/" + std::string(item));
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = std::min(text.find(separator, start), text.size());
    auto item = text.substr(start, end - start);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front()))) item.remove_prefix(1);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    start = end + 1;
  }
  return out;
}

std::optional<std::string> annotation(const Application& app, std::string_view key) {
  const auto& metadata = app.manifest.value("metadata", core::Json::object());
  const auto annotations = metadata.value("annotations", core::Json::object());
  if (!annotations.is_object()) return std::nullopt;
  const auto it = annotations.find(std::string(key));
  if (it == annotations.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// `file` (cleaned) at or below `path`, or (glob) the file or one of its folders matching the pattern.
bool touches(const std::string& path, const std::string& file) {
  if (!is_glob(path)) {
    return path.empty() || file == path || (starts_with(file, path) && file.size() > path.size() && file[path.size()] == '/');
  }
  for (std::string candidate = file; !candidate.empty();) {
    if (fnmatch(path.c_str(), candidate.c_str(), FNM_PATHNAME) == 0) return true;
    const auto slash = candidate.rfind('/');
    candidate = slash == std::string::npos ? std::string() : candidate.substr(0, slash);
  }
  return false;
}

}  // namespace

std::string GitPush::subject() const {
  return "repository " + (repository_urls.empty() ? std::string("(unnamed)") : repository_urls.front()) + " ref " +
         ref;
}

bool push_targets(const GitPush& push, const Application& app) {
  const auto& repo_url = app.source.repo_url;
  const bool same = std::any_of(push.repository_urls.begin(), push.repository_urls.end(),
                                [&](const std::string& url) { return same_repository(url, repo_url); });
  if (!same) return false;

  const std::string& target = app.source.target_revision;
  if (is_commit_sha(target)) return false;
  if (starts_with(push.ref, kHeads)) {
    const auto branch = push.ref.substr(kHeads.size());
    if (target.empty() || target == "HEAD") return !push.default_branch.empty() && branch == push.default_branch;
    if (starts_with(target, kTags)) return false;
    return (starts_with(target, kHeads) ? target.substr(kHeads.size()) : target) == branch;
  }
  if (starts_with(push.ref, kTags)) {
    const auto tag = push.ref.substr(kTags.size());
    if (starts_with(target, kHeads)) return false;
    return (starts_with(target, kTags) ? target.substr(kTags.size()) : target) == tag;
  }
  return false;  // refs/pull/..., refs/notes/...: nothing an app tracks
}

std::vector<std::string> refresh_paths(const Application& app) {
  const std::string app_path = clean_path(app.source.path);
  auto listed = annotation(app, kManifestGeneratePathsAnnotation);
  if (!listed || listed->empty()) listed = annotation(app, kArgoManifestGeneratePathsAnnotation);
  std::vector<std::string> paths;
  if (listed && !listed->empty()) {
    for (const auto& item : split(*listed, ';')) {
      paths.push_back(item.front() == '/' ? clean_path(item) : join(app_path, item));
    }
    if (!paths.empty()) return paths;
  }
  // No annotation: the app's folder, and its Helm value files (which may live outside it).
  paths.push_back(app_path);
  for (const auto& file : app.source.helm.value_files) {
    if (!file.empty() && file.find("://") == std::string::npos) paths.push_back(file.front() == '/' ? clean_path(file) : join(app_path, file));
  }
  return paths;
}

bool paths_touched(const std::vector<std::string>& paths, const std::vector<std::string>& changed_files) {
  for (const auto& changed : changed_files) {
    const auto file = clean_path(changed);
    for (const auto& path : paths) {
      if (touches(path, file)) return true;
    }
  }
  return false;
}

bool push_refreshes(const GitPush& push, const Application& app) {
  if (!push_targets(push, app)) return false;
  if (!push.changed_files) return true;
  return paths_touched(refresh_paths(app), *push.changed_files);
}

}  // namespace gitmoor::engine
