// The differ predicts the API server: every golden pair gets the same verdict (in sync or not) from `gitmoor diff`
// and from `kubectl diff --server-side --field-manager=gitmoor --force-conflicts` against a sandbox holding the live
// state. Where the verdicts legitimately differ (gitmoor's own ignore rules, representation-only quantity rewrites,
// the sandbox storing quantities as written) expected.yaml says what kubectl answers and why; a case the sandbox
// cannot replay faithfully names the gap (`sandboxGap`) and is skipped.
#include <catch2/catch.hpp>

#include "diff_cases.hpp"

using namespace gitmoor;

TEST_CASE("gitmoor diff and kubectl diff --server-side agree on every golden pair", "[differ][kubectl]") {
  const auto cases = test::diff_cases();
  REQUIRE(cases.size() >= 40);
  int agreed_with_gitmoor = 0;
  for (const auto& c : cases) {
    INFO("case " << c.name);
    if (c.expected.contains("sandboxGap")) {
      WARN(c.name << ": skipped, " << c.expected["sandboxGap"].get<std::string>());
      continue;
    }
    // Controllers off: `kubectl diff` reads the object, then dry-runs the apply; a status write by a simulated
    // controller between the two would show up as a difference and make the verdict depend on timing.
    sandbox::SandboxOptions options;
    options.controllers = false;
    test::KubectlEnv env(options);
    test::replay(env, c);

    std::vector<std::string> args{test::gitmoor_binary().string(), "diff", "--desired", (c.dir / "desired.yaml").string(),
                                  "--live", (c.dir / "live.yaml").string()};
    if (c.expected.contains("ignoreDifferences")) {
      args.push_back("--ignore-differences");
      args.push_back(env.write_file("ignore.yaml", core::to_yaml(c.expected["ignoreDifferences"])));
    }
    const auto ours = core::run_subprocess(args);
    REQUIRE((ours.exit_code == 0 || ours.exit_code == 1));

    const auto theirs = env.kubectl({"diff", "--server-side", "--field-manager=gitmoor", "--force-conflicts", "-f",
                                     (c.dir / "desired.yaml").string()});
    INFO("kubectl diff:\n" << theirs.stdout_data << theirs.stderr_data);
    CHECK((theirs.exit_code == 0 || theirs.exit_code == 1));
    if (theirs.exit_code > 1) continue;

    const std::string gitmoor_verdict = ours.exit_code == 0 ? "Synced" : "OutOfSync";
    const std::string kubectl_verdict = theirs.exit_code == 0 ? "Synced" : "OutOfSync";
    const std::string expected_kubectl = c.expected.value("kubectl", gitmoor_verdict);
    CHECK(kubectl_verdict == expected_kubectl);
    if (expected_kubectl == gitmoor_verdict) ++agreed_with_gitmoor;
  }
  // Most pairs have no reason to differ; the exceptions are listed per case.
  CHECK(agreed_with_gitmoor >= 40);
}
