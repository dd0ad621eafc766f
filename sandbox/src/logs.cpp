#include "logs.hpp"

#include "timestamps.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <memory>
#include <thread>
#include <utility>

#include "status.hpp"

namespace gitmoor::sandbox {

namespace {

using namespace std::chrono_literals;

constexpr auto kRequestEvery = 2s;               // one access-log line per interval while a container runs
constexpr std::size_t kMaxRequestLines = 10000;  // a long-running container keeps its most recent lines

// The access-log time: `02/Dec/2026:00:53:38 +0000`.
std::string clf_time(SystemTime at) {
  std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%d/%b/%Y:%H:%M:%S +0000", &tm);
  return buf;
}

// What a shell script's `echo` commands print (`sh -c "echo migrating; exit 3"` prints "migrating").
std::vector<std::string> echoed(const std::vector<std::string>& command) {
  std::vector<std::string> out;
  if (command.size() < 2 || command[command.size() - 2] != "-c") return out;
  const std::string& script = command.back();
  std::size_t start = 0;
  while (start < script.size()) {
    auto end = script.find_first_of(";\n&|", start);
    std::string part = script.substr(start, end == std::string::npos ? std::string::npos : end - start);
    while (!part.empty() && std::isspace(static_cast<unsigned char>(part.front()))) part.erase(0, 1);
    while (!part.empty() && std::isspace(static_cast<unsigned char>(part.back()))) part.pop_back();
    if (part.rfind("echo ", 0) == 0) {
      std::string text = part.substr(5);
      if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') && text.back() == text.front()) {
        text = text.substr(1, text.size() - 2);
      }
      out.push_back(text);
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

// The container's spec in `pod` (a pointer into it), or null.
const Json* container_spec(const Json& pod, const std::string& name) {
  auto spec = pod.find("spec");
  if (spec == pod.end() || !spec->is_object()) return nullptr;
  auto containers = spec->find("containers");
  if (containers == spec->end() || !containers->is_array()) return nullptr;
  for (const auto& c : *containers) {
    if (c.is_object() && c.value("name", "") == name) return &c;
  }
  return nullptr;
}

// A run from a container's spec and a state (`running` or `terminated`) of its status.
ContainerRun run_of(const Json& spec, const Json& state) {
  ContainerRun run;
  run.container = spec.value("name", "");
  run.image = spec.value("image", "");
  for (const char* key : {"command", "args"}) {
    for (const auto& w : spec.value(key, Json::array())) {
      if (w.is_string()) run.command.push_back(w);
    }
  }
  for (const auto& p : spec.value("ports", Json::array())) {
    if (p.is_object() && p.contains("containerPort")) {
      run.ports.push_back(p["containerPort"].dump() + "/" + p.value("protocol", "TCP"));
    }
  }
  run.started = parse_rfc3339(state.value("startedAt", "")).value_or(std::chrono::system_clock::now());
  if (state.contains("finishedAt")) {
    run.finished = parse_rfc3339(state.value("finishedAt", "")).value_or(run.started);
    run.exit_code = state.value("exitCode", 0);
  }
  return run;
}

struct LogOptions {
  std::string container;
  bool previous = false;
  bool timestamps = false;
  bool follow = false;
  std::optional<long long> tail_lines;
  std::optional<SystemTime> since;
  std::optional<long long> limit_bytes;
};

bool flag(const std::map<std::string, std::string>& q, const char* key) {
  auto it = q.find(key);
  return it != q.end() && (it->second == "true" || it->second == "1");
}

std::optional<long long> number(const std::map<std::string, std::string>& q, const char* key) {
  auto it = q.find(key);
  if (it == q.end() || it->second.empty()) return std::nullopt;
  try {
    std::size_t used = 0;
    long long v = std::stoll(it->second, &used);
    if (used == it->second.size()) return v;
  } catch (const std::exception&) {
  }
  throw bad_request("invalid value \"" + it->second + "\" for " + key);
}

LogOptions parse_options(const std::map<std::string, std::string>& q) {
  LogOptions o;
  if (auto it = q.find("container"); it != q.end()) o.container = it->second;
  o.previous = flag(q, "previous");
  o.timestamps = flag(q, "timestamps");
  o.follow = flag(q, "follow");
  o.tail_lines = number(q, "tailLines");
  o.limit_bytes = number(q, "limitBytes");
  auto since_seconds = number(q, "sinceSeconds");
  auto since_time = q.find("sinceTime");
  bool has_since_time = since_time != q.end() && !since_time->second.empty();
  // kube's PodLogOptions validation.
  if (o.tail_lines && *o.tail_lines < 0) throw bad_request("tailLines: Invalid value: " + std::to_string(*o.tail_lines) + ": must be greater than or equal to 0");
  if (o.limit_bytes && *o.limit_bytes < 1) throw bad_request("limitBytes: Invalid value: " + std::to_string(*o.limit_bytes) + ": must be greater than 0");
  if (since_seconds && has_since_time) throw bad_request("at most one of `sinceTime` or `sinceSeconds` may be specified");
  if (since_seconds) {
    if (*since_seconds < 1) throw bad_request("sinceSeconds: Invalid value: " + std::to_string(*since_seconds) + ": must be greater than 0");
    o.since = std::chrono::system_clock::now() - std::chrono::seconds(*since_seconds);
  } else if (has_since_time) {
    o.since = parse_rfc3339(since_time->second);
    if (!o.since) throw bad_request("parsing time \"" + since_time->second + "\" as RFC 3339: cannot parse");
  }
  return o;
}

std::string render(const LogLine& line, bool timestamps) {
  return (timestamps ? log_timestamp(line.at) + " " : std::string()) + line.text + "\n";
}

// Follows a running container: each pull returns the lines written since the last one.
class LogFollowStream : public WatchStream {
 public:
  LogFollowStream(Cluster& cluster, std::string ns, std::string name, std::string uid, ContainerRun run,
                  SystemTime cursor, bool timestamps, std::optional<long long> limit_bytes)
      : cluster_(cluster),
        ns_(std::move(ns)),
        name_(std::move(name)),
        uid_(std::move(uid)),
        run_(std::move(run)),
        cursor_(cursor),
        timestamps_(timestamps),
        remaining_(limit_bytes) {}

  // What the server writes first: the lines up to now (already filtered by the request's options).
  void preload(std::string text) { pending_ = std::move(text); }

  Next next(std::string& line, std::chrono::milliseconds wait) override {
    if (done_) return Next::End;
    if (!pending_.empty()) return deliver(std::exchange(pending_, {}), line);
    auto now = std::chrono::system_clock::now();
    std::string text = fresh(now);
    if (!text.empty()) return deliver(std::move(text), line);
    if (run_.finished && *run_.finished <= now) return end();
    if (wait.count() == 0) return Next::Idle;
    if (!pod_still_there()) return end();
    // Sleep until the next line is due, at most `wait`.
    auto next_at = std::max(cursor_, run_.started) + kRequestEvery;
    auto sleep = std::min<std::chrono::nanoseconds>(wait, std::max<std::chrono::nanoseconds>(next_at - now, 1ms));
    std::this_thread::sleep_for(sleep);
    text = fresh(std::chrono::system_clock::now());
    if (!text.empty()) return deliver(std::move(text), line);
    return Next::Idle;
  }

  void cancel() override { done_ = true; }

 private:
  std::string fresh(SystemTime now) {
    std::string out;
    for (const auto& l : log_lines(run_, now)) {
      if (l.at <= cursor_) continue;
      out += render(l, timestamps_);
      cursor_ = l.at;
    }
    return out;
  }

  Next deliver(std::string text, std::string& line) {
    if (remaining_) {
      if (static_cast<long long>(text.size()) >= *remaining_) {
        text.resize(static_cast<std::size_t>(*remaining_));
        done_ = true;  // the limit is reached: the stream ends after this
      }
      *remaining_ -= static_cast<long long>(text.size());
    }
    line = std::move(text);
    return Next::Data;
  }

  Next end() {
    done_ = true;
    return Next::End;
  }

  bool pod_still_there() {
    std::lock_guard lock(cluster_.store.mutex());
    ObjectPtr pod = cluster_.store.get({"pods", ns_, name_});
    return pod && (*pod)["metadata"].value("uid", "") == uid_ && !(*pod)["metadata"].contains("deletionTimestamp");
  }

  Cluster& cluster_;
  std::string ns_, name_, uid_;
  ContainerRun run_;
  SystemTime cursor_;
  bool timestamps_;
  std::optional<long long> remaining_;
  std::string pending_;
  bool done_ = false;
};

}  // namespace

std::string log_timestamp(SystemTime at) { return format_rfc3339(at, 9); }

std::vector<LogLine> log_lines(const ContainerRun& run, SystemTime until) {
  std::vector<LogLine> lines;
  // Start-up, a few milliseconds apart.
  auto at = run.started + 1200us;
  auto add = [&](std::string text) {
    lines.push_back({at, std::move(text)});
    at += 1500us;
  };
  add("Starting container " + run.container + " (image " + run.image + ")");
  for (const auto& text : echoed(run.command)) add(text);
  for (const auto& p : run.ports) {
    add("Listening on 0.0.0.0:" + p.substr(0, p.find('/')) + " (" + p.substr(p.find('/') + 1) + ")");
  }
  if (!run.finished || *run.finished > run.started) add("Ready");
  SystemTime end = run.finished ? std::min(until, *run.finished) : until;
  // Requests while it runs: health checks, and every third one the page itself.
  if (end > run.started + kRequestEvery) {
    auto count = static_cast<std::size_t>((end - run.started) / kRequestEvery);
    std::size_t first = count > kMaxRequestLines ? count - kMaxRequestLines + 1 : 1;
    for (std::size_t i = first; i <= count; ++i) {
      SystemTime t = run.started + kRequestEvery * static_cast<long>(i) + 340us;
      bool page = i % 3 == 0;
      lines.push_back({t, "10.244.0.1 - - [" + clf_time(t) + "] \"GET " + (page ? "/" : "/healthz") +
                              " HTTP/1.1\" 200 " + (page ? "615" : "2") + " \"-\" \"kube-probe/1.35\""});
    }
  }
  if (run.finished && *run.finished <= until) {
    SystemTime t = std::max(*run.finished, at);
    lines.push_back({t, run.exit_code == 0 ? "Exiting: done (exit code 0)"
                                           : "Error: exiting with code " + std::to_string(run.exit_code)});
  }
  std::erase_if(lines, [&](const LogLine& l) { return l.at > until; });
  return lines;
}

Response pod_log(Cluster& cluster, const std::string& ns, const std::string& name,
                 const std::map<std::string, std::string>& query) {
  LogOptions options = parse_options(query);
  ContainerRun run;
  std::string uid;
  {
    std::lock_guard lock(cluster.store.mutex());
    ObjectPtr pod = cluster.store.get({"pods", ns, name});
    if (!pod) throw not_found("", "pods", name);
    uid = (*pod)["metadata"].value("uid", "");
    const Json& containers = (*pod)["spec"].value("containers", Json::array());
    std::string container = options.container;
    if (container.empty()) {
      if (containers.size() != 1) {
        std::string names;
        for (const auto& c : containers) names += (names.empty() ? "" : " ") + c.value("name", "");
        throw bad_request("a container name must be specified for pod " + name + ", choose one of: [" + names + "]");
      }
      container = containers[0].value("name", "");
    }
    const Json* spec = container_spec(*pod, container);
    if (!spec) throw bad_request("container " + container + " is not valid for pod " + name);
    Json status;
    for (const auto& cs : (*pod).value("status", Json::object()).value("containerStatuses", Json::array())) {
      if (cs.value("name", "") == container) status = cs;
    }
    const Json state = status.is_object() ? status.value("state", Json::object()) : Json::object();
    const Json last = status.is_object() ? status.value("lastState", Json::object()) : Json::object();
    std::string quoted_container = "\"" + container + "\"";
    std::string quoted_pod = "\"" + name + "\"";
    if (options.previous) {
      if (!last.contains("terminated")) {
        throw bad_request("previous terminated container " + quoted_container + " in pod " + quoted_pod +
                          " not found");
      }
      run = run_of(*spec, last["terminated"]);
    } else if (state.contains("running")) {
      run = run_of(*spec, state["running"]);
    } else if (state.contains("terminated")) {
      run = run_of(*spec, state["terminated"]);
    } else if (last.contains("terminated")) {
      run = run_of(*spec, last["terminated"]);  // a crash-looping container: its last run
    } else {
      std::string reason = state.value("waiting", Json::object()).value("reason", "ContainerCreating");
      throw bad_request("container " + quoted_container + " in pod " + quoted_pod +
                        " is waiting to start: " + reason);
    }
  }
  auto now = std::chrono::system_clock::now();
  std::vector<LogLine> lines = log_lines(run, now);
  if (options.since) std::erase_if(lines, [&](const LogLine& l) { return l.at < *options.since; });
  if (options.tail_lines && static_cast<long long>(lines.size()) > *options.tail_lines) {
    lines.erase(lines.begin(), lines.end() - *options.tail_lines);
  }
  std::string text;
  for (const auto& l : lines) text += render(l, options.timestamps);
  Response r;
  r.content_type = "text/plain";
  bool running = !run.finished || *run.finished > now;
  if (options.follow && running) {
    // Every line up to `now` was considered (the filters only drop earlier ones): follow from there.
    auto stream = std::make_shared<LogFollowStream>(cluster, ns, name, uid, run, now, options.timestamps,
                                                    options.limit_bytes);
    stream->preload(std::move(text));
    r.watch = stream;
    return r;
  }
  if (options.limit_bytes && static_cast<long long>(text.size()) > *options.limit_bytes) {
    text.resize(static_cast<std::size_t>(*options.limit_bytes));
  }
  r.body = std::move(text);
  return r;
}

}  // namespace gitmoor::sandbox
