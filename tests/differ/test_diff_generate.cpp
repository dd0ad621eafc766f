// Regenerates tests/testdata/diff/*/live.yaml from the sandbox and real kubectl, on demand only:
//   GITMOOR_REGENERATE_DIFF_FIXTURES=1 build/differ/tests/gitmoor_differ_tests "[.generate]"
// GITMOOR_DIFF_CASE=<folder name> regenerates only that case (the others keep their uids and timestamps).
// CTest registers hidden tests too, so without the variable this does nothing: a full ctest run must not rewrite
// the fixtures.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "diff_cases.hpp"

using namespace gitmoor;

TEST_CASE("regenerate live.yaml of the diff fixtures", "[.generate]") {
  if (std::getenv("GITMOOR_REGENERATE_DIFF_FIXTURES") == nullptr) return;
  const char* only = std::getenv("GITMOOR_DIFF_CASE");
  for (const auto& c : test::diff_cases()) {
    if (only != nullptr && c.name != only) continue;
    INFO(c.name);
    test::KubectlEnv env;
    const auto files = test::replay(env, c);
    std::vector<core::Json> live;
    for (const auto& file : files) {
      auto got = env.json({"get", "-f", file, "--show-managed-fields"});
      if (got.value("kind", "") == "List") {
        for (auto& item : got["items"]) live.push_back(item);
      } else {
        live.push_back(got);
      }
    }
    test::write_text(c.dir / "live.yaml", core::to_yaml_stream(live));
  }
}
