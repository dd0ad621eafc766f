#include "gitmoor/engine/repo_url.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace gitmoor::engine {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

void strip_trailing_slashes(std::string& path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
}

// `scheme://...`: the scheme when `url` starts with one (letters, digits, + - .), else empty.
std::string scheme_of(std::string_view url) {
  const auto sep = url.find("://");
  if (sep == std::string_view::npos || sep == 0) return {};
  for (char c : url.substr(0, sep)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return {};
  }
  return lower(url.substr(0, sep));
}

const std::map<std::string, std::string>& default_ports() {
  static const std::map<std::string, std::string> ports{
      {"http", "80"}, {"https", "443"}, {"ssh", "22"}, {"git+ssh", "22"}, {"ssh+git", "22"}, {"git", "9418"}};
  return ports;
}

// `[user[:password]@]host[:port]` → `host[:port]`, the port left out when it is the scheme's default.
std::string normalize_authority(std::string_view authority, const std::string& scheme) {
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string host(authority), port;
  // The port follows the last ':' unless that ':' is inside an IPv6 literal ([::1]).
  const auto colon = authority.rfind(':');
  const auto bracket = authority.rfind(']');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    host = std::string(authority.substr(0, colon));
    port = std::string(authority.substr(colon + 1));
  }
  host = lower(host);
  if (auto it = default_ports().find(scheme); port.empty() || (it != default_ports().end() && it->second == port)) {
    return host;
  }
  return host + ":" + port;
}

// The repository path: lower-cased, without trailing slashes or a `.git` suffix, always starting with '/'.
std::string normalize_path(std::string_view raw) {
  std::string path = lower(raw);
  if (path.empty() || path.front() != '/') path.insert(path.begin(), '/');
  strip_trailing_slashes(path);
  if (path.size() > 4 && path.compare(path.size() - 4, 4, ".git") == 0) path.resize(path.size() - 4);
  strip_trailing_slashes(path);
  if (path == "/") path.clear();
  return path;
}

}  // namespace

std::string normalize_repo_url(std::string_view input) {
  const std::string_view url = trim(input);
  const std::string scheme = scheme_of(url);

  if (scheme == "file" || (scheme.empty() && !url.empty() && url.front() == '/')) {
    // A local repository: its path as the file system spells it (case kept, `.git` kept: repo and repo.git are
    // two folders).
    std::string path(scheme.empty() ? url : url.substr(scheme.size() + 3));
    strip_trailing_slashes(path);
    return "file://" + path;
  }

  std::string_view rest;
  std::string effective_scheme = scheme;
  if (!scheme.empty()) {
    rest = url.substr(scheme.size() + 3);
  } else {
    // scp-like `[user@]host:path` (git's rule: a ':' before any '/').
    const auto colon = url.find(':');
    const auto slash = url.find('/');
    if (colon == std::string_view::npos || colon == 0 || (slash != std::string_view::npos && slash < colon)) {
      return lower(url);
    }
    return normalize_authority(url.substr(0, colon), "ssh") + normalize_path(url.substr(colon + 1));
  }
  if (const auto end = rest.find_first_of("?#"); end != std::string_view::npos) rest = rest.substr(0, end);
  const auto slash = rest.find('/');
  const auto authority = rest.substr(0, slash);
  const auto path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  return normalize_authority(authority, effective_scheme) + normalize_path(path);
}

bool same_repository(std::string_view a, std::string_view b) {
  if (trim(a).empty() || trim(b).empty()) return false;
  return normalize_repo_url(a) == normalize_repo_url(b);
}

}  // namespace gitmoor::engine
