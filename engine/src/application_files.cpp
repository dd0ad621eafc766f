// The `--apps PATH` loader: Applications from YAML/JSON files, each file on its own so one bad file costs only itself.
#include "gitmoor/engine/application_files.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

#include "gitmoor/core/error.hpp"
#include "gitmoor/core/logging.hpp"
#include "gitmoor/core/yaml.hpp"

namespace gitmoor::engine {
namespace fs = std::filesystem;
namespace {

bool is_manifest_file(const fs::path& path) {
  auto ext = path.extension().string();
  return ext == ".yaml" || ext == ".yml" || ext == ".json";
}

bool is_hidden(const fs::path& path) {
  auto name = path.filename().string();
  return !name.empty() && name[0] == '.';
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw core::EnvironmentError(path.string() + ": cannot open");
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) throw core::EnvironmentError(path.string() + ": read failed");
  return out.str();
}

// FNV-1a: stable across runs and cheap; collisions only cost a missed reload of an unlikely edit.
void mix(std::uint64_t& hash, std::string_view bytes) {
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  hash ^= 0xff;  // field separator, so ("ab","c") and ("a","bc") differ
  hash *= 1099511628211ULL;
}

void load_file(const fs::path& file, ApplicationFiles& out, std::map<std::string, fs::path>& seen) {
  auto log = core::logger("engine");
  std::vector<core::Object> objects;
  try {
    objects = core::parse_manifests(read_file(file), {.file = file.string(), .on_warning = {}});
  } catch (const core::Error& e) {
    // YamlError's message already reads `file:line:column: ...`; read errors name the file.
    out.errors.push_back({file, e.what()});
    return;
  }
  for (const auto& object : objects) {
    if (!is_application(object.json())) {
      log->debug("{}: {} is not an Application, skipped", object.source().to_string(), object.key().to_string());
      continue;
    }
    Application app;
    try {
      app = parse_application(object.json(), ApplicationOrigin::File, object.source().to_string());
    } catch (const core::InvalidInput& e) {
      out.errors.push_back({file, e.what()});
      continue;
    }
    app.file = file.string();
    auto [it, inserted] = seen.emplace(app.name, file);
    if (!inserted) {
      out.errors.push_back({file, object.source().to_string() + ": Application " + app.name +
                                      " is already declared in " + it->second.string() + "; this one is ignored"});
      continue;
    }
    out.applications.push_back(std::move(app));
  }
}

}  // namespace

std::vector<fs::path> application_file_paths(const fs::path& path) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) return {path};
  if (!fs::is_directory(path, ec)) return {};
  fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (is_hidden(it->path())) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file(ec) && is_manifest_file(it->path())) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

ApplicationFiles load_application_files(const fs::path& path) {
  ApplicationFiles out;
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    out.errors.push_back({path, path.string() + ": no such file or directory"});
    return out;
  }
  std::map<std::string, fs::path> seen;  // Application name → the file that declared it first
  for (const auto& file : application_file_paths(path)) load_file(file, out, seen);
  return out;
}

std::uint64_t application_files_fingerprint(const fs::path& path) {
  std::uint64_t hash = 14695981039346656037ULL;
  std::error_code ec;
  mix(hash, fs::exists(path, ec) ? "present" : "missing");
  for (const auto& file : application_file_paths(path)) {
    mix(hash, file.string());
    auto size = fs::file_size(file, ec);
    mix(hash, ec ? "?" : std::to_string(size));
    auto mtime = fs::last_write_time(file, ec);
    mix(hash, ec ? "?" : std::to_string(mtime.time_since_epoch().count()));
  }
  return hash;
}

std::optional<ApplicationFiles> ApplicationFileWatcher::poll() {
  // Fingerprint before reading: an edit made while loading changes the next fingerprint and is picked up then.
  auto fingerprint = application_files_fingerprint(path_);
  if (fingerprint_ && *fingerprint_ == fingerprint) return std::nullopt;
  fingerprint_ = fingerprint;
  return load_application_files(path_);
}

}  // namespace gitmoor::engine
