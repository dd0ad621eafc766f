#pragma once
// Applications declared in files (`gitmoor serve --apps PATH`): one file or a folder searched recursively for
// *.yaml, *.yml and *.json, each possibly multi-document. Documents that are not Applications are skipped, so an
// Application can live next to the manifests it deploys. A bad file is reported and never hides the good ones.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gitmoor/engine/application.hpp"

namespace gitmoor::engine {

// One problem with one file; message starts with `file:line:` when the line is known, else `file: `.
struct ApplicationFileError {
  std::filesystem::path file;
  std::string message;
};

struct ApplicationFiles {
  std::vector<Application> applications;  // origin File, `file` set; in path order, first of a duplicate name kept
  std::vector<ApplicationFileError> errors;
};

// The files load_application_files reads under `path`, sorted. Hidden entries (`.git`, editor swap files) are
// skipped in folders; a file named directly is always read.
std::vector<std::filesystem::path> application_file_paths(const std::filesystem::path& path);

// Reads every Application under `path`. A missing path is one error; an unreadable or undecodable file is an error
// for that file; two Applications with one name are an error naming both files (the first, in path order, is kept).
ApplicationFiles load_application_files(const std::filesystem::path& path);

// A cheap summary of the paths, sizes and modification times of the files under `path` (no file is read): equal
// fingerprints mean there is nothing new to load. Cheap enough to poll every second.
std::uint64_t application_files_fingerprint(const std::filesystem::path& path);

// Polls a path and re-reads it only when its fingerprint changed.
class ApplicationFileWatcher {
 public:
  explicit ApplicationFileWatcher(std::filesystem::path path) : path_(std::move(path)) {}
  // A fresh load on the first call and whenever the files changed since the previous load; otherwise nullopt.
  std::optional<ApplicationFiles> poll();
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::optional<std::uint64_t> fingerprint_;
};

}  // namespace gitmoor::engine
