#include "printers_builtin.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace gitmoor::sandbox {

namespace {

using TP = Clock::time_point;

const Json kNull;

const Json& at(const Json& object, std::initializer_list<const char*> path) {
  const Json* node = &object;
  for (const char* key : path) {
    if (!node->is_object()) return kNull;
    auto it = node->find(key);
    if (it == node->end()) return kNull;
    node = &*it;
  }
  return *node;
}

std::string str(const Json& v, const std::string& fallback = "") {
  return v.is_string() ? v.get<std::string>() : fallback;
}

long long num(const Json& v, long long fallback = 0) {
  if (v.is_number_integer()) return v.get<long long>();
  if (v.is_number()) return static_cast<long long>(v.get<double>());
  return fallback;
}

bool flag(const Json& v, bool fallback) { return v.is_boolean() ? v.get<bool>() : fallback; }

long long size(const Json& v) { return v.is_array() || v.is_object() ? static_cast<long long>(v.size()) : 0; }

const Json& items(const Json& v) {
  static const Json empty = Json::array();
  return v.is_array() ? v : empty;
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

// translateTimestampSince: the age of an RFC 3339 time, "<unknown>" when there is none.
std::string since(const Json& timestamp, TP now) {
  if (!timestamp.is_string()) return "<unknown>";
  auto t = parse_time(timestamp.get<std::string>());
  if (!t) return "<unknown>";
  return human_duration(now - *t);
}

std::string age(const Json& o, TP now) { return since(at(o, {"metadata", "creationTimestamp"}), now); }

std::string name(const Json& o) { return str(at(o, {"metadata", "name"})); }

// A resource.Quantity's String(): the sandbox stores quantities canonical already.
std::string quantity(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return v.dump();
  return "0";
}

// An IntOrString's String().
std::string int_or_string(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number()) return std::to_string(num(v));
  return "";
}

// labels.FormatLabels: "k=v,k2=v2" sorted by key, "<none>" for none.
std::string format_labels(const Json& map) {
  if (!map.is_object() || map.empty()) return "<none>";
  std::vector<std::string> parts;
  for (const auto& [k, v] : map.items()) parts.push_back(k + "=" + (v.is_string() ? v.get<std::string>() : v.dump()));
  return join(parts, ",");
}

// metav1.LabelSelectorAsSelector(s).String(): requirements sorted by key, "key in (a,b)" with sorted values.
std::string selector_string(const Json& selector) {
  if (!selector.is_object()) return "";
  std::vector<std::pair<std::string, std::string>> reqs;
  const Json& match_labels = at(selector, {"matchLabels"});
  if (match_labels.is_object()) {
    for (const auto& [k, v] : match_labels.items()) reqs.emplace_back(k, k + "=" + str(v, v.dump()));
  }
  for (const auto& e : items(at(selector, {"matchExpressions"}))) {
    std::string key = str(at(e, {"key"}));
    std::string op = str(at(e, {"operator"}));
    std::vector<std::string> values;
    for (const auto& v : items(at(e, {"values"}))) values.push_back(str(v));
    std::sort(values.begin(), values.end());
    std::string text;
    if (op == "In") text = key + " in (" + join(values, ",") + ")";
    else if (op == "NotIn") text = key + " notin (" + join(values, ",") + ")";
    else if (op == "Exists") text = key;
    else if (op == "DoesNotExist") text = "!" + key;
    else return "<invalid>";
    reqs.emplace_back(key, text);
  }
  std::stable_sort(reqs.begin(), reqs.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> parts;
  for (const auto& r : reqs) parts.push_back(r.second);
  return join(parts, ",");
}

// metav1.FormatLabelSelector: the selector, "<none>" when it selects by nothing.
std::string format_label_selector(const Json& selector) {
  std::string s = selector_string(selector);
  return s.empty() ? "<none>" : s;
}

// layoutContainerCells: container names and images, comma-separated.
std::pair<std::string, std::string> containers(const Json& pod_spec) {
  std::vector<std::string> names, images;
  for (const auto& c : items(at(pod_spec, {"containers"}))) {
    names.push_back(str(at(c, {"name"})));
    images.push_back(str(at(c, {"image"})));
  }
  return {join(names, ","), join(images, ",")};
}

// helper.GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order.
std::string access_modes(const Json& modes) {
  std::set<std::string> present;
  for (const auto& m : items(modes)) present.insert(str(m));
  std::vector<std::string> out;
  if (present.count("ReadWriteOnce")) out.push_back("RWO");
  if (present.count("ReadOnlyMany")) out.push_back("ROX");
  if (present.count("ReadWriteMany")) out.push_back("RWX");
  if (present.count("ReadWriteOncePod")) out.push_back("RWOP");
  return join(out, ",");
}

std::string list_with_more(const std::vector<std::string>& list, bool more, int count, int max) {
  std::string ret = join(list, ",");
  if (more) return ret + " + " + std::to_string(count - max) + " more...";
  return ret.empty() ? "<unset>" : ret;
}

const char* kName =
    "Name must be unique within a namespace. Is required when creating resources, although some resources may allow "
    "a client to request the generation of an appropriate name automatically. Name is primarily intended for "
    "creation idempotence and configuration definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
const char* kAge =
    "CreationTimestamp is a timestamp representing the server time when this object was created. It is not "
    "guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is "
    "represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
const char* kContainers = "Names of each container in the template.";
const char* kImages = "Images referenced by each container in the template.";
const char* kSelector =
    "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this "
    "deployment.";

TableColumn col(const char* name, const char* type, const char* description, int priority = 0) {
  return {name, type, "", description, priority};
}
TableColumn name_col() { return {"Name", "string", "name", kName, 0}; }
TableColumn age_col() { return col("Age", "string", kAge); }

// ---- Pods (printPod): READY, STATUS as kubectl shows it, RESTARTS with the time of the last one.

bool condition_true(const Json& conditions, const std::string& type) {
  for (const auto& c : items(conditions)) {
    if (str(at(c, {"type"})) == type) return str(at(c, {"status"})) == "True";
  }
  return false;
}

bool restartable_init(const Json& container) { return str(at(container, {"restartPolicy"})) == "Always"; }

Json pod_cells(const Json& pod, TP now) {
  const Json& spec = at(pod, {"spec"});
  const Json& status = at(pod, {"status"});
  long long restarts = 0, restartable_init_restarts = 0;
  long long total = size(at(spec, {"containers"}));
  long long ready = 0;
  std::optional<TP> last_restart, last_restartable_init_restart;
  auto later = [](std::optional<TP>& slot, const Json& finished) {
    if (!finished.is_string()) return;
    auto t = parse_time(finished.get<std::string>());
    if (t && (!slot || *slot < *t)) slot = t;
  };
  std::string phase = str(at(status, {"phase"}));
  std::string reason = phase;
  if (!str(at(status, {"reason"})).empty()) reason = str(at(status, {"reason"}));
  for (const auto& c : items(at(status, {"conditions"}))) {
    if (str(at(c, {"type"})) == "PodScheduled" && str(at(c, {"reason"})) == "SchedulingGated") {
      reason = "SchedulingGated";
    }
  }
  std::map<std::string, Json> init_containers;
  for (const auto& c : items(at(spec, {"initContainers"}))) {
    init_containers[str(at(c, {"name"}))] = c;
    if (restartable_init(c)) ++total;
  }
  long long init_count = size(at(spec, {"initContainers"}));
  bool initializing = false;
  const Json& init_statuses = items(at(status, {"initContainerStatuses"}));
  for (std::size_t i = 0; i < init_statuses.size(); ++i) {
    const Json& cs = init_statuses[i];
    restarts += num(at(cs, {"restartCount"}));
    later(last_restart, at(cs, {"lastState", "terminated", "finishedAt"}));
    auto it = init_containers.find(str(at(cs, {"name"})));
    bool restartable = it != init_containers.end() && restartable_init(it->second);
    if (restartable) {
      restartable_init_restarts += num(at(cs, {"restartCount"}));
      later(last_restartable_init_restart, at(cs, {"lastState", "terminated", "finishedAt"}));
    }
    const Json& terminated = at(cs, {"state", "terminated"});
    const Json& waiting = at(cs, {"state", "waiting"});
    if (terminated.is_object() && num(at(terminated, {"exitCode"})) == 0) continue;
    if (restartable && flag(at(cs, {"started"}), false)) {
      if (flag(at(cs, {"ready"}), false)) ++ready;
      continue;
    }
    if (terminated.is_object()) {
      std::string r = str(at(terminated, {"reason"}));
      if (r.empty()) {
        long long signal = num(at(terminated, {"signal"}));
        reason = signal != 0 ? "Init:Signal:" + std::to_string(signal)
                             : "Init:ExitCode:" + std::to_string(num(at(terminated, {"exitCode"})));
      } else {
        reason = "Init:" + r;
      }
    } else if (waiting.is_object() && !str(at(waiting, {"reason"})).empty() &&
               str(at(waiting, {"reason"})) != "PodInitializing") {
      reason = "Init:" + str(at(waiting, {"reason"}));
    } else {
      reason = "Init:" + std::to_string(i) + "/" + std::to_string(init_count);
    }
    initializing = true;
    break;
  }
  if (!initializing || condition_true(at(status, {"conditions"}), "Initialized")) {
    restarts = restartable_init_restarts;
    last_restart = last_restartable_init_restart;
    bool has_running = false;
    const Json& statuses = items(at(status, {"containerStatuses"}));
    for (auto it = statuses.rbegin(); it != statuses.rend(); ++it) {
      const Json& cs = *it;
      restarts += num(at(cs, {"restartCount"}));
      later(last_restart, at(cs, {"lastState", "terminated", "finishedAt"}));
      const Json& terminated = at(cs, {"state", "terminated"});
      const Json& waiting = at(cs, {"state", "waiting"});
      if (waiting.is_object() && !str(at(waiting, {"reason"})).empty()) {
        reason = str(at(waiting, {"reason"}));
      } else if (terminated.is_object() && !str(at(terminated, {"reason"})).empty()) {
        reason = str(at(terminated, {"reason"}));
      } else if (terminated.is_object()) {
        long long signal = num(at(terminated, {"signal"}));
        reason = signal != 0 ? "Signal:" + std::to_string(signal)
                             : "ExitCode:" + std::to_string(num(at(terminated, {"exitCode"})));
      } else if (flag(at(cs, {"ready"}), false) && at(cs, {"state", "running"}).is_object()) {
        has_running = true;
        ++ready;
      }
    }
    if (reason == "Completed" && has_running) {
      reason = condition_true(at(status, {"conditions"}), "Ready") ? "Running" : "NotReady";
    }
  }
  bool deleting = !at(pod, {"metadata", "deletionTimestamp"}).is_null();
  if (deleting && str(at(status, {"reason"})) == "NodeLost") {
    reason = "Unknown";
  } else if (deleting && phase != "Succeeded" && phase != "Failed") {
    reason = "Terminating";
  }
  std::string restarts_text = std::to_string(restarts);
  if (restarts != 0 && last_restart) restarts_text += " (" + human_duration(now - *last_restart) + " ago)";

  const Json& pod_ips = items(at(status, {"podIPs"}));
  std::string ip = pod_ips.empty() ? "" : str(at(pod_ips[0], {"ip"}));
  std::string node = str(at(spec, {"nodeName"}));
  std::string nominated = str(at(status, {"nominatedNodeName"}));
  std::string gates = "<none>";
  if (size(at(spec, {"readinessGates"})) > 0) {
    long long true_conditions = 0;
    for (const auto& g : spec["readinessGates"]) {
      std::string type = str(at(g, {"conditionType"}));
      for (const auto& c : items(at(status, {"conditions"}))) {
        if (str(at(c, {"type"})) == type) {
          if (str(at(c, {"status"})) == "True") ++true_conditions;
          break;
        }
      }
    }
    gates = std::to_string(true_conditions) + "/" + std::to_string(size(spec["readinessGates"]));
  }
  return Json::array({name(pod), std::to_string(ready) + "/" + std::to_string(total), reason, restarts_text,
                      age(pod, now), ip.empty() ? "<none>" : ip, node.empty() ? "<none>" : node,
                      nominated.empty() ? "<none>" : nominated, gates});
}

Json pod_conditions(const Json& pod) {
  std::string phase = str(at(pod, {"status", "phase"}));
  if (phase == "Succeeded") {
    return Json::array({{{"type", "Completed"},
                         {"status", "True"},
                         {"reason", "Succeeded"},
                         {"message", "The pod has completed successfully."}}});
  }
  if (phase == "Failed") {
    return Json::array(
        {{{"type", "Completed"}, {"status", "True"}, {"reason", "Failed"}, {"message", "The pod failed."}}});
  }
  return nullptr;
}

// ---- Services and Ingresses.

// loadBalancerStatusStringer, wide (the server prints wide): the sorted distinct IPs or hostnames.
std::string load_balancer(const Json& lb) {
  std::set<std::string> result;
  for (const auto& i : items(at(lb, {"ingress"}))) {
    if (!str(at(i, {"ip"})).empty()) {
      result.insert(str(at(i, {"ip"})));
    } else if (!str(at(i, {"hostname"})).empty()) {
      result.insert(str(at(i, {"hostname"})));
    }
  }
  return join({result.begin(), result.end()}, ",");
}

std::string service_external_ip(const Json& svc) {
  const Json& spec = at(svc, {"spec"});
  std::string type = str(at(spec, {"type"}), "ClusterIP");
  std::vector<std::string> external;
  for (const auto& ip : items(at(spec, {"externalIPs"}))) external.push_back(str(ip));
  if (type == "ClusterIP" || type == "NodePort") return external.empty() ? "<none>" : join(external, ",");
  if (type == "LoadBalancer") {
    std::string lb = load_balancer(at(svc, {"status", "loadBalancer"}));
    if (!external.empty()) {
      std::vector<std::string> all;
      if (!lb.empty()) all.push_back(lb);
      all.insert(all.end(), external.begin(), external.end());
      return join(all, ",");
    }
    return lb.empty() ? "<pending>" : lb;
  }
  if (type == "ExternalName") return str(at(spec, {"externalName"}));
  return "<unknown>";
}

Json service_cells(const Json& svc, TP now) {
  const Json& spec = at(svc, {"spec"});
  std::string cluster_ip = "<none>";
  if (size(at(spec, {"clusterIPs"})) > 0) cluster_ip = str(spec["clusterIPs"][0]);
  std::vector<std::string> ports;
  for (const auto& p : items(at(spec, {"ports"}))) {
    std::string port = std::to_string(num(at(p, {"port"})));
    long long node_port = num(at(p, {"nodePort"}));
    if (node_port > 0) port += ":" + std::to_string(node_port);
    ports.push_back(port + "/" + str(at(p, {"protocol"}), "TCP"));
  }
  std::string port_text = ports.empty() ? "<none>" : join(ports, ",");
  return Json::array({name(svc), str(at(spec, {"type"})), cluster_ip, service_external_ip(svc), port_text,
                      age(svc, now), format_labels(at(spec, {"selector"}))});
}

Json ingress_cells(const Json& ing, TP now) {
  const Json& spec = at(ing, {"spec"});
  std::string class_name = str(at(spec, {"ingressClassName"}), "<none>");
  std::vector<std::string> hosts;
  const int max = 3;
  bool more = false;
  const Json& rules = items(at(spec, {"rules"}));
  for (const auto& r : rules) {
    if (static_cast<int>(hosts.size()) == max) more = true;
    if (!more && !str(at(r, {"host"})).empty()) hosts.push_back(str(at(r, {"host"})));
  }
  std::string hosts_text = hosts.empty() ? "*" : join(hosts, ",");
  if (!hosts.empty() && more) hosts_text += " + " + std::to_string(static_cast<int>(rules.size()) - max) + " more...";
  std::string ports = size(at(spec, {"tls"})) != 0 ? "80, 443" : "80";
  return Json::array(
      {name(ing), class_name, hosts_text, load_balancer(at(ing, {"status", "loadBalancer"})), ports, age(ing, now)});
}

// ---- Workloads.

Json deployment_cells(const Json& d, TP now) {
  const Json& spec = at(d, {"spec"});
  const Json& status = at(d, {"status"});
  auto [names, images] = containers(at(spec, {"template", "spec"}));
  return Json::array({name(d),
                      std::to_string(num(at(status, {"readyReplicas"}))) + "/" +
                          std::to_string(num(at(spec, {"replicas"}), 1)),
                      num(at(status, {"updatedReplicas"})), num(at(status, {"availableReplicas"})), age(d, now), names,
                      images, selector_string(at(spec, {"selector"}))});
}

Json replicaset_cells(const Json& rs, TP now) {
  const Json& spec = at(rs, {"spec"});
  const Json& status = at(rs, {"status"});
  auto [names, images] = containers(at(spec, {"template", "spec"}));
  return Json::array({name(rs), num(at(spec, {"replicas"}), 1), num(at(status, {"replicas"})),
                      num(at(status, {"readyReplicas"})), age(rs, now), names, images,
                      format_label_selector(at(spec, {"selector"}))});
}

Json replication_controller_cells(const Json& rc, TP now) {
  const Json& spec = at(rc, {"spec"});
  const Json& status = at(rc, {"status"});
  auto [names, images] = containers(at(spec, {"template", "spec"}));
  return Json::array({name(rc), num(at(spec, {"replicas"}), 1), num(at(status, {"replicas"})),
                      num(at(status, {"readyReplicas"})), age(rc, now), names, images,
                      format_labels(at(spec, {"selector"}))});
}

Json statefulset_cells(const Json& s, TP now) {
  const Json& spec = at(s, {"spec"});
  auto [names, images] = containers(at(spec, {"template", "spec"}));
  return Json::array({name(s),
                      std::to_string(num(at(s, {"status", "readyReplicas"}))) + "/" +
                          std::to_string(num(at(spec, {"replicas"}), 1)),
                      age(s, now), names, images});
}

Json daemonset_cells(const Json& ds, TP now) {
  const Json& spec = at(ds, {"spec"});
  const Json& status = at(ds, {"status"});
  auto [names, images] = containers(at(spec, {"template", "spec"}));
  return Json::array({name(ds), num(at(status, {"desiredNumberScheduled"})),
                      num(at(status, {"currentNumberScheduled"})), num(at(status, {"numberReady"})),
                      num(at(status, {"updatedNumberScheduled"})), num(at(status, {"numberAvailable"})),
                      format_labels(at(spec, {"template", "spec", "nodeSelector"})), age(ds, now), names, images,
                      format_label_selector(at(spec, {"selector"}))});
}

Json job_cells(const Json& job, TP now) {
  const Json& spec = at(job, {"spec"});
  const Json& status = at(job, {"status"});
  long long succeeded = num(at(status, {"succeeded"}));
  std::string completions;
  if (at(spec, {"completions"}).is_number()) {
    completions = std::to_string(succeeded) + "/" + std::to_string(num(spec["completions"]));
  } else {
    long long parallelism = num(at(spec, {"parallelism"}));
    completions = std::to_string(succeeded) + "/1" + (parallelism > 1 ? " of " + std::to_string(parallelism) : "");
  }
  std::string duration;
  auto start = at(status, {"startTime"}).is_string() ? parse_time(status["startTime"].get<std::string>())
                                                     : std::nullopt;
  if (start) {
    auto end = at(status, {"completionTime"}).is_string() ? parse_time(status["completionTime"].get<std::string>())
                                                          : std::nullopt;
    duration = human_duration((end ? *end : now) - *start);
  }
  auto has = [&](const char* type) { return condition_true(at(status, {"conditions"}), type); };
  std::string state = has("Complete")                                          ? "Complete"
                      : has("Failed")                                          ? "Failed"
                      : !at(job, {"metadata", "deletionTimestamp"}).is_null() ? "Terminating"
                      : has("Suspended")                                       ? "Suspended"
                      : has("FailureTarget")                                   ? "FailureTarget"
                                                                               : "Running";
  auto [names, images] = containers(at(spec, {"template", "spec"}));
  return Json::array({name(job), state, completions, duration, age(job, now), names, images,
                      format_label_selector(at(spec, {"selector"}))});
}

Json cronjob_cells(const Json& cj, TP now) {
  const Json& spec = at(cj, {"spec"});
  const Json& last = at(cj, {"status", "lastScheduleTime"});
  std::string suspend = "<unset>";
  if (at(spec, {"suspend"}).is_boolean()) suspend = spec["suspend"].get<bool>() ? "True" : "False";
  auto [names, images] = containers(at(spec, {"jobTemplate", "spec", "template", "spec"}));
  return Json::array({name(cj), str(at(spec, {"schedule"})), str(at(spec, {"timeZone"}), "<none>"), suspend,
                      size(at(cj, {"status", "active"})), last.is_null() ? std::string("<none>") : since(last, now),
                      age(cj, now), names, images,
                      format_label_selector(at(spec, {"jobTemplate", "spec", "selector"}))});
}

// formatHPAMetrics: "cpu: 12%/50%", "<unknown>" for a metric not measured yet, at most two then "+ N more...".
std::string hpa_metrics(const Json& specs, const Json& statuses) {
  if (size(specs) == 0) return "<none>";
  std::vector<std::string> list;
  const Json& st = items(statuses);
  auto status_of = [&](std::size_t i, const char* field) -> const Json& {
    return i < st.size() ? at(st[i], {field}) : kNull;
  };
  auto current_value = [](const Json& status, const char* field) {
    const Json& v = at(status, {"current", field});
    return v.is_null() ? std::string("<nil>") : quantity(v);
  };
  std::size_t i = 0;
  for (const auto& spec : items(specs)) {
    std::string type = str(at(spec, {"type"}));
    if (type == "External" || type == "Object") {
      const char* field = type == "External" ? "external" : "object";
      const Json& target = at(spec, {field, "target"});
      const Json& status = status_of(i, field);
      if (!at(target, {"averageValue"}).is_null()) {
        std::string current = "<unknown>";
        if (status.is_object() && !at(status, {"current", "averageValue"}).is_null()) {
          current = current_value(status, "averageValue");
        }
        list.push_back(current + "/" + quantity(target["averageValue"]) + " (avg)");
      } else {
        std::string current = status.is_object() ? current_value(status, "value") : "<unknown>";
        list.push_back(current + "/" + quantity(at(target, {"value"})));
      }
    } else if (type == "Pods") {
      const Json& status = status_of(i, "pods");
      std::string current = status.is_object() ? current_value(status, "averageValue") : "<unknown>";
      list.push_back(current + "/" + quantity(at(spec, {"pods", "target", "averageValue"})));
    } else if (type == "Resource" || type == "ContainerResource") {
      const char* field = type == "Resource" ? "resource" : "containerResource";
      const Json& source = at(spec, {field});
      const Json& target = at(source, {"target"});
      const Json& status = status_of(i, field);
      std::string resource = str(at(source, {"name"}));
      if (!at(target, {"averageValue"}).is_null()) {
        std::string current = status.is_object() ? current_value(status, "averageValue") : "<unknown>";
        list.push_back(resource + ": " + current + "/" + quantity(target["averageValue"]));
      } else {
        std::string current = "<unknown>";
        if (status.is_object() && at(status, {"current", "averageUtilization"}).is_number()) {
          current = std::to_string(num(status["current"]["averageUtilization"])) + "%";
        }
        std::string goal = "<auto>";
        if (at(target, {"averageUtilization"}).is_number()) {
          goal = std::to_string(num(target["averageUtilization"])) + "%";
        }
        list.push_back(resource + ": " + current + "/" + goal);
      }
    } else {
      list.push_back("<unknown type>");
    }
    ++i;
  }
  const std::size_t max = 2;
  if (list.size() > max) {
    std::size_t count = list.size();
    list.resize(max);
    return join(list, ", ") + " + " + std::to_string(count - max) + " more...";
  }
  return join(list, ", ");
}

Json hpa_cells(const Json& hpa, TP now) {
  const Json& spec = at(hpa, {"spec"});
  std::string reference = str(at(spec, {"scaleTargetRef", "kind"})) + "/" + str(at(spec, {"scaleTargetRef", "name"}));
  std::string min_pods = at(spec, {"minReplicas"}).is_number() ? std::to_string(num(spec["minReplicas"])) : "<unset>";
  return Json::array({name(hpa), reference, hpa_metrics(at(spec, {"metrics"}), at(hpa, {"status", "currentMetrics"})),
                      min_pods, num(at(spec, {"maxReplicas"})), num(at(hpa, {"status", "currentReplicas"})),
                      age(hpa, now)});
}

Json pdb_cells(const Json& pdb, TP now) {
  const Json& spec = at(pdb, {"spec"});
  std::string min = at(spec, {"minAvailable"}).is_null() ? "N/A" : int_or_string(spec["minAvailable"]);
  std::string max = at(spec, {"maxUnavailable"}).is_null() ? "N/A" : int_or_string(spec["maxUnavailable"]);
  return Json::array({name(pdb), min, max, num(at(pdb, {"status", "disruptionsAllowed"})), age(pdb, now)});
}

Json controller_revision_cells(const Json& cr, TP now) {
  std::string controller = "<none>";
  for (const auto& ref : items(at(cr, {"metadata", "ownerReferences"}))) {
    if (!flag(at(ref, {"controller"}), false)) continue;
    std::string api_version = str(at(ref, {"apiVersion"}));
    auto slash = api_version.find('/');
    std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
    std::string kind = str(at(ref, {"kind"}));
    std::string group_kind = group.empty() ? kind : kind + "." + group;
    for (auto& c : group_kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    controller = kind.empty() ? str(at(ref, {"name"})) : group_kind + "/" + str(at(ref, {"name"}));
    break;
  }
  return Json::array({name(cr), controller, num(at(cr, {"revision"})), age(cr, now)});
}

// ---- Core objects.

Json namespace_cells(const Json& ns, TP now) {
  return Json::array({name(ns), str(at(ns, {"status", "phase"})), age(ns, now)});
}

Json configmap_cells(const Json& cm, TP now) {
  return Json::array({name(cm), size(at(cm, {"data"})) + size(at(cm, {"binaryData"})), age(cm, now)});
}

Json secret_cells(const Json& s, TP now) {
  return Json::array({name(s), str(at(s, {"type"})), size(at(s, {"data"})), age(s, now)});
}

Json service_account_cells(const Json& sa, TP now) {
  return Json::array({name(sa), size(at(sa, {"secrets"})), age(sa, now)});
}

Json endpoints_cells(const Json& ep, TP now) {
  std::vector<std::string> list;
  const std::size_t max = 3;
  bool more = false;
  long long count = 0;
  for (const auto& ss : items(at(ep, {"subsets"}))) {
    const Json& addresses = items(at(ss, {"addresses"}));
    const Json& ports = items(at(ss, {"ports"}));
    if (ports.empty()) {
      // Headless services may have no ports.
      count += static_cast<long long>(addresses.size());
      for (const auto& a : addresses) {
        if (list.size() == max) {
          more = true;
          break;
        }
        list.push_back(str(at(a, {"ip"})));
      }
      continue;
    }
    for (const auto& port : ports) {
      count += static_cast<long long>(addresses.size());
      for (const auto& a : addresses) {
        if (list.size() == max) {
          more = true;
          break;
        }
        std::string ip = str(at(a, {"ip"}));
        if (ip.find(':') != std::string::npos) ip = "[" + ip + "]";  // net.JoinHostPort
        list.push_back(ip + ":" + std::to_string(num(at(port, {"port"}))));
      }
    }
  }
  std::string text = size(at(ep, {"subsets"})) == 0 ? "<none>" : join(list, ",");
  if (more) text += " + " + std::to_string(count - static_cast<long long>(max)) + " more...";
  return Json::array({name(ep), text, age(ep, now)});
}

Json endpoint_slice_cells(const Json& es, TP now) {
  const int max = 3;
  std::vector<std::string> ports;
  bool more = false;
  int count = 0;
  for (const auto& p : items(at(es, {"ports"}))) {
    if (static_cast<int>(ports.size()) < max) {
      std::string port = "*";
      if (at(p, {"port"}).is_number()) {
        port = std::to_string(num(p["port"]));
      } else if (at(p, {"name"}).is_string()) {
        port = p["name"].get<std::string>();
      }
      ports.push_back(port);
    } else if (static_cast<int>(ports.size()) == max) {
      more = true;
    }
    ++count;
  }
  std::string ports_text = list_with_more(ports, more, count, max);
  std::vector<std::string> addresses;
  more = false;
  count = 0;
  for (const auto& e : items(at(es, {"endpoints"}))) {
    for (const auto& a : items(at(e, {"addresses"}))) {
      if (static_cast<int>(addresses.size()) < max) {
        addresses.push_back(str(a));
      } else if (static_cast<int>(addresses.size()) == max) {
        more = true;
      }
      ++count;
    }
  }
  return Json::array({name(es), str(at(es, {"addressType"})), ports_text, list_with_more(addresses, more, count, max),
                      age(es, now)});
}

Json node_cells(const Json& node, TP now) {
  std::vector<std::string> status;
  for (const auto& c : items(at(node, {"status", "conditions"}))) {
    if (str(at(c, {"type"})) == "Ready") {
      status.push_back(str(at(c, {"status"})) == "True" ? "Ready" : "NotReady");
      break;
    }
  }
  if (status.empty()) status.push_back("Unknown");
  if (flag(at(node, {"spec", "unschedulable"}), false)) status.push_back("SchedulingDisabled");
  std::set<std::string> roles;
  const Json& labels = at(node, {"metadata", "labels"});
  if (labels.is_object()) {
    const std::string prefix = "node-role.kubernetes.io/";
    for (const auto& [k, v] : labels.items()) {
      if (k.rfind(prefix, 0) == 0) {
        if (k.size() > prefix.size()) roles.insert(k.substr(prefix.size()));
      } else if (k == "kubernetes.io/role" && !str(v).empty()) {
        roles.insert(str(v));
      }
    }
  }
  std::string roles_text = roles.empty() ? "<none>" : join({roles.begin(), roles.end()}, ",");
  auto address = [&](const char* type) {
    for (const auto& a : items(at(node, {"status", "addresses"}))) {
      if (str(at(a, {"type"})) == type) return str(at(a, {"address"}));
    }
    return std::string("<none>");
  };
  const Json& info = at(node, {"status", "nodeInfo"});
  auto info_field = [&](const char* f) {
    std::string v = str(at(info, {f}));
    return v.empty() ? std::string("<unknown>") : v;
  };
  return Json::array({name(node), join(status, ","), roles_text, age(node, now), str(at(info, {"kubeletVersion"})),
                      address("InternalIP"), address("ExternalIP"), info_field("osImage"),
                      info_field("kernelVersion"), info_field("containerRuntimeVersion")});
}

Json pv_cells(const Json& pv, TP now) {
  const Json& spec = at(pv, {"spec"});
  std::string claim;
  if (at(spec, {"claimRef"}).is_object()) {
    claim = str(at(spec, {"claimRef", "namespace"})) + "/" + str(at(spec, {"claimRef", "name"}));
  }
  std::string phase = str(at(pv, {"status", "phase"}));
  if (!at(pv, {"metadata", "deletionTimestamp"}).is_null()) phase = "Terminating";
  std::string storage_class = str(at(pv, {"metadata", "annotations", "volume.beta.kubernetes.io/storage-class"}),
                                  str(at(spec, {"storageClassName"})));
  return Json::array({name(pv), quantity(at(spec, {"capacity", "storage"})), access_modes(at(spec, {"accessModes"})),
                      str(at(spec, {"persistentVolumeReclaimPolicy"})), phase, claim, storage_class,
                      str(at(spec, {"volumeAttributesClassName"}), "<unset>"), str(at(pv, {"status", "reason"})),
                      age(pv, now), str(at(spec, {"volumeMode"}), "<unset>")});
}

Json pvc_cells(const Json& pvc, TP now) {
  const Json& spec = at(pvc, {"spec"});
  std::string phase = str(at(pvc, {"status", "phase"}));
  if (!at(pvc, {"metadata", "deletionTimestamp"}).is_null()) phase = "Terminating";
  std::string capacity, modes;
  std::string volume = str(at(spec, {"volumeName"}));
  if (!volume.empty()) {
    modes = access_modes(at(pvc, {"status", "accessModes"}));
    capacity = quantity(at(pvc, {"status", "capacity", "storage"}));
  }
  const Json& beta = at(pvc, {"metadata", "annotations", "volume.beta.kubernetes.io/storage-class"});
  std::string storage_class = beta.is_string() ? beta.get<std::string>() : str(at(spec, {"storageClassName"}));
  return Json::array({name(pvc), phase, volume, capacity, modes, storage_class,
                      str(at(spec, {"volumeAttributesClassName"}), "<unset>"), age(pvc, now),
                      str(at(spec, {"volumeMode"}), "<unset>")});
}

// core/v1 Events (printEvent), and events.k8s.io/v1 Events after kube's conversion to the same internal type.
Json event_cells(const Json& e, TP now) {
  const Json& first_ts = at(e, {"firstTimestamp"});
  std::string first = first_ts.is_string() ? since(first_ts, now) : since(at(e, {"eventTime"}), now);
  std::string last = at(e, {"lastTimestamp"}).is_string() ? since(e["lastTimestamp"], now) : first;
  long long count = num(at(e, {"count"}));
  if (at(e, {"series"}).is_object()) {
    last = since(at(e, {"series", "lastObservedTime"}), now);
    count = num(at(e, {"series", "count"}));
  } else if (count == 0) {
    count = 1;  // singleton events have no count in the new API
  }
  std::string kind = str(at(e, {"involvedObject", "kind"}));
  for (auto& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string involved = str(at(e, {"involvedObject", "name"}));
  std::string target = involved.empty() ? kind : kind + "/" + involved;
  std::string component = str(at(e, {"source", "component"}));
  if (component.empty()) component = str(at(e, {"reportingComponent"}));
  std::string host = str(at(e, {"source", "host"}));
  if (host.empty()) host = str(at(e, {"reportingInstance"}));
  std::string source = host.empty() ? component : component + ", " + host;
  std::string message = str(at(e, {"message"}));
  auto b = message.find_first_not_of(" \t\n\r\v\f");
  auto en = message.find_last_not_of(" \t\n\r\v\f");
  message = b == std::string::npos ? "" : message.substr(b, en - b + 1);
  return Json::array({last, str(at(e, {"type"})), str(at(e, {"reason"})), target,
                      str(at(e, {"involvedObject", "fieldPath"})), source, message, first, count, name(e)});
}

Json events_v1_cells(const Json& e, TP now) {
  // events.k8s.io/v1 → core: regarding → involvedObject, note → message, deprecated* → the old fields.
  Json core = e;
  core["involvedObject"] = at(e, {"regarding"});
  core["message"] = at(e, {"note"});
  core["source"] = at(e, {"deprecatedSource"});
  core["firstTimestamp"] = at(e, {"deprecatedFirstTimestamp"});
  core["lastTimestamp"] = at(e, {"deprecatedLastTimestamp"});
  core["count"] = at(e, {"deprecatedCount"});
  core["reportingComponent"] = at(e, {"reportingController"});
  return event_cells(core, now);
}

Json resource_quota_cells(const Json& rq, TP now) {
  const Json& hard = at(rq, {"status", "hard"});
  const Json& used = at(rq, {"status", "used"});
  std::string requests, limits;
  if (hard.is_object()) {
    for (const auto& [resource, h] : hard.items()) {  // keys sorted
      std::string& column = resource.rfind("limits.", 0) == 0 ? limits : requests;
      column += resource + ": " + quantity(at(used, {resource.c_str()})) + "/" + quantity(h) + ", ";
    }
  }
  auto trim = [](std::string s) {
    if (s.size() >= 2 && s.compare(s.size() - 2, 2, ", ") == 0) s.resize(s.size() - 2);
    return s;
  };
  return Json::array({name(rq), trim(requests), trim(limits), age(rq, now)});
}

// ---- RBAC, networking, storage, scheduling, coordination, admission, aggregation.

Json binding_cells(const Json& b, TP now) {
  std::vector<std::string> users, groups, sas;
  for (const auto& s : items(at(b, {"subjects"}))) {
    std::string kind = str(at(s, {"kind"}));
    if (kind == "ServiceAccount") {
      sas.push_back(str(at(s, {"namespace"})) + "/" + str(at(s, {"name"})));
    } else if (kind == "User") {
      users.push_back(str(at(s, {"name"})));
    } else if (kind == "Group") {
      groups.push_back(str(at(s, {"name"})));
    }
  }
  return Json::array({name(b), str(at(b, {"roleRef", "kind"})) + "/" + str(at(b, {"roleRef", "name"})), age(b, now),
                      join(users, ", "), join(groups, ", "), join(sas, ", ")});
}

Json network_policy_cells(const Json& np, TP now) {
  return Json::array({name(np), format_label_selector(at(np, {"spec", "podSelector"})), age(np, now)});
}

Json ingress_class_cells(const Json& ic, TP now) {
  const Json& params = at(ic, {"spec", "parameters"});
  std::string parameters = "<none>";
  if (params.is_object()) {
    parameters = str(at(params, {"kind"}));
    if (at(params, {"apiGroup"}).is_string()) parameters += "." + params["apiGroup"].get<std::string>();
    parameters += "/" + str(at(params, {"name"}));
  }
  return Json::array({name(ic), str(at(ic, {"spec", "controller"})), parameters, age(ic, now)});
}

Json storage_class_cells(const Json& sc, TP now) {
  std::string n = name(sc);
  const Json& annotations = at(sc, {"metadata", "annotations"});
  if (str(at(annotations, {"storageclass.kubernetes.io/is-default-class"})) == "true" ||
      str(at(annotations, {"storageclass.beta.kubernetes.io/is-default-class"})) == "true") {
    n += " (default)";
  }
  return Json::array({n, str(at(sc, {"provisioner"})), str(at(sc, {"reclaimPolicy"}), "Delete"),
                      str(at(sc, {"volumeBindingMode"}), "Immediate"), flag(at(sc, {"allowVolumeExpansion"}), false),
                      age(sc, now)});
}

Json priority_class_cells(const Json& pc, TP now) {
  return Json::array({name(pc), num(at(pc, {"value"})), flag(at(pc, {"globalDefault"}), false), age(pc, now),
                      str(at(pc, {"preemptionPolicy"}))});
}

Json runtime_class_cells(const Json& rc, TP now) {
  return Json::array({name(rc), str(at(rc, {"handler"})), age(rc, now)});
}

Json csi_driver_cells(const Json& d, TP now) {
  const Json& spec = at(d, {"spec"});
  std::string tokens = "<unset>";
  if (at(spec, {"tokenRequests"}).is_array()) {
    std::vector<std::string> audiences;
    for (const auto& t : spec["tokenRequests"]) audiences.push_back(str(at(t, {"audience"})));
    tokens = join(audiences, ",");
  }
  std::vector<std::string> modes;
  for (const auto& m : items(at(spec, {"volumeLifecycleModes"}))) modes.push_back(str(m));
  return Json::array({name(d), flag(at(spec, {"attachRequired"}), true), flag(at(spec, {"podInfoOnMount"}), false),
                      flag(at(spec, {"storageCapacity"}), false), tokens, flag(at(spec, {"requiresRepublish"}), false),
                      modes.empty() ? std::string("<none>") : join(modes, ","), age(d, now)});
}

Json lease_cells(const Json& l, TP now) {
  return Json::array({name(l), str(at(l, {"spec", "holderIdentity"})), age(l, now)});
}

Json webhook_cells(const Json& w, TP now) { return Json::array({name(w), size(at(w, {"webhooks"})), age(w, now)}); }

Json api_service_cells(const Json& s, TP now) {
  std::string service = "Local";
  if (at(s, {"spec", "service"}).is_object()) {
    service = str(at(s, {"spec", "service", "namespace"})) + "/" + str(at(s, {"spec", "service", "name"}));
  }
  std::string available = "Unknown";
  for (const auto& c : items(at(s, {"status", "conditions"}))) {
    if (str(at(c, {"type"})) != "Available") continue;
    std::string status = str(at(c, {"status"}));
    std::string reason = str(at(c, {"reason"}));
    available = status == "True" || reason.empty() ? status : status + " (" + reason + ")";
    break;
  }
  return Json::array({name(s), service, available, age(s, now)});
}

Json pod_template_cells(const Json& pt, TP) {
  auto [names, images] = containers(at(pt, {"template", "spec"}));
  return Json::array({name(pt), names, images, format_labels(at(pt, {"template", "metadata", "labels"}))});
}

// ---- Kinds the sandbox may serve later: kube's printers for them, so that adding the type is enough.

Json csi_node_cells(const Json& n, TP now) {
  return Json::array({name(n), size(at(n, {"spec", "drivers"})), age(n, now)});
}

Json volume_attachment_cells(const Json& va, TP now) {
  return Json::array({name(va), str(at(va, {"spec", "attacher"})),
                      str(at(va, {"spec", "source", "persistentVolumeName"})), str(at(va, {"spec", "nodeName"})),
                      flag(at(va, {"status", "attached"}), false), age(va, now)});
}

Json csi_storage_capacity_cells(const Json& c, TP) {
  return Json::array({name(c), str(at(c, {"storageClassName"})),
                      at(c, {"capacity"}).is_null() ? std::string("<unset>") : quantity(c["capacity"])});
}

Json volume_attributes_class_cells(const Json& v, TP now) {
  std::string n = name(v);
  const Json& annotations = at(v, {"metadata", "annotations"});
  if (str(at(annotations, {"storage.kubernetes.io/is-default-class"})) == "true") n += " (default)";
  return Json::array({n, str(at(v, {"driverName"})), age(v, now)});
}

Json csr_cells(const Json& csr, TP now) {
  bool approved = false, denied = false, failed = false;
  for (const auto& c : items(at(csr, {"status", "conditions"}))) {
    std::string type = str(at(c, {"type"}));
    approved = approved || type == "Approved";
    denied = denied || type == "Denied";
    failed = failed || type == "Failed";
  }
  std::string status = denied ? "Denied" : approved ? "Approved" : "Pending";
  if (failed) status += ",Failed";
  if (!str(at(csr, {"status", "certificate"})).empty()) status += ",Issued";
  std::string duration = "<none>";
  if (at(csr, {"spec", "expirationSeconds"}).is_number()) {
    duration = human_duration(std::chrono::seconds(num(csr["spec"]["expirationSeconds"])));
  }
  return Json::array({name(csr), age(csr, now), str(at(csr, {"spec", "signerName"}), "<none>"),
                      str(at(csr, {"spec", "username"})), duration, status});
}

Json admission_policy_cells(const Json& p, TP now) {
  const Json& kind = at(p, {"spec", "paramKind"});
  std::string param_kind = kind.is_object() ? str(at(kind, {"apiVersion"})) + "/" + str(at(kind, {"kind"})) : "<unset>";
  long long rules = at(p, {"spec", "validations"}).is_array() ? size(p["spec"]["validations"])
                                                               : size(at(p, {"spec", "mutations"}));
  return Json::array({name(p), rules, param_kind, age(p, now)});
}

Json admission_binding_cells(const Json& b, TP now) {
  const Json& ref = at(b, {"spec", "paramRef"});
  std::string param = "<unset>";
  if (ref.is_object()) {
    if (!str(at(ref, {"name"})).empty()) {
      param = str(at(ref, {"namespace"})).empty() ? "*/" + str(at(ref, {"name"}))
                                                  : str(at(ref, {"namespace"})) + "/" + str(at(ref, {"name"}));
    } else if (at(ref, {"selector"}).is_object()) {
      param = selector_string(ref["selector"]);
    }
  }
  return Json::array({name(b), str(at(b, {"spec", "policyName"})), param, age(b, now)});
}

Json flow_schema_cells(const Json& fs, TP now) {
  std::string dangling = "?";
  for (const auto& c : items(at(fs, {"status", "conditions"}))) {
    if (str(at(c, {"type"})) == "Dangling") {
      dangling = str(at(c, {"status"}));
      break;
    }
  }
  return Json::array({name(fs), str(at(fs, {"spec", "priorityLevelConfiguration", "name"})),
                      num(at(fs, {"spec", "matchingPrecedence"})),
                      str(at(fs, {"spec", "distinguisherMethod", "type"}), "<none>"), age(fs, now), dangling});
}

Json priority_level_cells(const Json& pl, TP now) {
  Json shares = "<none>", queues = "<none>", hand = "<none>", limit = "<none>";
  const Json& limited = at(pl, {"spec", "limited"});
  if (limited.is_object()) {
    shares = num(at(limited, {"nominalConcurrencyShares"}));
    const Json& q = at(limited, {"limitResponse", "queuing"});
    if (q.is_object()) {
      queues = num(at(q, {"queues"}));
      hand = num(at(q, {"handSize"}));
      limit = num(at(q, {"queueLengthLimit"}));
    }
  }
  return Json::array({name(pl), str(at(pl, {"spec", "type"})), shares, queues, hand, limit, age(pl, now)});
}

Json service_cidr_cells(const Json& c, TP now) {
  std::vector<std::string> cidrs;
  for (const auto& v : items(at(c, {"spec", "cidrs"}))) cidrs.push_back(str(v));
  return Json::array({name(c), join(cidrs, ","), age(c, now)});
}

Json ip_address_cells(const Json& ip, TP now) {
  const Json& ref = at(ip, {"spec", "parentRef"});
  std::string parent = "<none>";
  if (ref.is_object()) {
    std::string group = str(at(ref, {"group"}));
    parent = str(at(ref, {"resource"})) + (group.empty() ? "" : "." + group);
    for (auto& ch : parent) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (!str(at(ref, {"namespace"})).empty()) parent += "/" + str(at(ref, {"namespace"}));
    parent += "/" + str(at(ref, {"name"}));
  }
  return Json::array({name(ip), parent, age(ip, now)});
}

Json lease_candidate_cells(const Json& l, TP now) {
  return Json::array({name(l), str(at(l, {"spec", "leaseName"})), str(at(l, {"spec", "binaryVersion"})),
                      str(at(l, {"spec", "emulationVersion"})), age(l, now)});
}

Json name_age_cells(const Json& o, TP now) { return Json::array({name(o), age(o, now)}); }

Json resource_claim_cells(const Json& c, TP now) {
  std::vector<std::string> states;
  bool deleted = !at(c, {"metadata", "deletionTimestamp"}).is_null();
  if (deleted) states.push_back("deleted");
  if (at(c, {"status", "allocation"}).is_null()) {
    if (!deleted) states.push_back("pending");
  } else {
    states.push_back("allocated");
    if (size(at(c, {"status", "reservedFor"})) > 0) states.push_back("reserved");
  }
  return Json::array({name(c), join(states, ","), age(c, now)});
}

Json resource_slice_cells(const Json& r, TP now) {
  return Json::array({name(r), str(at(r, {"spec", "nodeName"})), str(at(r, {"spec", "driver"})),
                      str(at(r, {"spec", "pool", "name"})), age(r, now)});
}

std::map<std::string, TablePrinter> make_printers() {
  std::map<std::string, TablePrinter> p;
  auto add = [&](const std::string& group, const std::string& kind, std::vector<TableColumn> columns,
                 Json (*cells)(const Json&, TP)) {
    TablePrinter printer;
    printer.columns = std::move(columns);
    printer.cells = cells;
    p[group + "/" + kind] = std::move(printer);
  };

  add("", "Pod",
      {name_col(), col("Ready", "string", "The aggregate readiness state of this pod for accepting traffic."),
       col("Status", "string", "The aggregate status of the containers in this pod."),
       col("Restarts", "string",
           "The number of times the containers in this pod have been restarted and when the last container in this "
           "pod has restarted."),
       age_col(), col("IP", "string", "podIP address allocated to the pod. Routable at least within the cluster.", 1),
       col("Node", "string", "NodeName indicates in which node this pod is scheduled.", 1),
       col("Nominated Node", "string",
           "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled "
           "right away as preemption victims receive their graceful termination periods.",
           1),
       col("Readiness Gates", "string", "If specified, all readiness gates will be evaluated for pod readiness.", 1)},
      pod_cells);
  p["/Pod"].conditions = pod_conditions;

  add("", "PodTemplate",
      {name_col(), col("Containers", "string", kContainers), col("Images", "string", kImages),
       col("Pod Labels", "string", "The labels for the pod template.")},
      pod_template_cells);

  add("policy", "PodDisruptionBudget",
      {name_col(), col("Min Available", "string", "The minimum number of pods that must be available."),
       col("Max Unavailable", "string", "The maximum number of pods that may be unavailable."),
       col("Allowed Disruptions", "integer", "Calculated number of pods that may be disrupted at this time."),
       age_col()},
      pdb_cells);

  add("", "ReplicationController",
      {name_col(), col("Desired", "integer", "Replicas is the number of desired replicas."),
       col("Current", "integer", "Replicas is the most recently observed number of replicas."),
       col("Ready", "integer", "The number of ready replicas for this replication controller."), age_col(),
       col("Containers", "string", kContainers, 1), col("Images", "string", kImages, 1),
       col("Selector", "string", "Selector is a label query over pods that should match the Replicas count.", 1)},
      replication_controller_cells);

  add("apps", "ReplicaSet",
      {name_col(), col("Desired", "integer", "Replicas is the number of desired replicas."),
       col("Current", "integer", "Replicas is the most recently observed number of replicas."),
       col("Ready", "integer", "The number of ready replicas for this replica set."), age_col(),
       col("Containers", "string", kContainers, 1), col("Images", "string", kImages, 1),
       col("Selector", "string", "Selector is a label query over pods that should match the replica count.", 1)},
      replicaset_cells);

  add("apps", "DaemonSet",
      {name_col(),
       col("Desired", "integer", "The total number of nodes that should be running the daemon pod."),
       col("Current", "integer", "The number of nodes that are running at least 1 daemon pod."),
       col("Ready", "integer", "The number of nodes that should be running the daemon pod and have one or more of the "
                               "daemon pod running and ready."),
       col("Up-to-date", "integer", "The total number of nodes that are running updated daemon pod"),
       col("Available", "integer", "The number of nodes that should be running the daemon pod and have one or more of "
                                   "the daemon pod running and available."),
       col("Node Selector", "string", "NodeSelector is a selector which must be true for the pod to fit on a node."),
       age_col(), col("Containers", "string", kContainers, 1), col("Images", "string", kImages, 1),
       col("Selector", "string", "A label query over pods that are managed by the daemon set.", 1)},
      daemonset_cells);

  add("batch", "Job",
      {name_col(), col("Status", "string", "Status of the job."),
       col("Completions", "string", "The number of pods which reached phase Succeeded."),
       col("Duration", "string", "Time required to complete the job."), age_col(),
       col("Containers", "string", kContainers, 1), col("Images", "string", kImages, 1),
       col("Selector", "string", "A label query over pods that should match the pod count.", 1)},
      job_cells);

  add("batch", "CronJob",
      {name_col(), col("Schedule", "string", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
       col("Timezone", "string", "The time zone name for the given schedule."),
       col("Suspend", "boolean", "This flag tells the controller to suspend subsequent executions."),
       col("Active", "integer", "A list of pointers to currently running jobs."),
       col("Last Schedule", "string", "Information when was the last time the job was successfully scheduled."),
       age_col(), col("Containers", "string", kContainers, 1), col("Images", "string", kImages, 1),
       col("Selector", "string", "A label query over pods that should match the pod count.", 1)},
      cronjob_cells);

  add("", "Service",
      {name_col(), col("Type", "string", "type determines how the Service is exposed."),
       col("Cluster-IP", "string", "clusterIP is the IP address of the service and is usually assigned randomly."),
       col("External-IP", "string",
           "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this "
           "service."),
       col("Port(s)", "string", "The list of ports that are exposed by this service."), age_col(),
       col("Selector", "string",
           "Route service traffic to pods with label keys and values matching this selector.", 1)},
      service_cells);

  add("networking.k8s.io", "Ingress",
      {name_col(),
       col("Class", "string",
           "The name of the IngressClass resource that should be used for additional configuration"),
       col("Hosts", "string", "Hosts that incoming requests are matched against before the ingress rule"),
       col("Address", "string", "Address is a list containing ingress points for the load-balancer"),
       col("Ports", "string", "Ports of TLS configurations that open"), age_col()},
      ingress_cells);

  add("networking.k8s.io", "IngressClass",
      {name_col(), col("Controller", "string", "Controller that is responsible for handling this class"),
       col("Parameters", "string", "A reference to a resource with additional parameters"), age_col()},
      ingress_class_cells);

  add("apps", "StatefulSet",
      {name_col(), col("Ready", "string", "Number of the pod with ready state"), age_col(),
       col("Containers", "string", kContainers, 1), col("Images", "string", kImages, 1)},
      statefulset_cells);

  add("", "Endpoints",
      {name_col(), col("Endpoints", "string",
                       "The set of all endpoints is the union of all subsets. Addresses are placed into subsets "
                       "according to the IPs they share."),
       age_col()},
      endpoints_cells);

  add("", "Node",
      {name_col(), col("Status", "string", "The status of the node"), col("Roles", "string", "The roles of the node"),
       age_col(), col("Version", "string", "Kubelet Version reported by the node."),
       col("Internal-IP", "string", "List of addresses reachable to the node.", 1),
       col("External-IP", "string", "List of addresses reachable to the node.", 1),
       col("OS-Image", "string",
           "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", 1),
       col("Kernel-Version", "string",
           "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
       col("Container-Runtime", "string",
           "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", 1)},
      node_cells);

  std::vector<TableColumn> event_columns{
      col("Last Seen", "string", "The time at which the most recent occurrence of this event was recorded."),
      col("Type", "string", "Type of this event (Normal, Warning), new types could be added in the future"),
      col("Reason", "string",
          "This should be a short, machine understandable string that gives the reason for the transition into the "
          "object's current status."),
      col("Object", "string", "The object that this event is about."),
      col("Subobject", "string",
          "If referring to a piece of an object instead of an entire object, this string should contain a valid "
          "JSON/Go field access statement, such as desiredState.manifest.containers[2].",
          1),
      col("Source", "string", "The component reporting this event. Should be a short machine understandable string.",
          1),
      col("Message", "string", "A human-readable description of the status of this operation."),
      col("First Seen", "string", "The time at which the event was first recorded. (Time of server receipt is in "
                                  "TypeMeta.)",
          1),
      col("Count", "string", "The number of times this event has occurred.", 1),
      {"Name", "string", "name", kName, 1}};
  add("", "Event", event_columns, event_cells);
  add("events.k8s.io", "Event", event_columns, events_v1_cells);

  add("", "Namespace", {name_col(), col("Status", "string", "The status of the namespace"), age_col()},
      namespace_cells);

  add("", "Secret",
      {name_col(), col("Type", "string", "Used to facilitate programmatic handling of secret data."),
       col("Data", "string",
           "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'."),
       age_col()},
      secret_cells);

  add("", "ServiceAccount",
      {name_col(),
       col("Secrets", "string",
           "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are "
           "allowed to use."),
       age_col()},
      service_account_cells);

  add("", "PersistentVolume",
      {name_col(), col("Capacity", "string", "capacity is the description of the persistent volume's resources and "
                                             "capacity."),
       col("Access Modes", "string", "accessModes contains all ways the volume can be mounted."),
       col("Reclaim Policy", "string",
           "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim."),
       col("Status", "string", "phase indicates if a volume is available, bound to a claim, or released by a claim."),
       col("Claim", "string", "claimRef is part of a bi-directional binding between PersistentVolume and "
                              "PersistentVolumeClaim."),
       col("StorageClass", "string", "StorageClass of the pv"),
       col("VolumeAttributesClass", "string", "VolumeAttributesClass of the pv"),
       col("Reason", "string", "reason is a brief CamelCase string that describes any failure and is meant for "
                               "machine parsing and tidy display in the CLI."),
       age_col(),
       col("VolumeMode", "string", "volumeMode defines if a volume is intended to be used with a formatted filesystem "
                                   "or to remain in raw block state.",
           1)},
      pv_cells);

  add("", "PersistentVolumeClaim",
      {name_col(), col("Status", "string", "phase represents the current phase of PersistentVolumeClaim."),
       col("Volume", "string", "volumeName is the binding reference to the PersistentVolume backing this claim."),
       col("Capacity", "string", "capacity represents the actual resources of the underlying volume."),
       col("Access Modes", "string", "accessModes contains the actual access modes the volume backing the PVC has."),
       col("StorageClass", "string", "StorageClass of the pvc"),
       col("VolumeAttributesClass", "string", "VolumeAttributesClass of the pvc"), age_col(),
       col("VolumeMode", "string", "volumeMode defines what type of volume is required by the claim.", 1)},
      pvc_cells);

  add("apps", "Deployment",
      {name_col(), col("Ready", "string", "Number of the pod with ready state"),
       col("Up-to-date", "string",
           "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
       col("Available", "string",
           "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
       age_col(), col("Containers", "string", kContainers, 1), col("Images", "string", kImages, 1),
       col("Selector", "string", kSelector, 1)},
      deployment_cells);

  add("autoscaling", "HorizontalPodAutoscaler",
      {name_col(), col("Reference", "string", "reference to scaled resource; horizontal pod autoscaler will learn the "
                                              "current resource consumption and will set the desired number of pods "
                                              "by using its Scale subresource."),
       col("Targets", "string", "metrics contains the specifications for which to use to calculate the desired "
                                "replica count."),
       col("MinPods", "string", "minReplicas is the lower limit for the number of replicas to which the autoscaler "
                                "can scale down."),
       col("MaxPods", "string", "maxReplicas is the upper limit for the number of replicas to which the autoscaler "
                                "can scale up."),
       col("Replicas", "string", "currentReplicas is current number of replicas of pods managed by this autoscaler, "
                                 "as last seen by the autoscaler."),
       age_col()},
      hpa_cells);

  add("", "ConfigMap",
      {name_col(), col("Data", "string",
                       "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', "
                       "'_' or '.'."),
       age_col()},
      configmap_cells);

  add("networking.k8s.io", "NetworkPolicy",
      {name_col(), col("Pod-Selector", "string", "Selects the pods to which this NetworkPolicy object applies."),
       age_col()},
      network_policy_cells);

  for (const char* kind : {"RoleBinding", "ClusterRoleBinding"}) {
    std::string what = kind == std::string("RoleBinding") ? "roleBinding" : "clusterRoleBinding";
    add("rbac.authorization.k8s.io", kind,
        {name_col(), col("Role", "string", "RoleRef can reference a Role in the current namespace or a ClusterRole in "
                                           "the global namespace."),
         age_col(), {"Users", "string", "", "Users in the " + what, 1},
         {"Groups", "string", "", "Groups in the " + what, 1},
         {"ServiceAccounts", "string", "", "ServiceAccounts in the " + what, 1}},
        binding_cells);
  }

  add("coordination.k8s.io", "Lease",
      {name_col(), col("Holder", "string", "holderIdentity contains the identity of the holder of a current lease."),
       age_col()},
      lease_cells);

  add("storage.k8s.io", "StorageClass",
      {name_col(), col("Provisioner", "string", "provisioner indicates the type of the provisioner."),
       col("ReclaimPolicy", "string",
           "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage "
           "class. Defaults to Delete."),
       col("VolumeBindingMode", "string",
           "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound."),
       col("AllowVolumeExpansion", "string", "allowVolumeExpansion shows whether the storage class allow volume "
                                             "expand."),
       age_col()},
      storage_class_cells);

  add("apps", "ControllerRevision",
      {name_col(), col("Controller", "string", "Controller of the object"),
       col("Revision", "string", "Revision indicates the revision of the state represented by Data."), age_col()},
      controller_revision_cells);

  add("", "ResourceQuota",
      {name_col(),
       col("Request", "string", "Request represents a minimum amount of cpu/memory that a container may consume."),
       col("Limit", "string", "Limits control the maximum amount of cpu/memory that a container may use independent "
                              "of contention on the node."),
       age_col()},
      resource_quota_cells);

  add("scheduling.k8s.io", "PriorityClass",
      {name_col(), col("Value", "integer", "value represents the integer value of this priority class."),
       col("Global-Default", "boolean",
           "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods "
           "that do not have any priority class."),
       age_col(),
       col("PreemptionPolicy", "string", "preemptionPolicy is the Policy for preempting pods with lower priority.", 1)},
      priority_class_cells);

  add("node.k8s.io", "RuntimeClass",
      {name_col(), col("Handler", "string", ""), age_col()}, runtime_class_cells);

  add("discovery.k8s.io", "EndpointSlice",
      {name_col(),
       col("AddressType", "string", "addressType specifies the type of address carried by this EndpointSlice."),
       col("Ports", "string", "ports specifies the list of network ports exposed by each endpoint in this slice."),
       col("Endpoints", "string", "endpoints is a list of unique endpoints in this slice."), age_col()},
      endpoint_slice_cells);

  add("storage.k8s.io", "CSIDriver",
      {name_col(),
       col("AttachRequired", "boolean",
           "attachRequired indicates this CSI volume driver requires an attach operation."),
       col("PodInfoOnMount", "boolean", "podInfoOnMount indicates this CSI volume driver requires additional pod "
                                        "information (like podName, podUID, etc.) during mount operations."),
       col("StorageCapacity", "boolean", "storageCapacity indicates that the CSI volume driver wants pod scheduling to "
                                         "consider the storage capacity that the driver deployment will report."),
       col("TokenRequests", "string", "tokenRequests indicates the CSI driver needs pods' service account tokens it "
                                      "is mounting volume for to do necessary authentication."),
       col("RequiresRepublish", "boolean", "requiresRepublish indicates the CSI driver wants `NodePublishVolume` being "
                                           "periodically called to reflect any possible change in the mounted volume."),
       col("Modes", "string", "volumeLifecycleModes defines what kind of volumes this CSI volume driver supports."),
       age_col()},
      csi_driver_cells);

  for (const char* kind : {"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"}) {
    add("admissionregistration.k8s.io", kind,
        {name_col(),
         col("Webhooks", "integer", "Webhooks indicates the number of webhooks registered in this configuration"),
         age_col()},
        webhook_cells);
  }

  add("apiregistration.k8s.io", "APIService",
      {name_col(), col("Service", "string", "The reference to the service that hosts this API endpoint."),
       col("Available", "string", "Whether this service is available."), age_col()},
      api_service_cells);
  add("storage.k8s.io", "CSINode",
      {name_col(), col("Drivers", "integer", "Drivers indicates the number of CSI drivers registered on the node"),
       age_col()},
      csi_node_cells);
  add("storage.k8s.io", "VolumeAttachment",
      {name_col(), {"Attacher", "string", "name", "attacher indicates the name of the volume driver that MUST handle "
                                                  "this request.", 0},
       col("PV", "string", "persistentVolumeName represents the name of the persistent volume to attach."),
       col("Node", "string", "nodeName represents the node that the volume should be attached to."),
       col("Attached", "boolean", "attached indicates the volume is successfully attached."), age_col()},
      volume_attachment_cells);
  add("storage.k8s.io", "CSIStorageCapacity",
      {name_col(), col("StorageClassName", "string", "storageClassName represents the name of the StorageClass."),
       col("Capacity", "string", "capacity is the value reported by the CSI driver in its GetCapacityResponse.")},
      csi_storage_capacity_cells);
  add("storage.k8s.io", "VolumeAttributesClass",
      {name_col(), col("DriverName", "string", "Name of the CSI driver"), age_col()}, volume_attributes_class_cells);
  add("certificates.k8s.io", "CertificateSigningRequest",
      {name_col(), age_col(), col("SignerName", "string", "signerName indicates the requested signer."),
       col("Requestor", "string", "username contains the name of the user that created the request."),
       col("RequestedDuration", "string", "expirationSeconds is the requested duration of validity."),
       col("Condition", "string", "conditions applied to the request.")},
      csr_cells);
  for (const char* kind : {"ValidatingAdmissionPolicy", "MutatingAdmissionPolicy"}) {
    bool validating = kind == std::string("ValidatingAdmissionPolicy");
    add("admissionregistration.k8s.io", kind,
        {name_col(),
         validating ? col("Validations", "integer",
                          "Validations indicates the number of validation rules defined in this configuration")
                    : col("Mutations", "integer",
                          "Mutation indicates the number of mutations rules defined in this configuration"),
         col("ParamKind", "string", "ParamKind specifies the kind of resources used to parameterize this policy"),
         age_col()},
        admission_policy_cells);
  }
  for (const char* kind : {"ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicyBinding"}) {
    add("admissionregistration.k8s.io", kind,
        {name_col(),
         col("PolicyName", "string", "PolicyName indicates the policy definition which the policy binding binded to"),
         col("ParamRef", "string", "ParamRef indicates the param resource which sets the configration param"),
         age_col()},
        admission_binding_cells);
  }
  add("flowcontrol.apiserver.k8s.io", "FlowSchema",
      {name_col(), col("PriorityLevel", "string", "`name` is the name of the priority level configuration being "
                                                  "referenced Required."),
       col("MatchingPrecedence", "string", "`matchingPrecedence` is used to choose among the FlowSchemas that match "
                                           "a given request."),
       col("DistinguisherMethod", "string", "`distinguisherMethod` defines how to compute the flow distinguisher for "
                                            "requests that match this schema."),
       age_col(), col("MissingPL", "string", "references a broken or non-existent PriorityLevelConfiguration")},
      flow_schema_cells);
  add("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration",
      {name_col(), col("Type", "string", "`type` indicates whether this priority level is subject to limitation on "
                                         "request execution."),
       col("NominalConcurrencyShares", "string", "`nominalConcurrencyShares` (NCS) contributes to the computation of "
                                                 "the NominalConcurrencyLimit (NominalCL) of this level."),
       col("Queues", "string", "`queues` is the number of queues for this priority level."),
       col("HandSize", "string", "`handSize` is a small positive number that configures the shuffle sharding of "
                                 "requests into queues."),
       col("QueueLengthLimit", "string", "`queueLengthLimit` is the maximum number of requests allowed to be waiting "
                                         "in a given queue of this priority level at a time."),
       age_col()},
      priority_level_cells);
  add("networking.k8s.io", "ServiceCIDR",
      {name_col(), col("CIDRs", "string", "CIDRs defines the IP blocks in CIDR notation."), age_col()},
      service_cidr_cells);
  add("networking.k8s.io", "IPAddress",
      {name_col(), col("ParentRef", "string", "ParentRef references the resource that an IPAddress is attached to.")},
      ip_address_cells);
  add("coordination.k8s.io", "LeaseCandidate",
      {name_col(), col("LeaseName", "string", "LeaseName is the name of the lease for which this candidate is "
                                              "contending."),
       col("BinaryVersion", "string", ""), col("EmulationVersion", "string", ""), age_col()},
      lease_candidate_cells);
  add("resource.k8s.io", "DeviceClass", {name_col(), age_col()}, name_age_cells);
  add("resource.k8s.io", "ResourceClaimTemplate", {name_col(), age_col()}, name_age_cells);
  add("resource.k8s.io", "ResourceClaim",
      {name_col(),
       col("State", "string", "A summary of the current state (allocated, pending, reserved, etc.)."), age_col()},
      resource_claim_cells);
  add("resource.k8s.io", "ResourceSlice",
      {name_col(), col("Node", "string", "NodeName identifies the node which provides the resources in this pool."),
       col("Driver", "string", "Driver identifies the DRA driver providing the capacity information."),
       col("Pool", "string", "Name is used to identify the pool."), age_col()},
      resource_slice_cells);
  return p;
}

}  // namespace

const TablePrinter* builtin_printer(const std::string& group, const std::string& kind) {
  static const std::map<std::string, TablePrinter> printers = make_printers();
  auto it = printers.find(group + "/" + kind);
  return it == printers.end() ? nullptr : &it->second;
}

}  // namespace gitmoor::sandbox
