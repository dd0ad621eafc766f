// Regenerates tests/testdata/diff/*/live.yaml from the sandbox and real kubectl; hidden, run on demand:
//   build/differ/tests/gitmoor_differ_tests "[.generate]"
#include <catch2/catch.hpp>

#include "diff_cases.hpp"

using namespace gitmoor;

TEST_CASE("regenerate live.yaml of the diff fixtures", "[.generate]") {
  for (const auto& c : test::diff_cases()) {
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
