// The simulated Job controller: Pods run to completion with the exit code their command names; failed Pods are
// counted and replaced until failures exceed spec.backoffLimit, then the Job fails as kube's controller marks it.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "api_client.hpp"
#include "container_exit.hpp"

using gitmoor::sandbox::ApiOptions;
using gitmoor::sandbox::ApiServer;
using gitmoor::sandbox::container_exit_code;
using gitmoor::test::call;
using Json = nlohmann::json;

namespace {

ApiOptions fast_controllers() {
  ApiOptions o;
  o.controllers = true;
  o.pod_ready_delay = std::chrono::milliseconds(5);
  return o;
}

const char* kJobs = "/apis/batch/v1/namespaces/default/jobs";

Json job(const std::string& name, const Json& command, const Json& extra_spec = Json::object()) {
  Json j{{"apiVersion", "batch/v1"},
         {"kind", "Job"},
         {"metadata", {{"name", name}}},
         {"spec",
          {{"template",
            {{"spec",
              {{"restartPolicy", "Never"},
               {"containers", Json::array({{{"name", "hook"}, {"image", "busybox:1.36"}, {"command", command}}})}}}}}}}};
  for (const auto& [k, v] : extra_spec.items()) j["spec"][k] = v;
  return j;
}

bool has_condition(const Json& object, const std::string& type) {
  for (const auto& c : object.value("status", Json::object()).value("conditions", Json::array())) {
    if (c.value("type", "") == type && c.value("status", "") == "True") return true;
  }
  return false;
}

// Polls the Job until it has the condition; a generous deadline so a loaded machine does not fail the test.
Json wait_for_condition(ApiServer& api, const std::string& name, const std::string& type) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  Json last;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = call(api, "GET", std::string(kJobs) + "/" + name);
    if (r.status == 200) {
      last = r.body;
      if (has_condition(last, type)) return last;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL("job " << name << " never reached condition " << type << "; last seen: " << last.dump());
  return last;
}

std::vector<Json> pods_of(ApiServer& api, const std::string& job_name) {
  auto r = call(api, "GET", "/api/v1/namespaces/default/pods?labelSelector=job-name%3D" + job_name);
  REQUIRE(r.status == 200);
  return r.body["items"].get<std::vector<Json>>();
}

}  // namespace

TEST_CASE("container exit codes come from the command: exit N at the end, false, otherwise 0", "[sandbox][job]") {
  auto code = [](const Json& command, const Json& args = nullptr) {
    Json c{{"name", "c"}, {"command", command}};
    if (!args.is_null()) c["args"] = args;
    return container_exit_code(c);
  };
  CHECK(code({"sh", "-c", "exit 1"}) == 1);
  CHECK(code({"sh", "-c", "echo migrating; exit 3"}) == 3);
  CHECK(code({"sh", "-c", "echo x && exit 42 ;"}) == 42);
  CHECK(code({"sh"}, {"-c", "exit 7"}) == 7);  // the script in args
  CHECK(code({"/bin/sh", "-c", "exit 300"}) == 44);  // a shell's exit status is modulo 256
  CHECK(code({"false"}) == 1);
  CHECK(code({"/bin/false"}) == 1);
  CHECK(code({"sh", "-c", "exit 0"}) == 0);
  CHECK(code({"sh", "-c", "exit 1; echo after"}) == 0);  // exit is not the last command
  CHECK(code({"sh", "-c", "myexit 1"}) == 0);
  CHECK(code({"echo", "false"}) == 0);
  CHECK(code({"true"}) == 0);
  CHECK(container_exit_code(Json{{"name", "no-command"}, {"image", "busybox"}}) == 0);
}

TEST_CASE("a Job whose Pods exit non-zero fails with BackoffLimitExceeded after backoffLimit+1 failed Pods",
          "[sandbox][job]") {
  ApiServer api(fast_controllers());
  REQUIRE(call(api, "POST", kJobs, job("migrate", {"sh", "-c", "echo migrating; exit 1"}, {{"backoffLimit", 2}}))
              .status == 201);
  Json failed = wait_for_condition(api, "migrate", "Failed");
  const Json& status = failed["status"];
  CHECK(status["failed"] == 3);
  CHECK_FALSE(status.contains("succeeded"));
  CHECK_FALSE(status.contains("active"));
  CHECK_FALSE(status.contains("completionTime"));
  REQUIRE(status["conditions"].size() == 2);
  CHECK(status["conditions"][0]["type"] == "FailureTarget");
  CHECK(status["conditions"][1]["type"] == "Failed");
  for (const auto& c : status["conditions"]) {
    CHECK(c["status"] == "True");
    CHECK(c["reason"] == "BackoffLimitExceeded");
    CHECK(c["message"] == "Job has reached the specified backoff limit");
  }
  auto pods = pods_of(api, "migrate");
  REQUIRE(pods.size() == 3);
  for (const auto& p : pods) {
    CHECK(p["status"]["phase"] == "Failed");
    const Json& terminated = p["status"]["containerStatuses"][0]["state"]["terminated"];
    CHECK(terminated["exitCode"] == 1);
    CHECK(terminated["reason"] == "Error");
    for (const auto& c : p["status"]["conditions"]) {
      if (c["type"] == "Ready") CHECK(c["reason"] == "PodFailed");
    }
  }
  // Still three Pods after the controller has had time to act on the last failure: no replacement once failed.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(pods_of(api, "migrate").size() == 3);
  auto again = call(api, "GET", std::string(kJobs) + "/migrate");
  CHECK(again.body["status"]["failed"] == 3);
}

TEST_CASE("a Job running false fails after the default backoffLimit of 6", "[sandbox][job]") {
  ApiServer api(fast_controllers());
  REQUIRE(call(api, "POST", kJobs, job("broken", {"false"})).status == 201);
  Json failed = wait_for_condition(api, "broken", "Failed");
  CHECK(failed["spec"]["backoffLimit"] == 6);
  CHECK(failed["status"]["failed"] == 7);
  CHECK(pods_of(api, "broken").size() == 7);
  CHECK_FALSE(has_condition(failed, "Complete"));
}

TEST_CASE("a Job with backoffLimit 0 fails on its first failed Pod, exit 0 still completes", "[sandbox][job]") {
  ApiServer api(fast_controllers());
  REQUIRE(call(api, "POST", kJobs, job("once", {"sh", "-c", "exit 5"}, {{"backoffLimit", 0}})).status == 201);
  REQUIRE(call(api, "POST", kJobs, job("fine", {"sh", "-c", "exit 0"})).status == 201);
  Json once = wait_for_condition(api, "once", "Failed");
  CHECK(once["status"]["failed"] == 1);
  auto once_pods = pods_of(api, "once");
  REQUIRE(once_pods.size() == 1);
  CHECK(once_pods[0]["status"]["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 5);
  Json fine = wait_for_condition(api, "fine", "Complete");
  CHECK(fine["status"]["succeeded"] == 1);
  CHECK_FALSE(fine["status"].contains("failed"));
  auto fine_pods = pods_of(api, "fine");
  REQUIRE(fine_pods.size() == 1);
  CHECK(fine_pods[0]["status"]["phase"] == "Succeeded");
  CHECK(fine_pods[0]["status"]["containerStatuses"][0]["state"]["terminated"]["reason"] == "Completed");
}
