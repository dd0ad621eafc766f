// The CLI config file (contexts, 0600/0700) and which server and token a command uses (flag > env > config).
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "client_config.hpp"

using namespace gitmoor::cli;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "gitmoor-cli-config-XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

unsigned mode_of(const std::filesystem::path& p) {
  struct stat st {};
  ::stat(p.c_str(), &st);
  return st.st_mode & 0777;
}

auto environment(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    const auto it = values.find(name);
    return it == values.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

ClientConfig two_contexts() {
  ClientConfig config;
  config.upsert({.name = "prod", .server = "https://gitmoor.example.com", .user = "admin", .auth_token = "prod-token"});
  config.upsert({.name = "127.0.0.1:8080", .server = "http://127.0.0.1:8080", .user = "admin",
                 .auth_token = "local-token", .insecure = true});
  config.current_context = "127.0.0.1:8080";
  return config;
}

}  // namespace

TEST_CASE("the config file keeps several contexts and is private to its owner", "[cli]") {
  TempDir dir;
  const auto path = dir.path / "xdg" / "gitmoor" / "config";
  two_contexts().save(path);
  CHECK(mode_of(path) == 0600);
  CHECK(mode_of(path.parent_path()) == 0700);

  const auto loaded = ClientConfig::load(path);
  CHECK(loaded.current_context == "127.0.0.1:8080");
  REQUIRE(loaded.contexts.size() == 2);
  const auto* prod = loaded.find("prod");
  REQUIRE(prod != nullptr);
  CHECK(prod->server == "https://gitmoor.example.com");
  CHECK(prod->auth_token == "prod-token");
  CHECK_FALSE(prod->insecure);
  CHECK(loaded.current()->insecure);

  // argocd's layout: contexts, servers and users, keyed by name.
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK_THAT(text, Catch::Contains("current-context: 127.0.0.1:8080"));
  CHECK_THAT(text, Catch::Contains("auth-token: prod-token"));

  // A rewrite of an existing file keeps it private (an umask or a chmod by hand is undone).
  ::chmod(path.c_str(), 0644);
  auto again = loaded;
  again.remove("prod");
  again.save(path);
  CHECK(mode_of(path) == 0600);
  CHECK(ClientConfig::load(path).contexts.size() == 1);
  CHECK(ClientConfig::load(dir.path / "none").contexts.empty());
}

TEST_CASE("a malformed config file is an error naming it", "[cli]") {
  TempDir dir;
  const auto path = dir.path / "config";
  std::ofstream(path) << "contexts:\n- name: x\n";
  CHECK_THROWS_WITH(ClientConfig::load(path), Catch::Contains(path.string()) && Catch::Contains("server"));
}

TEST_CASE("the config path follows XDG_CONFIG_HOME, then HOME", "[cli]") {
  CHECK(default_config_path(environment({{"XDG_CONFIG_HOME", "/x"}, {"HOME", "/h"}})) == "/x/gitmoor/config");
  CHECK(default_config_path(environment({{"HOME", "/h"}})) == "/h/.config/gitmoor/config");
  CHECK_THROWS(default_config_path(environment({})));
}

TEST_CASE("a flag beats the environment, which beats the config's context", "[cli]") {
  const auto config = two_contexts();
  auto c = resolve_connection({}, config, environment({}));
  CHECK(c.server == "http://127.0.0.1:8080");
  CHECK(c.auth_token == "local-token");
  CHECK(c.insecure);

  c = resolve_connection({}, config, environment({{"GITMOOR_SERVER", "https://ci.example.com"},
                                                  {"GITMOOR_AUTH_TOKEN", "ci-token"}}));
  CHECK(c.server == "https://ci.example.com");
  CHECK(c.auth_token == "ci-token");
  CHECK_FALSE(c.insecure);

  c = resolve_connection({.server = "gitmoor.example.com", .auth_token = "flag-token"}, config,
                         environment({{"GITMOOR_AUTH_TOKEN", "ci-token"}}));
  CHECK(c.server == "https://gitmoor.example.com");
  CHECK(c.auth_token == "flag-token");

  // --server naming a context's server uses that context's token; --context picks a context.
  c = resolve_connection({.server = "https://gitmoor.example.com"}, config, environment({}));
  CHECK(c.auth_token == "prod-token");
  c = resolve_connection({.context = "prod"}, config, environment({}));
  CHECK(c.server == "https://gitmoor.example.com");
  CHECK_THROWS_WITH(resolve_connection({.context = "nope"}, config, environment({})), Catch::Contains("nope"));
}

TEST_CASE("a context's token is never sent to another server", "[cli]") {
  const auto c = resolve_connection({.server = "https://elsewhere.example.com"}, two_contexts(), environment({}));
  CHECK(c.server == "https://elsewhere.example.com");
  CHECK(c.auth_token.empty());
  CHECK_THROWS_WITH(resolve_connection({}, ClientConfig{}, environment({})), Catch::Contains("GITMOOR_SERVER"));
}
