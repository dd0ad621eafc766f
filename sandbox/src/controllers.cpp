#include "controllers.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "container_exit.hpp"
#include "disruption.hpp"
#include "events.hpp"
#include "gitmoor/core/logging.hpp"
#include "status.hpp"

namespace gitmoor::sandbox {

namespace {

const std::string kManager = "kube-controller-manager";
const char* kNode = "sandbox-node";

std::string hash_string(const std::string& text) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  static const char* alphabet = "bcdfghjklmnpqrstvwxz2456789";
  std::string out;
  for (int i = 0; i < 10; ++i) {
    out += alphabet[h % 27];
    h /= 27;
  }
  return out;
}

std::string resource_of_kind(const std::string& kind) {
  if (kind == "ReplicaSet") return "replicasets.apps";
  if (kind == "Deployment") return "deployments.apps";
  if (kind == "StatefulSet") return "statefulsets.apps";
  if (kind == "DaemonSet") return "daemonsets.apps";
  if (kind == "Job") return "jobs.batch";
  if (kind == "CronJob") return "cronjobs.batch";
  return {};
}

Json owner_reference(const Json& owner) {
  return {{"apiVersion", owner.value("apiVersion", "")},
          {"kind", owner.value("kind", "")},
          {"name", owner["metadata"].value("name", "")},
          {"uid", owner["metadata"].value("uid", "")},
          {"controller", true},
          {"blockOwnerDeletion", true}};
}

long long int_at(const Json& object, const char* a, const char* b, long long fallback) {
  if (!object.contains(a) || !object[a].is_object()) return fallback;
  const Json& o = object[a];
  if (!o.contains(b) || !o[b].is_number_integer()) return fallback;
  return o[b].get<long long>();
}

bool pod_ready(const Json& pod) {
  const Json& status = pod.value("status", Json::object());
  if (!status.is_object() || status.value("phase", "") != "Running") return false;
  for (const auto& c : status.value("conditions", Json::array())) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

bool deleting(const Json& object) { return object["metadata"].contains("deletionTimestamp"); }

// A duration as Go prints it (time.Duration.String()), for the kubelet's messages: 812ms, 1.25s, 1m20s, 5m0s.
std::string go_duration(long long ms) {
  if (ms < 1000) return std::to_string(ms) + "ms";
  std::string out;
  if (ms >= 60000) {
    out = std::to_string(ms / 60000) + "m";
    ms %= 60000;
  }
  std::string seconds = std::to_string(ms / 1000);
  if (long long frac = ms % 1000; frac != 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%03lld", frac);
    std::string f = buf;
    while (!f.empty() && f.back() == '0') f.pop_back();
    seconds += "." + f;
  }
  return out + seconds + "s";
}

// The kubelet's crash-loop back-off: 10 s doubling per restart, at most 5 minutes (the delay it reports). The
// sandbox waits the same steps scaled down to `unit` per 10 s.
long long backoff_steps(long long restarts) { return std::min(1LL << std::min(restarts, 5LL), 30LL); }

// format.Pod(): how the kubelet names a Pod in its messages.
std::string pod_label(const Json& pod) {
  const Json& md = pod["metadata"];
  return md.value("name", "") + "_" + md.value("namespace", "") + "(" + md.value("uid", "") + ")";
}

bool owned_by_kind(const Json& object, const char* kind) {
  for (const auto& r : object["metadata"].value("ownerReferences", Json::array())) {
    if (r.value("kind", "") == kind) return true;
  }
  return false;
}

// A condition list entry, keeping its transition time when nothing changed.
Json condition(const Json& previous, const std::string& type, const std::string& status, const std::string& reason,
               const std::string& message, bool update_time) {
  std::string now = now_rfc3339();
  Json c{{"type", type}, {"status", status}, {"reason", reason}, {"message", message}};
  std::string transition = now;
  std::string updated = now;
  if (previous.is_array()) {
    for (const auto& p : previous) {
      if (p.value("type", "") != type) continue;
      if (p.value("status", "") == status) transition = p.value("lastTransitionTime", now);
      if (p.value("status", "") == status && p.value("reason", "") == reason) updated = p.value("lastUpdateTime", now);
    }
  }
  if (update_time) c["lastUpdateTime"] = updated;
  c["lastTransitionTime"] = transition;
  return c;
}

}  // namespace

// The reconcile functions; they run with the store mutex held.
struct ControllerLogic {
  Controllers& c;
  Cluster& cluster;

  const ResourceType& type(const std::string& id) {
    const ResourceType* t = cluster.registry.find_by_id(id);
    if (!t) throw ApiError(500, "InternalError", "sandbox controllers: no type " + id);
    return *t;
  }

  std::vector<ObjectPtr> owned(const Json& owner, const std::string& resource_id) {
    std::vector<ObjectPtr> out;
    for (const auto& ref : cluster.store.dependents(owner["metadata"].value("uid", ""))) {
      if (ref.resource_id != resource_id) continue;
      if (auto o = cluster.store.get(ref)) out.push_back(o);
    }
    std::sort(out.begin(), out.end(), [](const ObjectPtr& a, const ObjectPtr& b) {
      return (*a)["metadata"].value("name", "") < (*b)["metadata"].value("name", "");
    });
    return out;
  }

  void write_status(const ResourceType& t, const ObjectPtr& before, Json status) {
    Json after = *before;
    after["status"] = std::move(status);
    const Json& md = (*before)["metadata"];
    cluster.commit(t, md.value("namespace", ""), md.value("name", ""), before, std::move(after),
                   {.manager = kManager, .subresource = t.status_subresource ? "status" : ""}, true);
  }

  void write(const ResourceType& t, const ObjectPtr& before, Json after) {
    const Json& md = (*before)["metadata"];
    cluster.commit(t, md.value("namespace", ""), md.value("name", ""), before, std::move(after), {.manager = kManager},
                   true);
  }

  Json create(const std::string& resource_id, const std::string& ns, Json object) {
    return cluster.create(type(resource_id), ns, std::move(object), {.manager = kManager});
  }

  void remove(const std::string& resource_id, const Json& object) {
    const Json& md = object["metadata"];
    cluster.remove(type(resource_id), md.value("namespace", ""), md.value("name", ""), {});
  }

  // An Event about `object`, as a controller records it; a Namespace going away refuses it, which is no failure.
  void event(const Json& object, const EventReport& report) {
    try {
      record_event(cluster, object, report);
    } catch (const ApiError&) {
    }
  }

  void normal(const Json& object, const std::string& component, const std::string& reason, const std::string& message) {
    event(object, {.type = "Normal", .reason = reason, .message = message, .component = component});
  }

  void kubelet(const Json& pod, const std::string& container, const std::string& type, const std::string& reason,
               const std::string& message) {
    event(pod, {.type = type,
                .reason = reason,
                .message = message,
                .component = "kubelet",
                .field_path = "spec.containers{" + container + "}",
                .host = kNode});
  }

  // Creates a Pod for a workload controller and records SuccessfulCreate (kube's "Created pod: NAME").
  Json create_pod(const Json& owner, const std::string& component, const std::string& ns, Json pod) {
    Json created = create("pods", ns, std::move(pod));
    normal(owner, component, "SuccessfulCreate", "Created pod: " + created["metadata"].value("name", ""));
    return created;
  }

  void delete_pod(const Json& owner, const std::string& component, const Json& pod) {
    remove("pods", pod);
    normal(owner, component, "SuccessfulDelete", "Deleted pod: " + pod["metadata"].value("name", ""));
  }

  // The kubelet's image events: a pull the first time the node needs an image (or always, with
  // imagePullPolicy Always), "already present" after. Durations and sizes are made up from the image name.
  void image_events(const Json& pod, const Json& container) {
    std::string name = container.value("name", "");
    std::string image = container.value("image", "");
    if (container.value("imagePullPolicy", "IfNotPresent") != "Always" && c.images_.count(image)) {
      kubelet(pod, name, "Normal", "Pulled",
              "Container image \"" + image + "\" already present on machine and can be accessed by the pod");
      return;
    }
    c.images_.insert(image);
    std::uint64_t h = std::hash<std::string>{}(image);
    long long pull_ms = 400 + static_cast<long long>(h % 2600);
    long long size = 20000000 + static_cast<long long>((h >> 12) % 80000000);
    kubelet(pod, name, "Normal", "Pulling", "Pulling image \"" + image + "\"");
    kubelet(pod, name, "Normal", "Pulled",
            "Successfully pulled image \"" + image + "\" in " + go_duration(pull_ms) + " (" + go_duration(pull_ms) +
                " including waiting). Image size: " + std::to_string(size) + " bytes.");
  }

  void start_events(const Json& pod, const Json& container) {
    image_events(pod, container);
    kubelet(pod, container.value("name", ""), "Normal", "Created", "Container created");
    kubelet(pod, container.value("name", ""), "Normal", "Started", "Container started");
  }

  // A container whose process exited non-zero and that the kubelet will restart: CrashLoopBackOff until the
  // back-off passes, the last run in lastState, a BackOff Warning.
  Json crashed_status(const Json& pod, Json cs, int code, long long restarts, const std::string& ts) {
    std::string name = cs.value("name", "");
    std::string id =
        "containerd://" + hash_string(pod["metadata"].value("uid", "") + name + std::to_string(restarts)) +
        std::string(54, '0');
    cs["containerID"] = id;
    cs["restartCount"] = restarts;
    cs["started"] = false;
    cs["ready"] = false;
    cs["lastState"] = {{"terminated",
                        {{"exitCode", code}, {"reason", "Error"}, {"startedAt", ts}, {"finishedAt", ts},
                         {"containerID", id}}}};
    cs["state"] = {{"waiting",
                    {{"reason", "CrashLoopBackOff"},
                     {"message", "back-off " + go_duration(10000 * backoff_steps(restarts)) +
                                     " restarting failed container=" + name + " pod=" + pod_label(pod)}}}};
    kubelet(pod, name, "Warning", "BackOff",
            "Back-off restarting failed container " + name + " in pod " + pod_label(pod));
    return cs;
  }

  std::chrono::milliseconds backoff_unit() const {
    return std::max<std::chrono::milliseconds>(c.options_.pod_ready_delay, std::chrono::milliseconds(100));
  }

  void schedule_restart(const Json& pod, long long restarts) {
    const Json& md = pod["metadata"];
    auto due = std::chrono::steady_clock::now() + backoff_unit() * backoff_steps(restarts);
    c.restart_due_[md.value("uid", "")] = due;
    c.timers_.emplace(due, ObjectRef{"pods", md.value("namespace", ""), md.value("name", "")});
  }

  // The back-off of a crash-looping Pod has passed: its failed containers run again and exit again at once.
  void restart_crashed(const ObjectPtr& pod) {
    c.restart_due_.erase((*pod)["metadata"].value("uid", ""));
    Json status = (*pod).value("status", Json::object());
    std::string ts = now_rfc3339();
    long long most = 0;
    const Json& specs = (*pod)["spec"].value("containers", Json::array());
    for (auto& cs : status["containerStatuses"]) {
      if (cs.value("state", Json::object()).value("waiting", Json::object()).value("reason", "") != "CrashLoopBackOff") {
        continue;
      }
      Json spec;
      for (const auto& ct : specs) {
        if (ct.value("name", "") == cs.value("name", "")) spec = ct;
      }
      if (spec.is_null()) continue;
      start_events(*pod, spec);
      long long restarts = cs.value("restartCount", 0LL) + 1;
      cs = crashed_status(*pod, cs, container_exit_code(spec), restarts, ts);
      most = std::max(most, restarts);
    }
    write_status(type("pods"), pod, status);
    schedule_restart(*pod, most);
  }

  // A deleted Pod whose containers ran: the kubelet stops them.
  void stopped(const Json& pod) {
    for (const auto& cs : pod.value("status", Json::object()).value("containerStatuses", Json::array())) {
      if (!cs.value("state", Json::object()).contains("running")) continue;
      std::string name = cs.value("name", "");
      kubelet(pod, name, "Normal", "Killing", "Stopping container " + name);
    }
  }

  void enqueue_owner(const Json& object) {
    const Json& md = object["metadata"];
    for (const auto& r : md.value("ownerReferences", Json::array())) {
      std::string id = resource_of_kind(r.value("kind", ""));
      if (!id.empty()) c.queue_.insert({id, md.value("namespace", ""), r.value("name", "")});
    }
  }

  Json new_pod(const Json& owner, const Json& tmpl, const std::string& name, const Json& extra_labels) {
    Json pod{{"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", Json::object()}};
    Json md = tmpl.value("metadata", Json::object());
    if (!md.is_object()) md = Json::object();
    Json labels = md.value("labels", Json::object());
    for (const auto& [k, v] : extra_labels.items()) labels[k] = v;
    pod["metadata"]["labels"] = labels;
    if (md.contains("annotations")) pod["metadata"]["annotations"] = md["annotations"];
    if (name.back() == '-') {
      pod["metadata"]["generateName"] = name;
    } else {
      pod["metadata"]["name"] = name;
    }
    pod["metadata"]["ownerReferences"] = Json::array({owner_reference(owner)});
    pod["spec"] = tmpl.value("spec", Json::object());
    pod["spec"]["nodeName"] = kNode;
    return pod;
  }

  std::string template_hash(const Json& tmpl) { return hash_string(tmpl.dump()); }

  // ---- Pods: Pending → Running and Ready (or Succeeded for Job pods) after the delay.
  void pod(const ObjectPtr& pod) {
    const Json& md = (*pod)["metadata"];
    std::string uid = md.value("uid", "");
    enqueue_owner(*pod);
    enqueue_budgets(md.value("namespace", ""));
    std::string phase = (*pod).value("status", Json::object()).value("phase", "");
    if (deleting(*pod) || phase == "Succeeded" || phase == "Failed") return;
    auto now = std::chrono::steady_clock::now();
    if (phase == "Running") {
      auto restart = c.restart_due_.find(uid);
      if (restart != c.restart_due_.end() && restart->second <= now) restart_crashed(pod);
      return;
    }
    auto [seen, inserted] = c.pod_seen_.emplace(uid, now);
    if (inserted) {
      // The scheduler binds through the events.k8s.io API.
      event(*pod, {.type = "Normal",
                   .reason = "Scheduled",
                   .message = "Successfully assigned " + md.value("namespace", "") + "/" + md.value("name", "") +
                              " to " + kNode,
                   .component = "default-scheduler",
                   .action = "Binding",
                   .host = kNode,
                   .new_api = true});
    }
    auto due = seen->second + c.options_.pod_ready_delay;
    if (due > now) {
      c.timers_.emplace(due, ObjectRef{"pods", md.value("namespace", ""), md.value("name", "")});
      return;
    }
    // A Job's Pod runs to completion; so does any Pod with restartPolicy Never whose command fails. Elsewhere a
    // failing command crash-loops (the kubelet restarts it) and other containers run until deleted.
    bool job_pod = owned_by_kind(*pod, "Job");
    if (!job_pod && (*pod)["spec"].value("restartPolicy", "Always") == "Never") {
      for (const auto& ct : (*pod)["spec"].value("containers", Json::array())) {
        job_pod = job_pod || container_exit_code(ct) != 0;
      }
    }
    std::string ts = now_rfc3339();
    Json status = (*pod).value("status", Json::object());
    Json containers = Json::array();
    Json unready = Json::array();
    bool failed = false;
    for (const auto& ct : (*pod)["spec"].value("containers", Json::array())) {
      start_events(*pod, ct);
      Json cs{{"name", ct.value("name", "")},
              {"image", ct.value("image", "")},
              {"imageID", "docker.io/library/" + ct.value("image", "") + "@sha256:" + std::string(64, '0')},
              {"containerID", "containerd://" + hash_string(uid + ct.value("name", "")) + std::string(54, '0')},
              {"restartCount", 0},
              {"started", !job_pod},
              {"ready", !job_pod}};
      if (job_pod) {
        // A Job's containers run to completion; the exit code comes from the command (container_exit.hpp).
        int code = container_exit_code(ct);
        failed = failed || code != 0;
        cs["state"] = {{"terminated",
                        {{"exitCode", code}, {"reason", code == 0 ? "Completed" : "Error"}, {"startedAt", ts},
                         {"finishedAt", ts}, {"containerID", cs["containerID"]}}}};
      } else if (int code = container_exit_code(ct); code != 0) {
        cs = crashed_status(*pod, cs, code, 0, ts);
        unready.push_back(cs["name"]);
      } else {
        cs["state"] = {{"running", {{"startedAt", ts}}}};
      }
      containers.push_back(cs);
    }
    std::string ready = job_pod || !unready.empty() ? "False" : "True";
    // The kubelet's reason on the readiness conditions of a Pod that has terminated.
    std::string not_ready_reason = failed ? "PodFailed" : "PodCompleted";
    Json ready_condition{{"type", "Ready"}, {"status", ready}, {"lastTransitionTime", ts}};
    Json containers_ready{{"type", "ContainersReady"}, {"status", ready}, {"lastTransitionTime", ts}};
    if (job_pod) {
      ready_condition["reason"] = not_ready_reason;
      containers_ready["reason"] = not_ready_reason;
    } else if (!unready.empty()) {
      std::string names;
      for (const auto& n : unready) names += (names.empty() ? "" : " ") + n.get<std::string>();
      for (Json* cond : {&ready_condition, &containers_ready}) {
        (*cond)["reason"] = "ContainersNotReady";
        (*cond)["message"] = "containers with unready status: [" + names + "]";
      }
    }
    status["phase"] = !job_pod ? "Running" : failed ? "Failed" : "Succeeded";
    status["conditions"] = Json::array({
        {{"type", "PodReadyToStartContainers"}, {"status", job_pod ? "False" : "True"}, {"lastTransitionTime", ts}},
        {{"type", "Initialized"}, {"status", "True"}, {"lastTransitionTime", ts}},
        ready_condition,
        containers_ready,
        {{"type", "PodScheduled"}, {"status", "True"}, {"lastTransitionTime", ts}},
    });
    status["containerStatuses"] = containers;
    status["hostIP"] = "172.18.0.2";
    status["hostIPs"] = Json::array({{{"ip", "172.18.0.2"}}});
    std::string ip = "10.244.0." + std::to_string(2 + (std::hash<std::string>{}(uid) % 250));
    status["podIP"] = ip;
    status["podIPs"] = Json::array({{{"ip", ip}}});
    status["startTime"] = ts;
    status["qosClass"] = "BestEffort";
    c.pod_seen_.erase(uid);
    write_status(type("pods"), pod, status);
    if (!unready.empty()) schedule_restart(*pod, 0);
  }

  // ---- ReplicaSets: keep spec.replicas Pods.
  void replicaset(const ObjectPtr& rs) {
    enqueue_owner(*rs);
    if (deleting(*rs)) return;
    const Json& spec = (*rs)["spec"];
    long long desired = spec.value("replicas", 1LL);
    auto pods = owned(*rs, "pods");
    std::vector<ObjectPtr> active;
    for (const auto& p : pods) {
      if (!deleting(*p)) active.push_back(p);
    }
    std::string prefix = (*rs)["metadata"].value("name", "") + "-";
    for (auto n = static_cast<long long>(active.size()); n < desired; ++n) {
      create_pod(*rs, "replicaset-controller", (*rs)["metadata"].value("namespace", ""),
                 new_pod(*rs, spec.value("template", Json::object()), prefix, Json::object()));
    }
    for (auto n = static_cast<long long>(active.size()); n > desired; --n) {
      delete_pod(*rs, "replicaset-controller", *active[static_cast<std::size_t>(n - 1)]);
    }
    pods = owned(*rs, "pods");
    long long count = 0, ready = 0;
    for (const auto& p : pods) {
      if (deleting(*p)) continue;
      ++count;
      if (pod_ready(*p)) ++ready;
    }
    Json status{{"replicas", count},
                {"fullyLabeledReplicas", count},
                {"readyReplicas", ready},
                {"availableReplicas", ready},
                {"observedGeneration", (*rs)["metadata"].value("generation", 1LL)}};
    if (ready == 0) status.erase("readyReplicas");
    if (ready == 0) status.erase("availableReplicas");
    if (auto now = cluster.store.get({"replicasets.apps", (*rs)["metadata"].value("namespace", ""),
                                      (*rs)["metadata"].value("name", "")})) {
      write_status(type("replicasets.apps"), now, status);
    }
  }

  // The deployment controller's ScalingReplicaSet.
  void scaled(const Json& deployment, const std::string& rs, long long from, long long to) {
    normal(deployment, "deployment-controller", "ScalingReplicaSet",
           std::string("Scaled ") + (to > from ? "up" : "down") + " replica set " + rs + " from " +
               std::to_string(from) + " to " + std::to_string(to));
  }

  // ---- Deployments: a ReplicaSet per pod template; rollouts; status and conditions.
  void deployment(const ObjectPtr& d) {
    if (deleting(*d)) return;
    const Json& md = (*d)["metadata"];
    std::string ns = md.value("namespace", "");
    const Json& spec = (*d)["spec"];
    long long desired = spec.value("replicas", 1LL);
    Json tmpl = spec.value("template", Json::object());
    std::string hash = template_hash(tmpl);
    auto sets = owned(*d, "replicasets.apps");
    ObjectPtr current;
    long long max_revision = 0;
    for (const auto& rs : sets) {
      const Json& rmd = (*rs)["metadata"];
      long long rev = 0;
      try {
        rev = std::stoll(rmd.value("annotations", Json::object()).value("deployment.kubernetes.io/revision", "0"));
      } catch (const std::exception&) {
      }
      max_revision = std::max(max_revision, rev);
      if (rmd.value("labels", Json::object()).value("pod-template-hash", "") == hash) current = rs;
    }
    bool created_new = false;
    if (!current) {
      Json rs_tmpl = tmpl;
      rs_tmpl["metadata"]["labels"]["pod-template-hash"] = hash;
      Json selector = spec.value("selector", Json::object());
      selector["matchLabels"]["pod-template-hash"] = hash;
      Json rs{{"apiVersion", "apps/v1"},
              {"kind", "ReplicaSet"},
              {"metadata",
               {{"name", md.value("name", "") + "-" + hash},
                {"labels", rs_tmpl["metadata"]["labels"]},
                {"annotations",
                 {{"deployment.kubernetes.io/desired-replicas", std::to_string(desired)},
                  {"deployment.kubernetes.io/max-replicas", std::to_string(desired + (desired + 3) / 4)},
                  {"deployment.kubernetes.io/revision", std::to_string(max_revision + 1)}}},
                {"ownerReferences", Json::array({owner_reference(*d)})}}},
              {"spec", {{"replicas", desired}, {"selector", selector}, {"template", rs_tmpl}}}};
      create("replicasets.apps", ns, rs);
      if (desired > 0) scaled(*d, md.value("name", "") + "-" + hash, 0, desired);
      current = cluster.store.get({"replicasets.apps", ns, md.value("name", "") + "-" + hash});
      sets = owned(*d, "replicasets.apps");
      created_new = true;
    }
    if (!current) return;
    if ((*current)["spec"].value("replicas", 1LL) != desired) {
      Json after = *current;
      after["spec"]["replicas"] = desired;
      after["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] = std::to_string(desired);
      write(type("replicasets.apps"), current, after);
      scaled(*d, (*current)["metadata"].value("name", ""), (*current)["spec"].value("replicas", 1LL), desired);
      current = cluster.store.get({"replicasets.apps", ns, (*current)["metadata"].value("name", "")});
      if (!current) return;
    }
    long long current_available = int_at(*current, "status", "availableReplicas", 0);
    // Old ReplicaSets go to zero once the new one is fully available (surge first, then scale down).
    for (const auto& rs : sets) {
      if (rs == current || (*rs)["metadata"].value("name", "") == (*current)["metadata"].value("name", "")) continue;
      if ((*rs)["spec"].value("replicas", 1LL) != 0 && current_available >= desired) {
        Json after = *rs;
        after["spec"]["replicas"] = 0;
        write(type("replicasets.apps"), rs, after);
        scaled(*d, (*rs)["metadata"].value("name", ""), (*rs)["spec"].value("replicas", 1LL), 0);
      }
    }
    sets = owned(*d, "replicasets.apps");
    long long replicas = 0, ready = 0, available = 0, updated = 0;
    for (const auto& rs : sets) {
      replicas += int_at(*rs, "status", "replicas", 0);
      ready += int_at(*rs, "status", "readyReplicas", 0);
      available += int_at(*rs, "status", "availableReplicas", 0);
      if ((*rs)["metadata"].value("name", "") == (*current)["metadata"].value("name", "")) {
        updated = int_at(*rs, "status", "replicas", 0);
      }
    }
    // Revision annotation follows the current ReplicaSet.
    std::string revision =
        (*current)["metadata"].value("annotations", Json::object()).value("deployment.kubernetes.io/revision", "1");
    ObjectPtr latest = cluster.store.get({"deployments.apps", ns, md.value("name", "")});
    if (!latest) return;
    if ((*latest)["metadata"].value("annotations", Json::object()).value("deployment.kubernetes.io/revision", "") !=
        revision) {
      Json after = *latest;
      after["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = revision;
      write(type("deployments.apps"), latest, after);
      latest = cluster.store.get({"deployments.apps", ns, md.value("name", "")});
      if (!latest) return;
    }
    Json previous = (*latest).value("status", Json::object()).value("conditions", Json::array());
    long long max_unavailable = desired / 4;  // 25%, rounded down
    bool is_available = available >= desired - max_unavailable;
    bool complete = updated == desired && replicas == updated && available == updated;
    std::string rs_name = (*current)["metadata"].value("name", "");
    Json conditions = Json::array();
    conditions.push_back(condition(previous, "Available", is_available ? "True" : "False",
                                   is_available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
                                   is_available ? "Deployment has minimum availability."
                                                : "Deployment does not have minimum availability.",
                                   true));
    std::string reason = complete ? "NewReplicaSetAvailable" : created_new ? "NewReplicaSetCreated" : "ReplicaSetUpdated";
    std::string message = complete        ? "ReplicaSet \"" + rs_name + "\" has successfully progressed."
                          : created_new ? "Created new replica set \"" + rs_name + "\""
                                        : "ReplicaSet \"" + rs_name + "\" is progressing.";
    conditions.push_back(condition(previous, "Progressing", "True", reason, message, true));
    Json status{{"observedGeneration", (*latest)["metadata"].value("generation", 1LL)},
                {"replicas", replicas},
                {"updatedReplicas", updated},
                {"readyReplicas", ready},
                {"availableReplicas", available},
                {"conditions", conditions}};
    if (replicas - available > 0) status["unavailableReplicas"] = replicas - available;
    if (ready == 0) status.erase("readyReplicas");
    if (available == 0) status.erase("availableReplicas");
    if (replicas == 0) status.erase("replicas");
    if (updated == 0) status.erase("updatedReplicas");
    write_status(type("deployments.apps"), latest, status);
    enqueue_hpas(ns);
  }

  void sts_delete(const Json& sts, const Json& pod) {
    remove("pods", pod);
    normal(sts, "statefulset-controller", "SuccessfulDelete",
           "delete Pod " + pod["metadata"].value("name", "") + " in StatefulSet " + sts["metadata"].value("name", "") +
               " successful");
  }

  // ---- StatefulSets: ordinal Pods and their claims.
  void statefulset(const ObjectPtr& sts) {
    if (deleting(*sts)) return;
    const Json& md = (*sts)["metadata"];
    std::string ns = md.value("namespace", "");
    std::string name = md.value("name", "");
    const Json& spec = (*sts)["spec"];
    long long desired = spec.value("replicas", 1LL);
    Json tmpl = spec.value("template", Json::object());
    std::string revision = name + "-" + template_hash(tmpl);
    auto pods = owned(*sts, "pods");
    // Claims from the templates, named <template>-<sts>-<ordinal>.
    for (long long i = 0; i < desired; ++i) {
      for (const auto& vct : spec.value("volumeClaimTemplates", Json::array())) {
        std::string claim = vct["metadata"].value("name", "") + "-" + name + "-" + std::to_string(i);
        if (cluster.store.get({"persistentvolumeclaims", ns, claim})) continue;
        Json pvc{{"apiVersion", "v1"},
                 {"kind", "PersistentVolumeClaim"},
                 {"metadata", {{"name", claim}, {"labels", tmpl["metadata"].value("labels", Json::object())}}},
                 {"spec", vct.value("spec", Json::object())}};
        create("persistentvolumeclaims", ns, pvc);
        normal(*sts, "statefulset-controller", "SuccessfulCreate",
               "create Claim " + claim + " Pod " + name + "-" + std::to_string(i) + " in StatefulSet " + name +
                   " success");
      }
    }
    std::set<std::string> have;
    for (const auto& p : pods) {
      std::string pod_revision = (*p)["metadata"].value("labels", Json::object()).value("controller-revision-hash", "");
      if (!deleting(*p) && pod_revision != revision) {
        sts_delete(*sts, *p);  // rolling update, simplified: replace
        continue;
      }
      have.insert((*p)["metadata"].value("name", ""));
    }
    for (long long i = 0; i < desired; ++i) {
      std::string pod_name = name + "-" + std::to_string(i);
      if (have.count(pod_name) || cluster.store.get({"pods", ns, pod_name})) continue;
      Json pod = new_pod(*sts, tmpl, pod_name,
                         {{"controller-revision-hash", revision},
                          {"statefulset.kubernetes.io/pod-name", pod_name},
                          {"apps.kubernetes.io/pod-index", std::to_string(i)}});
      for (const auto& vct : spec.value("volumeClaimTemplates", Json::array())) {
        std::string vname = vct["metadata"].value("name", "");
        pod["spec"]["volumes"].push_back(
            {{"name", vname}, {"persistentVolumeClaim", {{"claimName", vname + "-" + name + "-" + std::to_string(i)}}}});
      }
      create("pods", ns, pod);
      normal(*sts, "statefulset-controller", "SuccessfulCreate",
             "create Pod " + pod_name + " in StatefulSet " + name + " successful");
    }
    for (const auto& p : owned(*sts, "pods")) {
      std::string pod_name = (*p)["metadata"].value("name", "");
      auto dash = pod_name.rfind('-');
      long long ordinal = -1;
      try {
        ordinal = std::stoll(pod_name.substr(dash + 1));
      } catch (const std::exception&) {
      }
      if (ordinal >= desired && !deleting(*p)) sts_delete(*sts, *p);
    }
    long long replicas = 0, ready = 0, updated = 0;
    for (const auto& p : owned(*sts, "pods")) {
      if (deleting(*p)) continue;
      ++replicas;
      if (pod_ready(*p)) ++ready;
      if ((*p)["metadata"].value("labels", Json::object()).value("controller-revision-hash", "") == revision) ++updated;
    }
    ObjectPtr latest = cluster.store.get({"statefulsets.apps", ns, name});
    if (!latest) return;
    bool done = updated == desired && ready == desired;
    std::string current_revision = (*latest).value("status", Json::object()).value("currentRevision", revision);
    if (done) current_revision = revision;
    Json status{{"observedGeneration", (*latest)["metadata"].value("generation", 1LL)},
                {"replicas", replicas},
                {"readyReplicas", ready},
                {"currentReplicas", done ? replicas : replicas - updated},
                {"updatedReplicas", updated},
                {"availableReplicas", ready},
                {"currentRevision", current_revision},
                {"updateRevision", revision},
                {"collisionCount", 0}};
    write_status(type("statefulsets.apps"), latest, status);
    enqueue_hpas(ns);
  }

  // ---- DaemonSets: one node, one Pod.
  void daemonset(const ObjectPtr& ds) {
    if (deleting(*ds)) return;
    const Json& md = (*ds)["metadata"];
    std::string ns = md.value("namespace", "");
    std::string name = md.value("name", "");
    Json tmpl = (*ds)["spec"].value("template", Json::object());
    std::string hash = template_hash(tmpl);
    bool have = false;
    for (const auto& p : owned(*ds, "pods")) {
      if (deleting(*p)) continue;
      if ((*p)["metadata"].value("labels", Json::object()).value("controller-revision-hash", "") != hash) {
        delete_pod(*ds, "daemonset-controller", *p);
      } else {
        have = true;
      }
    }
    if (!have) {
      create_pod(*ds, "daemonset-controller", ns, new_pod(*ds, tmpl, name + "-", {{"controller-revision-hash", hash}}));
    }
    long long ready = 0, current = 0;
    for (const auto& p : owned(*ds, "pods")) {
      if (deleting(*p)) continue;
      ++current;
      if (pod_ready(*p)) ++ready;
    }
    ObjectPtr latest = cluster.store.get({"daemonsets.apps", ns, name});
    if (!latest) return;
    Json status{{"observedGeneration", (*latest)["metadata"].value("generation", 1LL)},
                {"desiredNumberScheduled", 1},
                {"currentNumberScheduled", current},
                {"updatedNumberScheduled", current},
                {"numberReady", ready},
                {"numberAvailable", ready},
                {"numberMisscheduled", 0}};
    if (ready < 1) status["numberUnavailable"] = 1 - ready;
    write_status(type("daemonsets.apps"), latest, status);
  }

  // ---- Jobs: Pods run to completion; Complete when enough succeeded, Failed once failures pass backoffLimit.
  void job(const ObjectPtr& job) {
    if (deleting(*job)) return;
    const Json& md = (*job)["metadata"];
    std::string ns = md.value("namespace", "");
    std::string name = md.value("name", "");
    const Json& spec = (*job)["spec"];
    if (spec.value("suspend", false)) return;
    long long completions = spec.value("completions", 1LL);
    long long parallelism = spec.value("parallelism", 1LL);
    long long backoff_limit = spec.value("backoffLimit", 6LL);
    Json status = (*job).value("status", Json::object());
    for (const auto& cnd : status.value("conditions", Json::array())) {
      std::string t = cnd.value("type", "");
      if ((t == "Complete" || t == "Failed") && cnd.value("status", "") == "True") return;  // finished for good
    }
    long long succeeded = 0, failed = 0;
    std::vector<ObjectPtr> active;
    for (const auto& p : owned(*job, "pods")) {
      std::string phase = (*p).value("status", Json::object()).value("phase", "");
      if (phase == "Succeeded") ++succeeded;
      else if (phase == "Failed") ++failed;
      else if (!deleting(*p)) active.push_back(p);
    }
    // kube's job controller: the Job has failed when its failed Pods exceed spec.backoffLimit; it stops the
    // remaining Pods and creates no more.
    bool backoff_exceeded = failed > backoff_limit;
    auto running = static_cast<long long>(active.size());
    if (backoff_exceeded) {
      for (const auto& p : active) delete_pod(*job, "job-controller", *p);
      running = 0;
    } else {
      for (; running < std::min(parallelism, completions - succeeded); ++running) {
        create_pod(*job, "job-controller", ns,
                   new_pod(*job, spec.value("template", Json::object()), name + "-", Json::object()));
      }
    }
    ObjectPtr latest = cluster.store.get({"jobs.batch", ns, name});
    if (!latest) return;
    std::string now = now_rfc3339();
    Json s = (*latest).value("status", Json::object());
    if (!s.contains("startTime")) s["startTime"] = now;
    s["active"] = running;
    s["succeeded"] = succeeded;
    s["failed"] = failed;
    s["ready"] = 0;
    s["terminating"] = 0;
    s["uncountedTerminatedPods"] = Json::object();
    auto finished = [&](const std::string& type, const std::string& reason, const std::string& message) {
      return Json{{"type", type},           {"status", "True"}, {"reason", reason}, {"message", message},
                  {"lastProbeTime", now}, {"lastTransitionTime", now}};
    };
    if (backoff_exceeded) {
      // As kube writes them: FailureTarget first (the decision), then Failed (once no Pod runs); no completionTime.
      const char* message = "Job has reached the specified backoff limit";
      s["active"] = 0;
      s["conditions"] = Json::array({finished("FailureTarget", "BackoffLimitExceeded", message),
                                     finished("Failed", "BackoffLimitExceeded", message)});
      event(*latest, {.type = "Warning", .reason = "BackoffLimitExceeded", .message = message,
                      .component = "job-controller"});
    } else if (succeeded >= completions) {
      const char* message = "Reached expected number of succeeded pods";
      s["active"] = 0;
      s["completionTime"] = now;
      s["conditions"] = Json::array({finished("SuccessCriteriaMet", "CompletionsReached", message),
                                     finished("Complete", "CompletionsReached", message)});
      normal(*latest, "job-controller", "Completed", "Job completed");
    }
    if (s["active"] == 0) s.erase("active");
    if (s["succeeded"] == 0) s.erase("succeeded");
    if (s["failed"] == 0) s.erase("failed");
    write_status(type("jobs.batch"), latest, s);
  }

  // ---- PersistentVolumeClaims bind at once.
  void claim(const ObjectPtr& pvc) {
    if (deleting(*pvc)) return;
    if ((*pvc).value("status", Json::object()).value("phase", "") == "Bound") return;
    Json after = *pvc;
    std::string volume = "pvc-" + (*pvc)["metadata"].value("uid", "");
    if (!after["spec"].contains("volumeName")) {
      after["spec"]["volumeName"] = volume;
      after["metadata"]["annotations"]["pv.kubernetes.io/bind-completed"] = "yes";
      after["metadata"]["annotations"]["pv.kubernetes.io/bound-by-controller"] = "yes";
      write(type("persistentvolumeclaims"), pvc, after);
    }
    ObjectPtr latest = cluster.store.get({"persistentvolumeclaims", (*pvc)["metadata"].value("namespace", ""),
                                          (*pvc)["metadata"].value("name", "")});
    if (!latest) return;
    Json status{{"phase", "Bound"}, {"accessModes", (*latest)["spec"].value("accessModes", Json::array())}};
    Json requests = (*latest)["spec"].value("resources", Json::object()).value("requests", Json::object());
    if (requests.contains("storage")) status["capacity"] = {{"storage", requests["storage"]}};
    write_status(type("persistentvolumeclaims"), latest, status);
  }

  // ---- LoadBalancer Services and Ingresses get an address.
  void service(const ObjectPtr& svc) {
    if ((*svc)["spec"].value("type", "") != "LoadBalancer") return;
    Json status = (*svc).value("status", Json::object());
    if (status.value("loadBalancer", Json::object()).contains("ingress")) return;
    std::string ip = "172.18.255." + std::to_string(1 + (++c.lb_counter_ % 250));
    write_status(type("services"), svc, {{"loadBalancer", {{"ingress", {{{"ip", ip}, {"ipMode", "VIP"}}}}}}});
  }

  void ingress(const ObjectPtr& ing) {
    Json status = (*ing).value("status", Json::object());
    if (status.value("loadBalancer", Json::object()).contains("ingress")) return;
    write_status(type("ingresses.networking.k8s.io"), ing,
                 {{"loadBalancer", {{"ingress", {{{"ip", "172.18.255.200"}}}}}}});
  }

  // ---- HPAs report the target's replicas.
  void enqueue_hpas(const std::string& ns) {
    for (const auto& ref : cluster.store.refs("horizontalpodautoscalers.autoscaling", ns)) c.queue_.insert(ref);
  }

  // The HPA controller (hpa.hpp) keeps its own pace: it says when it wants to see this HPA again.
  void hpa(const ObjectRef& ref, const ObjectPtr& hpa) {
    const Usage& usage = c.options_.usage ? *c.options_.usage : c.default_usage_;
    if (auto next = c.hpa_.reconcile(cluster, usage, hpa, std::chrono::steady_clock::now())) {
      c.timers_.emplace(*next, ref);
    }
  }

  // ---- PodDisruptionBudgets: counts of the Pods they cover (disruption.hpp).
  void enqueue_budgets(const std::string& ns) {
    for (const auto& ref : cluster.store.refs("poddisruptionbudgets.policy", ns)) c.queue_.insert(ref);
  }

  void budget(const ObjectPtr& pdb) {
    if (deleting(*pdb)) return;
    std::vector<ObjectPtr> pods;
    for (const auto& ref : cluster.store.refs("pods", (*pdb)["metadata"].value("namespace", ""))) {
      if (auto p = cluster.store.get(ref)) pods.push_back(p);
    }
    write_status(type("poddisruptionbudgets.policy"), pdb,
                 disruption_status(*pdb, pods, (*pdb).value("status", Json::object()), now_rfc3339()));
  }

  void reconcile(const ObjectRef& ref) {
    ObjectPtr obj = cluster.store.get(ref);
    if (!obj) return;
    const std::string& id = ref.resource_id;
    if (id == "pods") pod(obj);
    else if (id == "replicasets.apps") replicaset(obj);
    else if (id == "deployments.apps") deployment(obj);
    else if (id == "statefulsets.apps") statefulset(obj);
    else if (id == "daemonsets.apps") daemonset(obj);
    else if (id == "jobs.batch") job(obj);
    else if (id == "persistentvolumeclaims") claim(obj);
    else if (id == "services") service(obj);
    else if (id == "ingresses.networking.k8s.io") ingress(obj);
    else if (id == "horizontalpodautoscalers.autoscaling") hpa(ref, obj);
    else if (id == "poddisruptionbudgets.policy") budget(obj);
  }
};

Controllers::Controllers(Cluster& cluster, ControllerOptions options)
    : cluster_(cluster), options_(options), hpa_(options.hpa_sync_period) {
  {
    std::lock_guard lock(cluster_.store.mutex());
    cluster_.store.on_event([this](const Event& e) { on_event(e); });
    // One Ready node for the Pods to run on.
    const ResourceType* nodes = cluster_.registry.find_by_id("nodes");
    if (nodes && !cluster_.store.get({"nodes", "", kNode})) {
      std::string now = now_rfc3339();
      Json node{{"apiVersion", "v1"},
                {"kind", "Node"},
                {"metadata",
                 {{"name", kNode},
                  {"labels",
                   {{"kubernetes.io/hostname", kNode},
                    {"kubernetes.io/os", "linux"},
                    {"kubernetes.io/arch", "amd64"},
                    {"node-role.kubernetes.io/control-plane", ""}}}}},
                {"spec", {{"podCIDR", "10.244.0.0/24"}}}};
      Json created = cluster_.create(*nodes, "", node, {.manager = "kubelet"});
      ObjectPtr before = cluster_.store.get({"nodes", "", kNode});
      Json after = created;
      after["status"] = {{"conditions",
                          {{{"type", "Ready"},
                            {"status", "True"},
                            {"reason", "KubeletReady"},
                            {"message", "kubelet is posting ready status"},
                            {"lastHeartbeatTime", now},
                            {"lastTransitionTime", now}}}},
                         {"addresses", {{{"type", "InternalIP"}, {"address", "172.18.0.2"}}, {{"type", "Hostname"}, {"address", kNode}}}},
                         {"capacity", {{"cpu", "8"}, {"memory", "16Gi"}, {"pods", "110"}}},
                         {"allocatable", {{"cpu", "8"}, {"memory", "16Gi"}, {"pods", "110"}}},
                         {"nodeInfo",
                          {{"kubeletVersion", "v1.35.0"},
                           {"containerRuntimeVersion", "containerd://2.0.0"},
                           {"operatingSystem", "linux"},
                           {"architecture", "amd64"},
                           {"osImage", "gitmoor sandbox"}}}};
      cluster_.commit(*nodes, "", kNode, before, after, {.manager = "kubelet", .subresource = "status"}, true);
    }
  }
  thread_ = std::thread([this] { run(); });
}

Controllers::~Controllers() { stop(); }

void Controllers::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Controllers::on_event(const Event& event) {
  if (event.type == EventType::Deleted) {
    // A deleted Pod or ReplicaSet changes its owner's counts.
    std::lock_guard lock(mutex_);
    const Json& md = (*event.object)["metadata"];
    if (event.resource_id == "pods") {
      // Per-Pod state is touched under the store mutex only, which every caller of on_event holds.
      pod_seen_.erase(md.value("uid", ""));
      restart_due_.erase(md.value("uid", ""));
      if ((*event.object).value("status", Json::object()).value("phase", "") == "Running") {
        stopped_pods_.push_back(*event.object);
        queue_.insert({"pods", md.value("namespace", ""), md.value("name", "")});
      }
    }
    for (const auto& r : md.value("ownerReferences", Json::array())) {
      std::string id = resource_of_kind(r.value("kind", ""));
      if (!id.empty()) queue_.insert({id, md.value("namespace", ""), r.value("name", "")});
    }
    if (event.resource_id == "pods") {  // one Pod fewer for the budgets that covered it
      for (const auto& ref : cluster_.store.refs("poddisruptionbudgets.policy", md.value("namespace", ""))) {
        queue_.insert(ref);
      }
    }
    cv_.notify_all();
    return;
  }
  const Json& md = (*event.object)["metadata"];
  std::lock_guard lock(mutex_);
  queue_.insert({event.resource_id, md.value("namespace", ""), md.value("name", "")});
  cv_.notify_all();
}

void Controllers::run() {
  auto log = core::logger("sandbox");
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    auto wake = timers_.empty() ? std::chrono::steady_clock::now() + std::chrono::milliseconds(200)
                                : std::min(timers_.begin()->first,
                                           std::chrono::steady_clock::now() + std::chrono::milliseconds(200));
    cv_.wait_until(lock, wake, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) break;
    auto batch = std::move(queue_);
    queue_.clear();
    auto now = std::chrono::steady_clock::now();
    while (!timers_.empty() && timers_.begin()->first <= now) {
      batch.insert(timers_.begin()->second);
      timers_.erase(timers_.begin());
    }
    if (batch.empty()) continue;
    lock.unlock();
    {
      std::lock_guard store_lock(cluster_.store.mutex());
      // The logic adds follow-up work to queue_ and timers_ without mutex_: every other writer of them (on_event)
      // runs under the store mutex, which this thread holds; on_event, called from the logic's own writes, takes
      // mutex_ itself.
      for (const auto& pod : std::exchange(stopped_pods_, {})) {
        ControllerLogic logic{*this, cluster_};
        logic.stopped(pod);
      }
      for (const auto& ref : batch) {
        ControllerLogic logic{*this, cluster_};
        try {
          logic.reconcile(ref);
        } catch (const ApiError& e) {
          log->debug("sandbox controllers: {} {}/{}: {}", ref.resource_id, ref.ns, ref.name, e.what());
        } catch (const std::exception& e) {
          log->warn("sandbox controllers: {} {}/{}: {}", ref.resource_id, ref.ns, ref.name, e.what());
        }
      }
    }
    lock.lock();
  }
}

void Controllers::reconcile(const ObjectRef&) {}

}  // namespace gitmoor::sandbox
