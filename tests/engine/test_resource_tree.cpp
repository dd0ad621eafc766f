// The resource tree's pure parts: a node per object (Argo CD's ResourceNode, pod info), the compact form the owner
// index keeps, and the tree built through owner uids.
#include <catch2/catch.hpp>

#include <map>

#include "gitmoor/core/packed.hpp"
#include "resource_tree.hpp"
#include "tree_node.hpp"

using namespace gitmoor;
using core::Json;

namespace {

Json owner(const std::string& api_version, const std::string& kind, const std::string& name, const std::string& uid) {
  return {{"apiVersion", api_version}, {"kind", kind}, {"name", name}, {"uid", uid}, {"controller", true}};
}

Json object(const std::string& api_version, const std::string& kind, const std::string& name, const std::string& uid,
            Json owners = Json::array()) {
  if (owners.is_object()) owners = Json::array({owners});  // `{owner(...)}` of one is that object, not a list
  Json metadata{{"name", name}, {"namespace", "game"}, {"uid", uid}, {"resourceVersion", "7"},
                {"creationTimestamp", "2026-12-02T00:00:00Z"}};
  if (!owners.empty()) metadata["ownerReferences"] = std::move(owners);
  return {{"apiVersion", api_version}, {"kind", kind}, {"metadata", std::move(metadata)}};
}

// A running Pod of two containers, one ready: the shape the kubelet reports.
Json running_pod(const std::string& name, const std::string& uid, const Json& owners) {
  Json pod = object("v1", "Pod", name, uid, owners);
  pod["spec"] = {{"nodeName", "node-1"},
                 {"restartPolicy", "Always"},
                 {"containers", {{{"name", "web"}, {"image", "nginx:1.27"}}, {{"name", "sidecar"}, {"image", "envoy:1"}}}}};
  pod["status"] = {{"phase", "Running"},
                   {"conditions", {{{"type", "Ready"}, {"status", "True"}}}},
                   {"containerStatuses",
                    {{{"name", "web"}, {"ready", true}, {"restartCount", 2}, {"state", {{"running", Json::object()}}}},
                     {{"name", "sidecar"}, {"ready", false}, {"restartCount", 1},
                      {"state", {{"running", Json::object()}}}}}}};
  pod["metadata"]["labels"] = {{"app", "web"}, {"pod-template-hash", "abc"}};
  pod["metadata"]["annotations"] = {{"kubectl.kubernetes.io/restartedAt", "2026-12-01T00:00:00Z"}};
  pod["metadata"]["managedFields"] = Json::array({{{"manager", "kubelet"}, {"fieldsV1", {{"f:status", Json::object()}}}}});
  return pod;
}

std::string info(const Json& node, const std::string& name) {
  for (const auto& item : node["info"]) {
    if (item["name"] == name) return item["value"];
  }
  return "<none>";
}

}  // namespace

TEST_CASE("a Pod's node has Argo CD's info: status reason, containers ready of total, restarts, images", "[engine][tree]") {
  const auto node = engine::tree_node(running_pod("web-abc-1", "pod-1", {owner("apps/v1", "ReplicaSet", "web-abc", "rs-1")}));
  CHECK(node["group"] == "");
  CHECK(node["version"] == "v1");
  CHECK(node["kind"] == "Pod");
  CHECK(node["namespace"] == "game");
  CHECK(node["uid"] == "pod-1");
  CHECK(node["resourceVersion"] == "7");
  CHECK(node["createdAt"] == "2026-12-02T00:00:00Z");
  CHECK(info(node, "Status Reason") == "Running");
  CHECK(info(node, "Node") == "node-1");
  CHECK(info(node, "Containers") == "1/2");
  CHECK(info(node, "Restart Count") == "3");
  CHECK(node["images"] == Json::array({"envoy:1", "nginx:1.27"}));
  CHECK(node["health"]["status"] == "Healthy");
  REQUIRE(node["parentRefs"].size() == 1);
  CHECK(node["parentRefs"][0] == Json{{"group", "apps"}, {"kind", "ReplicaSet"}, {"namespace", "game"},
                                      {"name", "web-abc"}, {"uid", "rs-1"}});
}

TEST_CASE("a Pod's status reason says what keeps it from running", "[engine][tree]") {
  auto pod = running_pod("p", "u", Json::array());
  SECTION("a crash-looping container") {
    pod["status"]["containerStatuses"][1]["state"] = {{"waiting", {{"reason", "CrashLoopBackOff"}}}};
    const auto node = engine::tree_node(pod);
    CHECK(info(node, "Status Reason") == "CrashLoopBackOff");
    CHECK(node["health"]["status"] == "Degraded");
  }
  SECTION("an init container still running") {
    pod["spec"]["initContainers"] = {{{"name", "migrate"}, {"image", "migrate:1"}}};
    pod["status"]["phase"] = "Pending";
    pod["status"]["initContainerStatuses"] = {{{"name", "migrate"}, {"restartCount", 0}, {"state", {{"running", Json::object()}}}}};
    const auto node = engine::tree_node(pod);
    CHECK(info(node, "Status Reason") == "Init:0/1");
    CHECK(node["images"] == Json::array({"envoy:1", "migrate:1", "nginx:1.27"}));
  }
  SECTION("a failed init container") {
    pod["spec"]["initContainers"] = {{{"name", "migrate"}, {"image", "migrate:1"}}};
    pod["status"]["initContainerStatuses"] = {
        {{"name", "migrate"}, {"restartCount", 4}, {"state", {{"terminated", {{"exitCode", 3}}}}}}};
    const auto node = engine::tree_node(pod);
    CHECK(info(node, "Status Reason") == "Init:ExitCode:3");
    CHECK(info(node, "Restart Count") == "4");
  }
  SECTION("a finished container beside a running one") {
    pod["status"]["containerStatuses"][1]["state"] = {{"terminated", {{"reason", "Completed"}, {"exitCode", 0}}}};
    CHECK(info(engine::tree_node(pod), "Status Reason") == "Running");
  }
  SECTION("a Pod being deleted") {
    pod["metadata"]["deletionTimestamp"] = "2026-12-02T00:01:00Z";
    const auto node = engine::tree_node(pod);
    CHECK(info(node, "Status Reason") == "Terminating");
    CHECK(node["health"]["status"] == "Progressing");
  }
}

TEST_CASE("the compact form keeps the node and a fraction of the Pod", "[engine][tree]") {
  const auto pod = running_pod("web-abc-1", "pod-1", {owner("apps/v1", "ReplicaSet", "web-abc", "rs-1")});
  const auto compact = engine::compact_object(pod);
  CHECK(engine::tree_node(compact) == engine::tree_node(pod));
  CHECK(engine::compact_object(compact) == compact);  // idempotent: a relist of a stored object changes nothing
  // What the owner index needs to index it.
  CHECK(compact["metadata"]["uid"] == "pod-1");
  CHECK(compact["metadata"]["ownerReferences"][0]["uid"] == "rs-1");
  CHECK_FALSE(compact.contains("spec"));
  CHECK_FALSE(compact.contains("status"));
  CHECK_FALSE(compact["metadata"].contains("labels"));
  CHECK_FALSE(compact["metadata"].contains("managedFields"));
  const auto full_bytes = core::pack(pod).size();
  const auto compact_bytes = core::pack(compact).size();
  INFO("packed pod " << full_bytes << " bytes, compact " << compact_bytes);
  CHECK(compact_bytes < full_bytes);
}

TEST_CASE("a ReplicaSet's node shows its Deployment revision", "[engine][tree]") {
  auto rs = object("apps/v1", "ReplicaSet", "web-abc", "rs-1", {owner("apps/v1", "Deployment", "web", "d-1")});
  rs["metadata"]["annotations"] = {{"deployment.kubernetes.io/revision", "3"}};
  rs["metadata"]["generation"] = 1;
  rs["spec"] = {{"replicas", 2}};
  rs["status"] = {{"observedGeneration", 1}, {"replicas", 2}, {"availableReplicas", 1}};
  const auto node = engine::tree_node(rs);
  CHECK(info(node, "Revision") == "Rev:3");
  CHECK(node["health"]["status"] == "Progressing");
  CHECK(node["health"]["message"].get<std::string>().find("1 out of 2") != std::string::npos);
}

TEST_CASE("the tree reaches from managed objects through owner uids to their descendants", "[engine][tree]") {
  // Managed: a Deployment, a StatefulSet, a Service, a CronJob and a ConfigMap. Indexed children by owner uid.
  std::vector<core::Object> managed{
      core::Object(object("apps/v1", "Deployment", "web", "d-1")),
      core::Object(object("apps/v1", "StatefulSet", "db", "s-1")),
      core::Object(object("v1", "Service", "web", "svc-1")),
      core::Object(object("batch/v1", "CronJob", "backup", "cj-1")),
      core::Object(object("v1", "ConfigMap", "settings", "cm-1")),
  };
  std::vector<Json> indexed{
      object("apps/v1", "ReplicaSet", "web-abc", "rs-1", {owner("apps/v1", "Deployment", "web", "d-1")}),
      running_pod("web-abc-1", "p-1", {owner("apps/v1", "ReplicaSet", "web-abc", "rs-1")}),
      running_pod("web-abc-2", "p-2", {owner("apps/v1", "ReplicaSet", "web-abc", "rs-1")}),
      running_pod("db-0", "p-3", {owner("apps/v1", "StatefulSet", "db", "s-1")}),
      object("discovery.k8s.io/v1", "EndpointSlice", "web-x7", "es-1", {owner("v1", "Service", "web", "svc-1")}),
      object("batch/v1", "Job", "backup-1", "j-1", {owner("batch/v1", "CronJob", "backup", "cj-1")}),
      running_pod("backup-1-q", "p-4", {owner("batch/v1", "Job", "backup-1", "j-1")}),
      // Not ours: owned by a Deployment of another app.
      object("apps/v1", "ReplicaSet", "other-1", "rs-9", {owner("apps/v1", "Deployment", "other", "d-9")}),
  };
  std::map<std::string, std::vector<Json>> by_owner;
  for (const auto& o : indexed) {
    const auto compact = engine::compact_object(o);
    for (const auto& ref : compact["metadata"]["ownerReferences"]) by_owner[ref["uid"]].push_back(compact);
  }
  std::vector<std::string> asked;
  const auto tree = engine::build_resource_tree(managed, [&](const std::string& uid) {
    asked.push_back(uid);
    std::vector<Json> out;
    for (const auto& o : by_owner[uid]) out.push_back(engine::tree_node(o));
    return out;
  });
  CHECK(tree["orphanedNodes"] == Json::array());
  CHECK(tree["hosts"] == Json::array());
  std::map<std::string, Json> by_name;
  for (const auto& node : tree["nodes"]) by_name[node["kind"].get<std::string>() + "/" + node["name"].get<std::string>()] = node;
  CHECK(tree["nodes"].size() == 12);
  CHECK(by_name.count("ReplicaSet/other-1") == 0);
  CHECK(by_name["Deployment/web"]["parentRefs"] == Json::array());
  CHECK(by_name["ReplicaSet/web-abc"]["parentRefs"][0]["uid"] == "d-1");
  CHECK(by_name["Pod/web-abc-1"]["parentRefs"][0]["uid"] == "rs-1");
  CHECK(by_name["Pod/web-abc-2"]["parentRefs"][0]["uid"] == "rs-1");
  CHECK(by_name["Pod/db-0"]["parentRefs"][0]["kind"] == "StatefulSet");
  CHECK(by_name["EndpointSlice/web-x7"]["parentRefs"][0]["kind"] == "Service");
  CHECK(by_name["EndpointSlice/web-x7"]["group"] == "discovery.k8s.io");
  CHECK(by_name["Job/backup-1"]["parentRefs"][0]["kind"] == "CronJob");
  CHECK(by_name["Pod/backup-1-q"]["parentRefs"][0]["kind"] == "Job");
  for (const auto& node : tree["nodes"]) CHECK(node["health"].contains("status"));
  // Sorted by group, kind, namespace, name.
  CHECK(tree["nodes"][0]["kind"] == "ConfigMap");
  CHECK(tree["nodes"].back()["kind"] == "EndpointSlice");
}

TEST_CASE("an ownership cycle or a shared child is shown once", "[engine][tree]") {
  std::vector<core::Object> managed{core::Object(object("apps/v1", "Deployment", "web", "d-1"))};
  int calls = 0;
  const auto tree = engine::build_resource_tree(managed, [&](const std::string& uid) {
    ++calls;
    // Every object claims the other as its child: the walk must end.
    if (uid == "d-1") return std::vector<Json>{engine::tree_node(object("apps/v1", "ReplicaSet", "a", "rs-1"))};
    return std::vector<Json>{engine::tree_node(object("apps/v1", "Deployment", "web", "d-1")),
                             engine::tree_node(object("apps/v1", "ReplicaSet", "a", "rs-1"))};
  });
  CHECK(tree["nodes"].size() == 2);
  CHECK(calls == 2);
}
