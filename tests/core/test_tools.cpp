#include <cstdlib>
#include <filesystem>

#include <catch2/catch.hpp>

#include "gitmoor/core/error.hpp"
#include "gitmoor/core/subprocess.hpp"
#include "gitmoor/core/tools.hpp"

using namespace gitmoor::core;

namespace {
// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1); else ::unsetenv(name_);
  }
 private:
  const char* name_;
  std::optional<std::string> old_;
};
}  // namespace

TEST_CASE("tools: the environment variable overrides the tools folder", "[tools]") {
  ScopedEnv env("GITMOOR_HELM", "/bin/true");
  CHECK(tool_path(Tool::Helm) == "/bin/true");
}

TEST_CASE("tools: a bad override is an error naming the variable", "[tools]") {
  ScopedEnv env("GITMOOR_KUBECTL", "/nonexistent/kubectl");
  CHECK_THROWS_WITH(tool_path(Tool::Kubectl), Catch::Contains("GITMOOR_KUBECTL=/nonexistent/kubectl"));
}

// The set-up script installs the pinned versions; every test that runs helm or kubectl relies on this.
TEST_CASE("tools: helm v4 and kubectl v1.35 are installed and found", "[tools]") {
  auto helm = run_subprocess({tool_path(Tool::Helm).string(), "version", "--short"});
  CHECK(helm.exit_code == 0);
  CHECK_THAT(helm.stdout_data, Catch::StartsWith("v4."));
  auto kubectl = run_subprocess({tool_path(Tool::Kubectl).string(), "version", "--client"});
  CHECK(kubectl.exit_code == 0);
  CHECK_THAT(kubectl.stdout_data, Catch::Contains("Client Version: v1.35."));
}
