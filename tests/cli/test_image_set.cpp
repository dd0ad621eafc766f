// `gitmoor image set`: the binary edits a YAML file in place, reports what it changed, and on any error says why
// (naming the file) with exit code 2, leaving the file as it was.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gitmoor/core/subprocess.hpp"
#include "test_paths.hpp"

namespace fs = std::filesystem;

namespace {

gitmoor::core::SubprocessResult gitmoor_cli(std::vector<std::string> args) {
  args.insert(args.begin(), gitmoor::test::gitmoor_binary().string());
  return gitmoor::core::run_subprocess(args, {.timeout = std::chrono::seconds(20)});
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

struct ValuesFile {
  fs::path dir = fs::temp_directory_path() / ("gitmoor-image-set-" + std::to_string(::getpid()));
  fs::path path = dir / "values.yaml";
  explicit ValuesFile(const std::string& text) {
    fs::create_directories(dir);
    std::ofstream(path, std::ios::binary) << text;
  }
  ~ValuesFile() { fs::remove_all(dir); }
};

const std::string kValues =
    "# The backend.\n"
    "backend:\n"
    "  image:\n"
    "    repository: docker.io/tetris/game-backend\n"
    "    tag: \"0.1.0\"  # CI sets the commit SHA\n"
    "image:\n"
    "  tag: 0.1.0\n";

}  // namespace

TEST_CASE("gitmoor image set writes the value in place and says what changed", "[cli][image_set]") {
  ValuesFile values(kValues);
  const auto result = gitmoor_cli({"image", "set", "--file", values.path.string(), "--key", "backend.image.tag",
                                   "--key", "image.tag", "--value", "1234567"});
  INFO(result.stderr_data);
  REQUIRE(result.exit_code == 0);
  CHECK(result.stdout_data == values.path.string() + ":5: backend.image.tag: 0.1.0 -> 1234567\n" +
                                  values.path.string() + ":7: image.tag: 0.1.0 -> 1234567\n");
  // Quoting kept where it was; the plain value quoted because 1234567 would otherwise be a number.
  CHECK(read_file(values.path) ==
        "# The backend.\nbackend:\n  image:\n    repository: docker.io/tetris/game-backend\n"
        "    tag: \"1234567\"  # CI sets the commit SHA\nimage:\n  tag: \"1234567\"\n");

  const auto again = gitmoor_cli({"image", "set", "-f", values.path.string(), "-k", "image.tag", "--value", "1234567"});
  CHECK(again.exit_code == 0);
  CHECK(again.stdout_data == values.path.string() + ":7: image.tag: 1234567 (unchanged)\n");
}

TEST_CASE("gitmoor image set: a missing key, non-YAML or a missing file is exit code 2 and no change",
          "[cli][image_set]") {
  ValuesFile values(kValues);
  const std::string file = values.path.string();

  const auto missing_key = gitmoor_cli({"image", "set", "--file", file, "--key", "backend.image.tga", "--value", "x"});
  CHECK(missing_key.exit_code == 2);
  CHECK(missing_key.stderr_data ==
        "error: " + file + ":4:5: key `backend.image.tga` not found: `backend.image` has no key `tga`\n");
  CHECK(read_file(values.path) == kValues);

  const auto mapping = gitmoor_cli({"image", "set", "--file", file, "--key", "backend.image", "--value", "x"});
  CHECK(mapping.exit_code == 2);
  CHECK_THAT(mapping.stderr_data, Catch::Contains(file + ":4:5: key `backend.image` is a mapping, not a scalar"));
  CHECK(read_file(values.path) == kValues);

  std::ofstream(values.path, std::ios::binary) << "image:\n  tag: [0.1.0\n";
  const auto not_yaml = gitmoor_cli({"image", "set", "--file", file, "--key", "image.tag", "--value", "x"});
  CHECK(not_yaml.exit_code == 2);
  CHECK_THAT(not_yaml.stderr_data, Catch::StartsWith("error: " + file + ":"));
  CHECK(read_file(values.path) == "image:\n  tag: [0.1.0\n");

  const auto no_file = gitmoor_cli({"image", "set", "--file", file + ".missing", "--key", "image.tag", "--value", "x"});
  CHECK(no_file.exit_code == 2);
  CHECK(no_file.stderr_data == "error: " + file + ".missing: no such file\n");
  CHECK_FALSE(fs::exists(file + ".missing"));

  const auto no_value = gitmoor_cli({"image", "set", "--file", file, "--key", "image.tag"});
  CHECK(no_value.exit_code == 2);
  CHECK_THAT(no_value.stderr_data, Catch::Contains("--value is required"));
}

TEST_CASE("gitmoor image set --help names its flags", "[cli][image_set]") {
  const auto help = gitmoor_cli({"image", "set", "--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.stdout_data, Catch::Contains("--file"));
  CHECK_THAT(help.stdout_data, Catch::Contains("--key"));
  CHECK_THAT(help.stdout_data, Catch::Contains("--value"));
  CHECK_THAT(help.stdout_data, Catch::Contains("keeping comments and formatting"));
}
