#include "defaults.hpp"

namespace gitmoor::sandbox {

std::string Allocator::next_cluster_ip() {
  std::uint32_t n = next_ip_++;
  // 10.96.0.0/12: 10.96.x.y .. 10.111.x.y
  std::uint32_t b = 96 + ((n >> 16) & 0x0f);
  return "10." + std::to_string(b) + "." + std::to_string((n >> 8) & 0xff) + "." + std::to_string(n & 0xff);
}

int Allocator::next_node_port() {
  int p = next_port_++;
  if (next_port_ > 32767) next_port_ = 30000;
  return p;
}

std::string base64_encode(const std::string& data) {
  static const char* chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  while (i + 2 < data.size()) {
    std::uint32_t v = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8) |
                      static_cast<unsigned char>(data[i + 2]);
    out += chars[(v >> 18) & 63];
    out += chars[(v >> 12) & 63];
    out += chars[(v >> 6) & 63];
    out += chars[v & 63];
    i += 3;
  }
  if (i + 1 == data.size()) {
    std::uint32_t v = static_cast<unsigned char>(data[i]) << 16;
    out += chars[(v >> 18) & 63];
    out += chars[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == data.size()) {
    std::uint32_t v = (static_cast<unsigned char>(data[i]) << 16) | (static_cast<unsigned char>(data[i + 1]) << 8);
    out += chars[(v >> 18) & 63];
    out += chars[(v >> 12) & 63];
    out += chars[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

namespace {

void set_default(Json& obj, const char* key, const Json& value) {
  if (!obj.is_object()) return;
  if (!obj.contains(key) || obj[key].is_null()) obj[key] = value;
}

Json& child(Json& obj, const char* key) {
  if (!obj[key].is_object()) obj[key] = Json::object();
  return obj[key];
}

void default_probe(Json& probe) {
  if (!probe.is_object()) return;
  set_default(probe, "timeoutSeconds", 1);
  set_default(probe, "periodSeconds", 10);
  set_default(probe, "successThreshold", 1);
  set_default(probe, "failureThreshold", 3);
  if (probe.contains("httpGet") && probe["httpGet"].is_object()) set_default(probe["httpGet"], "scheme", "HTTP");
}

void default_container(Json& c) {
  if (!c.is_object()) return;
  set_default(c, "terminationMessagePath", "/dev/termination-log");
  set_default(c, "terminationMessagePolicy", "File");
  if (!c.contains("imagePullPolicy") && c.contains("image") && c["image"].is_string()) {
    std::string image = c["image"];
    std::string last = image.substr(image.rfind('/') == std::string::npos ? 0 : image.rfind('/') + 1);
    bool digest = image.find('@') != std::string::npos;
    auto colon = last.find(':');
    bool latest = !digest && (colon == std::string::npos || last.substr(colon + 1) == "latest");
    c["imagePullPolicy"] = latest ? "Always" : "IfNotPresent";
  }
  if (c.contains("ports") && c["ports"].is_array()) {
    for (auto& p : c["ports"]) set_default(p, "protocol", "TCP");
  }
  for (const char* probe : {"livenessProbe", "readinessProbe", "startupProbe"}) {
    if (c.contains(probe)) default_probe(c[probe]);
  }
  if (c.contains("env") && c["env"].is_array()) {
    for (auto& e : c["env"]) {
      if (e.is_object() && e.contains("valueFrom") && e["valueFrom"].is_object() &&
          e["valueFrom"].contains("fieldRef") && e["valueFrom"]["fieldRef"].is_object()) {
        set_default(e["valueFrom"]["fieldRef"], "apiVersion", "v1");
      }
    }
  }
}

void default_pod_spec(Json& spec) {
  if (!spec.is_object()) return;
  set_default(spec, "restartPolicy", "Always");
  set_default(spec, "dnsPolicy", "ClusterFirst");
  set_default(spec, "schedulerName", "default-scheduler");
  set_default(spec, "terminationGracePeriodSeconds", 30);
  set_default(spec, "securityContext", Json::object());
  for (const char* list : {"containers", "initContainers"}) {
    if (spec.contains(list) && spec[list].is_array()) {
      for (auto& c : spec[list]) default_container(c);
    }
  }
  if (spec.contains("volumes") && spec["volumes"].is_array()) {
    for (auto& v : spec["volumes"]) {
      if (!v.is_object()) continue;
      if (v.contains("configMap") && v["configMap"].is_object()) set_default(v["configMap"], "defaultMode", 420);
      if (v.contains("secret") && v["secret"].is_object()) set_default(v["secret"], "defaultMode", 420);
    }
  }
}

void default_template(Json& spec) {
  if (!spec.is_object() || !spec.contains("template") || !spec["template"].is_object()) return;
  Json& tmpl = spec["template"];
  if (tmpl.contains("spec")) default_pod_spec(tmpl["spec"]);
}

void default_job_spec(Json& spec, const std::string& uid) {
  if (!spec.is_object()) return;
  set_default(spec, "backoffLimit", 6);
  set_default(spec, "completions", 1);
  set_default(spec, "parallelism", 1);
  set_default(spec, "completionMode", "NonIndexed");
  set_default(spec, "suspend", false);
  set_default(spec, "podReplacementPolicy", "TerminatingOrFailed");
  default_template(spec);
  if (!uid.empty() && !spec.contains("selector") && !spec.value("manualSelector", false)) {
    spec["selector"] = {{"matchLabels", {{"batch.kubernetes.io/controller-uid", uid}}}};
    if (spec.contains("template") && spec["template"].is_object()) {
      Json& labels = child(child(spec["template"], "metadata"), "labels");
      set_default(labels, "batch.kubernetes.io/controller-uid", uid);
      set_default(labels, "controller-uid", uid);
    }
  }
}

Json scale_rules(Json rules, bool up) {
  if (!rules.is_object()) rules = Json::object();
  // kube leaves scaleDown's window unset: the controller's --horizontal-pod-autoscaler-downscale-stabilization (300 s).
  if (up) set_default(rules, "stabilizationWindowSeconds", 0);
  set_default(rules, "selectPolicy", "Max");
  if (!rules.contains("policies")) {
    rules["policies"] = up ? Json::array({{{"type", "Pods"}, {"value", 4}, {"periodSeconds", 15}},
                                          {{"type", "Percent"}, {"value", 100}, {"periodSeconds", 15}}})
                           : Json::array({{{"type", "Percent"}, {"value", 100}, {"periodSeconds", 15}}});
  }
  return rules;
}

void default_service(Json& obj, const Json& old, Allocator& alloc) {
  Json& spec = child(obj, "spec");
  set_default(spec, "type", "ClusterIP");
  std::string type = spec["type"].is_string() ? spec["type"].get<std::string>() : "ClusterIP";
  set_default(spec, "sessionAffinity", "None");
  if (type != "ExternalName") {
    const Json* old_spec = old.is_object() && old.contains("spec") ? &old["spec"] : nullptr;
    if (!spec.contains("clusterIP") || spec["clusterIP"] == "") {
      if (old_spec && old_spec->contains("clusterIP")) {
        spec["clusterIP"] = (*old_spec)["clusterIP"];
      } else {
        spec["clusterIP"] = alloc.next_cluster_ip();
      }
    }
    if (!spec.contains("clusterIPs")) spec["clusterIPs"] = Json::array({spec["clusterIP"]});
    if (spec["clusterIP"] != "None") {
      set_default(spec, "ipFamilies", Json::array({"IPv4"}));
      set_default(spec, "ipFamilyPolicy", "SingleStack");
    } else {
      set_default(spec, "ipFamilies", Json::array({"IPv4"}));
      set_default(spec, "ipFamilyPolicy", "SingleStack");
    }
    set_default(spec, "internalTrafficPolicy", "Cluster");
  }
  bool node_ports = type == "NodePort" || type == "LoadBalancer";
  if (node_ports) set_default(spec, "externalTrafficPolicy", "Cluster");
  if (type == "LoadBalancer") set_default(spec, "allocateLoadBalancerNodePorts", true);
  if (spec.contains("ports") && spec["ports"].is_array()) {
    for (std::size_t i = 0; i < spec["ports"].size(); ++i) {
      Json& p = spec["ports"][i];
      if (!p.is_object()) continue;
      set_default(p, "protocol", "TCP");
      if (p.contains("port")) set_default(p, "targetPort", p["port"]);
      if (node_ports && !p.contains("nodePort")) {
        const Json* old_port = nullptr;
        if (old.is_object() && old.contains("spec") && old["spec"].contains("ports") && old["spec"]["ports"].is_array()) {
          for (const auto& op : old["spec"]["ports"]) {
            if (op.is_object() && op.value("port", Json()) == p.value("port", Json()) && op.contains("nodePort")) {
              old_port = &op;
            }
          }
        }
        p["nodePort"] = old_port ? (*old_port)["nodePort"] : Json(alloc.next_node_port());
      }
    }
  }
  if (!obj.contains("status")) obj["status"] = {{"loadBalancer", Json::object()}};
}

}  // namespace

void apply_defaults(const ResourceType& type, Json& obj, const Json& old, Allocator& allocator) {
  if (type.custom || !obj.is_object()) return;
  const std::string& kind = type.kind;
  std::string uid = obj["metadata"].value("uid", "");
  if (kind == "Deployment") {
    Json& spec = child(obj, "spec");
    set_default(spec, "replicas", 1);
    Json& strategy = child(spec, "strategy");
    set_default(strategy, "type", "RollingUpdate");
    if (strategy["type"] == "RollingUpdate") {
      Json& ru = child(strategy, "rollingUpdate");
      set_default(ru, "maxUnavailable", "25%");
      set_default(ru, "maxSurge", "25%");
    }
    set_default(spec, "revisionHistoryLimit", 10);
    set_default(spec, "progressDeadlineSeconds", 600);
    default_template(spec);
  } else if (kind == "ReplicaSet" || kind == "ReplicationController") {
    Json& spec = child(obj, "spec");
    set_default(spec, "replicas", 1);
    default_template(spec);
  } else if (kind == "StatefulSet") {
    Json& spec = child(obj, "spec");
    set_default(spec, "replicas", 1);
    set_default(spec, "podManagementPolicy", "OrderedReady");
    Json& us = child(spec, "updateStrategy");
    set_default(us, "type", "RollingUpdate");
    if (us["type"] == "RollingUpdate") set_default(child(us, "rollingUpdate"), "partition", 0);
    set_default(spec, "revisionHistoryLimit", 10);
    Json& retention = child(spec, "persistentVolumeClaimRetentionPolicy");
    set_default(retention, "whenDeleted", "Retain");
    set_default(retention, "whenScaled", "Retain");
    default_template(spec);
    if (spec.contains("volumeClaimTemplates") && spec["volumeClaimTemplates"].is_array()) {
      for (auto& t : spec["volumeClaimTemplates"]) {
        if (!t.is_object()) continue;
        set_default(t, "apiVersion", "v1");
        set_default(t, "kind", "PersistentVolumeClaim");
        set_default(child(t, "spec"), "volumeMode", "Filesystem");
        set_default(t, "status", {{"phase", "Pending"}});
      }
    }
  } else if (kind == "DaemonSet") {
    Json& spec = child(obj, "spec");
    Json& us = child(spec, "updateStrategy");
    set_default(us, "type", "RollingUpdate");
    if (us["type"] == "RollingUpdate") {
      Json& ru = child(us, "rollingUpdate");
      set_default(ru, "maxUnavailable", 1);
      set_default(ru, "maxSurge", 0);
    }
    set_default(spec, "revisionHistoryLimit", 10);
    default_template(spec);
  } else if (kind == "Job") {
    default_job_spec(child(obj, "spec"), uid);
    if (uid.size() && obj["spec"].contains("template")) {
      Json& labels = child(child(obj["spec"]["template"], "metadata"), "labels");
      set_default(labels, "batch.kubernetes.io/job-name", obj["metadata"].value("name", ""));
      set_default(labels, "job-name", obj["metadata"].value("name", ""));
    }
  } else if (kind == "CronJob") {
    Json& spec = child(obj, "spec");
    set_default(spec, "concurrencyPolicy", "Allow");
    set_default(spec, "suspend", false);
    set_default(spec, "successfulJobsHistoryLimit", 3);
    set_default(spec, "failedJobsHistoryLimit", 1);
    if (spec.contains("jobTemplate") && spec["jobTemplate"].is_object() && spec["jobTemplate"].contains("spec")) {
      Json& js = spec["jobTemplate"]["spec"];
      default_template(js);
    }
  } else if (kind == "Pod") {
    Json& spec = child(obj, "spec");
    default_pod_spec(spec);
    set_default(spec, "enableServiceLinks", true);
    set_default(spec, "preemptionPolicy", "PreemptLowerPriority");
    set_default(spec, "priority", 0);
    set_default(spec, "serviceAccountName", "default");
    set_default(spec, "serviceAccount", spec["serviceAccountName"]);
    if (!obj.contains("status")) obj["status"] = {{"phase", "Pending"}, {"qosClass", "BestEffort"}};
  } else if (kind == "Service") {
    default_service(obj, old, allocator);
  } else if (kind == "PersistentVolumeClaim") {
    set_default(child(obj, "spec"), "volumeMode", "Filesystem");
    if (!obj.contains("status")) obj["status"] = {{"phase", "Pending"}};
  } else if (kind == "PersistentVolume") {
    Json& spec = child(obj, "spec");
    set_default(spec, "persistentVolumeReclaimPolicy", "Retain");
    set_default(spec, "volumeMode", "Filesystem");
    if (!obj.contains("status")) obj["status"] = {{"phase", "Available"}};
  } else if (kind == "HorizontalPodAutoscaler") {
    Json& spec = child(obj, "spec");
    set_default(spec, "minReplicas", 1);
    if (!spec.contains("metrics") || !spec["metrics"].is_array() || spec["metrics"].empty()) {
      spec["metrics"] = Json::array({{{"type", "Resource"},
                                      {"resource",
                                       {{"name", "cpu"},
                                        {"target", {{"type", "Utilization"}, {"averageUtilization", 80}}}}}}});
    }
    if (spec.contains("behavior") && spec["behavior"].is_object()) {
      Json& b = spec["behavior"];
      b["scaleUp"] = scale_rules(b.value("scaleUp", Json()), true);
      b["scaleDown"] = scale_rules(b.value("scaleDown", Json()), false);
    }
  } else if (kind == "Secret") {
    set_default(obj, "type", "Opaque");
    if (obj.contains("stringData") && obj["stringData"].is_object()) {
      Json& data = child(obj, "data");
      for (const auto& [k, v] : obj["stringData"].items()) {
        if (v.is_string()) data[k] = base64_encode(v.get<std::string>());
      }
      obj.erase("stringData");
    }
  } else if (kind == "Namespace") {
    Json& spec = child(obj, "spec");
    set_default(spec, "finalizers", Json::array({"kubernetes"}));
    Json& status = child(obj, "status");
    set_default(status, "phase", "Active");
    Json& labels = child(obj["metadata"], "labels");
    labels["kubernetes.io/metadata.name"] = obj["metadata"].value("name", "");
  } else if (kind == "NetworkPolicy") {
    Json& spec = child(obj, "spec");
    if (!spec.contains("policyTypes")) {
      Json types = Json::array({"Ingress"});
      if (spec.contains("egress")) types.push_back("Egress");
      spec["policyTypes"] = types;
    }
    for (const char* dir : {"ingress", "egress"}) {
      if (!spec.contains(dir) || !spec[dir].is_array()) continue;
      for (auto& rule : spec[dir]) {
        if (rule.is_object() && rule.contains("ports") && rule["ports"].is_array()) {
          for (auto& p : rule["ports"]) set_default(p, "protocol", "TCP");
        }
      }
    }
  } else if (kind == "StorageClass") {
    set_default(obj, "reclaimPolicy", "Delete");
    set_default(obj, "volumeBindingMode", "Immediate");
  } else if (kind == "Ingress") {
    if (!obj.contains("status")) obj["status"] = {{"loadBalancer", Json::object()}};
  }
}

}  // namespace gitmoor::sandbox
