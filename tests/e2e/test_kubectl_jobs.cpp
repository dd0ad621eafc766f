// Real kubectl against the simulated Job controller: a Job whose Pods fail is Failed with BackoffLimitExceeded.
#include <catch2/catch.hpp>

#include "kubectl_env.hpp"

using gitmoor::test::KubectlEnv;
using Json = nlohmann::json;

TEST_CASE("kubectl wait --for=condition=Failed sees a Job whose Pods exit 1 fail after its backoffLimit", "[e2e]") {
  KubectlEnv env;
  auto file = env.write_file("job.yaml", R"(apiVersion: batch/v1
kind: Job
metadata: {name: migrate}
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: migrate
        image: busybox:1.36
        command: ["sh", "-c", "echo migrating; exit 1"]
)");
  auto applied = env.kubectl({"apply", "--server-side", "-f", file});
  INFO(applied.stderr_data);
  REQUIRE(applied.exit_code == 0);
  auto failed = env.kubectl({"wait", "--for=condition=Failed", "job/migrate", "--timeout=60s"});
  INFO(failed.stderr_data);
  CHECK(failed.exit_code == 0);
  CHECK(failed.stdout_data.find("job.batch/migrate condition met") != std::string::npos);
  Json job = env.json({"get", "job", "migrate"});
  CHECK(job["status"]["failed"] == 2);
  bool backoff = false;
  for (const auto& c : job["status"]["conditions"]) {
    if (c["type"] == "Failed") backoff = c["reason"] == "BackoffLimitExceeded" && c["status"] == "True";
  }
  CHECK(backoff);
  Json pods = env.json({"get", "pods", "-l", "job-name=migrate"});
  REQUIRE(pods["items"].size() == 2);
  for (const auto& p : pods["items"]) {
    CHECK(p["status"]["phase"] == "Failed");
    CHECK(p["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 1);
  }
  // kubectl's own view: the Job is not complete, so waiting for Complete times out.
  auto complete = env.kubectl({"wait", "--for=condition=Complete", "job/migrate", "--timeout=1s"});
  CHECK(complete.exit_code != 0);
}
