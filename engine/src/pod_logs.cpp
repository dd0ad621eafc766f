// Controller::check_pod_logs and pod_logs: the log of a Pod in the app's resource tree, from the API server's
// pods/log (timestamps on, so each line carries the kubelet's time), line by line. A Pod outside the tree is
// refused: a read-only caller of one app must not read any Pod of the cluster through it.
#include "controller_impl.hpp"
#include "query_encode.hpp"

namespace gitmoor::engine {

using core::Json;

namespace {

// A non-followed log is read whole: capped, so a chatty Pod cannot fill the server's memory (kubectl's limitBytes).
constexpr std::int64_t kLogLimitBytes = 10 * 1024 * 1024;
// A followed log is one long request; the client reconnects after this (Argo CD's UI does).
constexpr auto kFollowTimeout = std::chrono::hours(1);

// The namespace of the Pod `pod` in the tree; throws ResourceNotFound naming it when the tree has none.
std::string pod_namespace(const Json& tree, const std::string& app, const std::string& pod) {
  for (const auto& node : tree["nodes"]) {
    if (node.value("group", "") == "" && node.value("kind", "") == "Pod" && node.value("name", "") == pod) {
      return node.value("namespace", "");
    }
  }
  throw ResourceNotFound("application " + app + ": pod " + pod + " is not part of the application's resource tree");
}

// "2026-12-02T00:53:38.001500000Z text" → {text, time}. A line without the prefix is all content.
LogEntry parse_line(std::string_view line, const std::string& pod) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  LogEntry entry{.content = std::string(line), .time_stamp = {}, .pod_name = pod};
  const auto space = line.find(' ');
  if (space != std::string_view::npos && space >= 20 && std::isdigit(static_cast<unsigned char>(line[0])) &&
      line[10] == 'T' && line[space - 1] == 'Z') {
    entry.time_stamp = std::string(line.substr(0, space));
    entry.content = std::string(line.substr(space + 1));
  }
  return entry;
}

// The API server's refusal as the caller's error: a Pod gone (404), options or a container it rejects (400).
[[noreturn]] void refuse(long status, const std::string& body, const std::string& subject) {
  std::string message;
  try {
    message = Json::parse(body).value("message", "");
  } catch (const std::exception&) {
    message = body.substr(0, 300);
  }
  if (message.empty()) message = "HTTP " + std::to_string(status);
  if (status == 404) throw ResourceNotFound(subject + ": " + message);
  if (status == 400) throw core::InvalidInput(subject + ": " + message);
  throw core::EnvironmentError(subject + ": " + message);
}

}  // namespace

void Controller::check_pod_logs(const std::string& name, const PodLogsRequest& request) const {
  if (request.pod_name.empty()) throw core::InvalidInput("application " + name + ": podName is required");
  (void)pod_namespace(impl_->tree_of(name), name, request.pod_name);
}

void Controller::pod_logs(const std::string& name, const PodLogsRequest& request,
                          const std::function<bool(const LogEntry&)>& on_entry,
                          const std::function<bool()>& cancelled) const {
  if (request.pod_name.empty()) throw core::InvalidInput("application " + name + ": podName is required");
  const std::string ns = pod_namespace(impl_->tree_of(name), name, request.pod_name);
  std::string path = "/api/v1/namespaces/" + ns + "/pods/" + query_encode(request.pod_name) + "/log?timestamps=true";
  if (!request.container.empty()) path += "&container=" + query_encode(request.container);
  if (request.tail_lines) path += "&tailLines=" + std::to_string(*request.tail_lines);
  if (request.since_seconds) path += "&sinceSeconds=" + std::to_string(*request.since_seconds);
  const std::string subject = "logs of pod " + ns + "/" + request.pod_name;

  if (!request.follow) {
    path += "&limitBytes=" + std::to_string(kLogLimitBytes);
    const auto response = impl_->client.send({.method = "GET", .path = path});
    if (response.status >= 400) refuse(response.status, response.body, subject);
    std::string_view body = response.body;
    while (!body.empty()) {
      const auto end = body.find('\n');
      const auto line = body.substr(0, end);
      if (!on_entry(parse_line(line, request.pod_name))) return;
      if (end == std::string_view::npos) break;
      body.remove_prefix(end + 1);
    }
    return;
  }

  path += "&follow=true";
  std::string error_body;
  bool refused = false;  // the consumer stopped: not an error
  const long status = impl_->client.stream(
      path,
      [&](std::string_view line) {
        refused = !on_entry(parse_line(line, request.pod_name));
        return !refused;
      },
      cancelled, kFollowTimeout, &error_body);
  if (status >= 400) refuse(status, error_body, subject);
  if (status == 0 && !refused && !cancelled()) throw core::EnvironmentError(subject + ": the API server could not be reached");
}

}  // namespace gitmoor::engine
