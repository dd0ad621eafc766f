// `--apps PATH`: Applications from files and folders, errors per file, duplicates, and the cheap change check.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <random>

#include "gitmoor/engine/application_files.hpp"
#include "test_paths.hpp"

using namespace gitmoor;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("gitmoor-apps-" + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const fs::path& path() const { return path_; }
  fs::path write(const std::string& name, const std::string& content) const {
    auto file = path_ / name;
    fs::create_directories(file.parent_path());
    std::ofstream(file) << content;
    return file;
  }

 private:
  fs::path path_;
};

std::string app_yaml(const std::string& name, const std::string& repo = "https://example.com/r.git") {
  return "apiVersion: gitmoor.dev/v1alpha1\nkind: Application\nmetadata:\n  name: " + name +
         "\nspec:\n  source:\n    repoURL: " + repo + "\n  destination:\n    name: in-cluster\n";
}

std::vector<std::string> names(const engine::ApplicationFiles& files) {
  std::vector<std::string> out;
  for (const auto& app : files.applications) out.push_back(app.name);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("Application files: a folder yields its good apps, and one error per bad file", "[engine][application]") {
  const auto dir = test::testdata_dir() / "applications" / "apps";
  auto loaded = engine::load_application_files(dir);
  // tetris.yaml (beside a ConfigMap), nested/guestbook.yml (two apps, one with a spec error), nested/redis.json;
  // .hidden/ is skipped; broken.yaml (bad YAML) and nameless.yaml (no metadata.name) are errors.
  CHECK(names(loaded) == std::vector<std::string>{"guestbook", "guestbook-broken", "redis", "tetris"});
  REQUIRE(loaded.errors.size() == 2);
  CHECK(loaded.errors[0].file == dir / "broken.yaml");
  CHECK_THAT(loaded.errors[0].message, Contains((dir / "broken.yaml").string() + ":"));
  CHECK(loaded.errors[1].file == dir / "nameless.yaml");
  CHECK_THAT(loaded.errors[1].message, Contains((dir / "nameless.yaml").string() + ":1") && Contains("metadata.name"));

  for (const auto& app : loaded.applications) {
    CHECK(app.origin == engine::ApplicationOrigin::File);
    if (app.name == "tetris") {
      CHECK(app.file == (dir / "tetris.yaml").string());
      CHECK(app.api_version == "argoproj.io/v1alpha1");
      CHECK(app.subject() == "Application tetris (" + (dir / "tetris.yaml").string() + ")");
      CHECK(app.spec_errors.empty());
    }
    if (app.name == "guestbook-broken") CHECK(app.spec_errors == std::vector<std::string>{"spec.source.repoURL is required"});
    if (app.name == "redis") CHECK(app.target_namespace() == "data");
  }
}

TEST_CASE("Application files: a single file path is read as is", "[engine][application]") {
  auto file = test::testdata_dir() / "applications" / "apps" / "nested" / "guestbook.yml";
  auto loaded = engine::load_application_files(file);
  CHECK(names(loaded) == std::vector<std::string>{"guestbook", "guestbook-broken"});
  CHECK(loaded.errors.empty());

  auto missing = engine::load_application_files(test::testdata_dir() / "applications" / "no-such-dir");
  CHECK(missing.applications.empty());
  REQUIRE(missing.errors.size() == 1);
  CHECK_THAT(missing.errors[0].message, Contains("no-such-dir") && Contains("no such file"));
}

TEST_CASE("Application files: a duplicate name is an error naming both files", "[engine][application]") {
  TempDir dir;
  auto first = dir.write("a.yaml", app_yaml("shop", "https://example.com/first.git"));
  auto second = dir.write("b/shop.yaml", app_yaml("shop", "https://example.com/second.git"));
  dir.write("c.yaml", app_yaml("other"));
  auto loaded = engine::load_application_files(dir.path());
  CHECK(names(loaded) == std::vector<std::string>{"other", "shop"});
  for (const auto& app : loaded.applications) {
    if (app.name == "shop") CHECK(app.source.repo_url == "https://example.com/first.git");
  }
  REQUIRE(loaded.errors.size() == 1);
  CHECK(loaded.errors[0].file == second);
  CHECK_THAT(loaded.errors[0].message, Contains(second.string()) && Contains(first.string()) && Contains("shop"));
}

TEST_CASE("Application files: the watcher re-reads only when a file is added, changed or removed",
          "[engine][application]") {
  TempDir dir;
  dir.write("a.yaml", app_yaml("a"));
  engine::ApplicationFileWatcher watcher(dir.path());
  auto first = watcher.poll();
  REQUIRE(first.has_value());
  CHECK(names(*first) == std::vector<std::string>{"a"});
  CHECK_FALSE(watcher.poll().has_value());

  auto b = dir.write("sub/b.yaml", app_yaml("b"));
  auto added = watcher.poll();
  REQUIRE(added.has_value());
  CHECK(names(*added) == std::vector<std::string>{"a", "b"});
  CHECK_FALSE(watcher.poll().has_value());

  // A change of content: the size differs; the modification time is set apart too, whatever the clock's resolution.
  dir.write("sub/b.yaml", app_yaml("b", "https://example.com/moved.git"));
  fs::last_write_time(b, fs::last_write_time(b) + std::chrono::seconds(5));
  auto changed = watcher.poll();
  REQUIRE(changed.has_value());
  REQUIRE(changed->applications.size() == 2);
  CHECK(changed->applications[1].source.repo_url == "https://example.com/moved.git");

  // Same size, new mtime: a rewrite with equal length is seen too.
  auto before = engine::application_files_fingerprint(dir.path());
  fs::last_write_time(b, fs::last_write_time(b) + std::chrono::seconds(5));
  CHECK(engine::application_files_fingerprint(dir.path()) != before);
  CHECK(watcher.poll().has_value());

  dir.write("notes.txt", "not a manifest");
  CHECK_FALSE(watcher.poll().has_value());

  fs::remove(b);
  auto removed = watcher.poll();
  REQUIRE(removed.has_value());
  CHECK(names(*removed) == std::vector<std::string>{"a"});
}

TEST_CASE("Application files: a ConfigMap volume's symlink layout is read once and its updates are seen",
          "[engine][application]") {
  // What the kubelet writes for a ConfigMap volume: the data in a hidden timestamped folder, `..data` pointing at it,
  // and each key a symlink through `..data`; an update writes a new folder and swaps `..data`.
  TempDir dir;
  dir.write("..2026_11_26_01/apps.yaml", app_yaml("from-configmap", "https://example.com/v1.git"));
  fs::create_directory_symlink("..2026_11_26_01", dir.path() / "..data");
  fs::create_symlink("..data/apps.yaml", dir.path() / "apps.yaml");
  engine::ApplicationFileWatcher watcher(dir.path());
  auto first = watcher.poll();
  REQUIRE(first.has_value());
  CHECK(first->errors.empty());
  REQUIRE(first->applications.size() == 1);
  CHECK(first->applications[0].source.repo_url == "https://example.com/v1.git");
  CHECK_FALSE(watcher.poll().has_value());

  dir.write("..2026_11_26_02/apps.yaml", app_yaml("from-configmap", "https://example.com/version2.git"));
  fs::create_directory_symlink("..2026_11_26_02", dir.path() / "..data_tmp");
  fs::rename(dir.path() / "..data_tmp", dir.path() / "..data");
  auto updated = watcher.poll();
  REQUIRE(updated.has_value());
  REQUIRE(updated->applications.size() == 1);
  CHECK(updated->applications[0].source.repo_url == "https://example.com/version2.git");
}
