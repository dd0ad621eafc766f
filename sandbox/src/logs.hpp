#pragma once
// Pod logs (`GET /api/v1/namespaces/NS/pods/NAME/log`), simulated: no process runs, so a container's log is made up,
// deterministically, from its status: start-up lines (image, command, listening ports), then an access-log line
// every two seconds while it runs, and an exit line when it has terminated (a Job's Pod, or the last run of a
// crash-looping container). The query options are kube's PodLogOptions: container, previous, timestamps, follow,
// tailLines, sinceSeconds, sinceTime, limitBytes; the errors are the kubelet's and the API server's.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cluster.hpp"
#include "gitmoor/sandbox/api_server.hpp"

namespace gitmoor::sandbox {

using SystemTime = std::chrono::system_clock::time_point;

// One run of a container: what its log is made from.
struct ContainerRun {
  std::string container;
  std::string image;
  std::vector<std::string> command;          // command then args, as written
  std::vector<std::string> ports;            // "80/TCP"
  SystemTime started;
  std::optional<SystemTime> finished;        // set when the run has ended
  int exit_code = 0;
};

struct LogLine {
  SystemTime at;
  std::string text;
};

// The lines `run` has written up to `until` (its end, if it ended before).
std::vector<LogLine> log_lines(const ContainerRun& run, SystemTime until);

// `2026-12-02T00:53:38.001500000Z `: the kubelet's RFC 3339 timestamp prefix (nanoseconds, fixed width).
std::string log_timestamp(SystemTime at);

// Answers a log request: the text (text/plain), or with follow=true a stream that stays open, delivers lines as the
// run writes them and ends when the run ends or the Pod goes. Throws ApiError (404 for a missing Pod, 400 with
// kube's messages for a bad container, a container not started, a missing previous run, bad options).
// Takes the store mutex itself.
Response pod_log(Cluster& cluster, const std::string& ns, const std::string& name,
                 const std::map<std::string, std::string>& query);

}  // namespace gitmoor::sandbox
