// Argo CD's tables over the API's JSON; see application_view.hpp.
#include "output/application_view.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <sstream>

#include "gitmoor/core/yaml.hpp"
#include "gitmoor/differ/text_diff.hpp"
#include "output/age.hpp"
#include "output/json_fields.hpp"
#include "output/table.hpp"

namespace gitmoor::cli {

using core::Json;

namespace {

std::string short_revision(const std::string& revision) {
  const bool sha = revision.size() == 40 &&
                   std::all_of(revision.begin(), revision.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
  return sha ? revision.substr(0, 7) : revision;
}

std::string key_of(const Json& r) {
  return text(r, "group") + "/" + text(r, "kind") + "/" + text(r, "namespace") + "/" + text(r, "name");
}

std::string summary_line(const std::string& label, const std::string& value) {
  std::string line = label + ":";
  line.append(line.size() < 20 ? 20 - line.size() : 1, ' ');
  return line + value + "\n";
}

// The last sync result's message per resource.
std::map<std::string, const Json*> result_by_key(const Json& app) {
  std::map<std::string, const Json*> out;
  for (const auto& r : items(field(field(field(app, "status"), "operationState"), "syncResult"), "resources")) {
    if (text(r, "hookType").empty() || !out.contains(key_of(r))) out[key_of(r)] = &r;
  }
  return out;
}

std::string yaml_of_state(const Json& item, const char* key) {
  const Json& v = field(item, key);
  Json state;
  if (v.is_string()) {
    const auto s = v.get<std::string>();
    if (s.empty() || s == "null") return "";
    try {
      state = Json::parse(s);
    } catch (const Json::parse_error&) {
      return s + "\n";
    }
  } else {
    state = v;
  }
  if (state.is_null()) return "";
  return core::to_yaml(state);
}

}  // namespace

std::string sync_policy_label(const Json& app) {
  const Json& automated = field(field(field(app, "spec"), "syncPolicy"), "automated");
  if (!automated.is_object()) return "Manual";
  return field(automated, "prune") == true ? "Auto-Prune" : "Auto";
}

std::string conditions_label(const Json& app) {
  std::string out;
  for (const auto& c : items(field(app, "status"), "conditions")) {
    if (!out.empty()) out += ",";
    out += text(c, "type");
  }
  return out.empty() ? "<none>" : out;
}

std::string app_list_table(const std::vector<Json>& apps, const Palette& palette) {
  Table table({"NAME", "CLUSTER", "NAMESPACE", "PROJECT", "STATUS", "HEALTH", "SYNCPOLICY", "CONDITIONS", "REPO",
               "PATH", "TARGET"});
  for (const auto& app : apps) {
    const Json& spec = field(app, "spec");
    const Json& destination = field(spec, "destination");
    const Json& source = field(spec, "source");
    const Json& status = field(app, "status");
    std::string cluster = text(destination, "server");
    if (cluster.empty()) cluster = text(destination, "name");
    table.add({text(field(app, "metadata"), "name"), cluster, text(destination, "namespace"), text(spec, "project"),
               palette.status(text(field(status, "sync"), "status")), palette.status(text(field(status, "health"), "status")),
               sync_policy_label(app), conditions_label(app), text(source, "repoURL"), text(source, "path"),
               text(source, "targetRevision")});
  }
  return table.str();
}

std::string app_summary(const Json& app, const Palette& palette) {
  const Json& spec = field(app, "spec");
  const Json& source = field(spec, "source");
  const Json& destination = field(spec, "destination");
  const Json& status = field(app, "status");
  std::string out;
  out += summary_line("Name", text(field(app, "metadata"), "name"));
  out += summary_line("Project", text(spec, "project"));
  out += summary_line("Server", !text(destination, "server").empty() ? text(destination, "server") : text(destination, "name"));
  out += summary_line("Namespace", text(destination, "namespace"));
  out += summary_line("Repo", text(source, "repoURL"));
  out += summary_line("Target", text(source, "targetRevision"));
  out += summary_line("Path", text(source, "path"));
  const Json& automated = field(field(spec, "syncPolicy"), "automated");
  std::string policy = "Manual";
  if (automated.is_object()) {
    policy = "Automated";
    if (field(automated, "prune") == true) policy += " (Prune)";
  }
  out += summary_line("Sync Policy", policy);
  const std::string sync = text(field(status, "sync"), "status");
  std::string target = text(source, "targetRevision");
  if (target.empty()) target = "HEAD";
  std::string sync_line = palette.status(sync) + (sync == "Synced" ? " to " : " from ") + target;
  if (const auto rev = text(field(status, "sync"), "revision"); !rev.empty()) sync_line += " (" + short_revision(rev) + ")";
  out += summary_line("Sync Status", sync.empty() ? "" : sync_line);
  std::string health = palette.status(text(field(status, "health"), "status"));
  if (const auto message = text(field(status, "health"), "message"); !message.empty()) health += " (" + message + ")";
  out += summary_line("Health Status", health);
  if (!items(status, "conditions").empty()) {
    Table conditions({"CONDITION", "MESSAGE", "LAST TRANSITION"});
    for (const auto& c : items(status, "conditions")) {
      conditions.add({text(c, "type"), text(c, "message"), text(c, "lastTransitionTime")});
    }
    out += "\n" + conditions.str();
  }
  if (const auto operation = operation_summary(app, palette); !operation.empty()) out += "\n" + operation;
  return out;
}

std::string operation_summary(const Json& app, const Palette& palette) {
  const Json& op = field(field(app, "status"), "operationState");
  if (!op.is_object()) return "";
  std::string out;
  out += summary_line("Operation", field(field(op, "operation"), "rollback").is_object() ? "Rollback" : "Sync");
  std::string revision = text(field(op, "syncResult"), "revision");
  if (revision.empty()) revision = text(field(field(op, "operation"), "sync"), "revision");
  out += summary_line("Sync Revision", revision);
  out += summary_line("Phase", palette.status(text(op, "phase")));
  out += summary_line("Start", text(op, "startedAt"));
  out += summary_line("Finished", text(op, "finishedAt"));
  out += summary_line("Duration", elapsed_between(text(op, "startedAt"), text(op, "finishedAt")));
  out += summary_line("Message", text(op, "message"));
  return out;
}

std::string resource_table(const Json& app, const Palette& palette) {
  const auto results = result_by_key(app);
  Table table({"GROUP", "KIND", "NAMESPACE", "NAME", "STATUS", "HEALTH", "HOOK", "MESSAGE"});
  for (const auto& r : items(field(app, "status"), "resources")) {
    const auto it = results.find(key_of(r));
    table.add({text(r, "group"), text(r, "kind"), text(r, "namespace"), text(r, "name"),
               palette.status(text(r, "status")), palette.status(text(field(r, "health"), "status")), text(r, "hook"),
               it == results.end() ? "" : text(*it->second, "message")});
  }
  return table.str();
}

std::string resource_tree(const Json& app, const Json& tree, const Palette& palette) {
  const auto results = result_by_key(app);
  std::map<std::string, const Json*> managed;
  for (const auto& r : items(field(app, "status"), "resources")) managed[key_of(r)] = &r;

  // Nodes by kind/namespace/name (parentRefs carry no group in older answers), children under each parent.
  const auto ref_key = [](const Json& n) { return text(n, "kind") + "/" + text(n, "namespace") + "/" + text(n, "name"); };
  std::map<std::string, const Json*> nodes;
  for (const auto& n : items(tree, "nodes")) nodes[ref_key(n)] = &n;
  std::map<std::string, std::vector<const Json*>> children;
  std::vector<const Json*> roots;
  for (const auto& n : items(tree, "nodes")) {
    bool has_parent = false;
    for (const auto& p : items(n, "parentRefs")) {
      Json parent = p;
      if (text(parent, "namespace").empty()) parent["namespace"] = text(n, "namespace");
      if (nodes.contains(ref_key(parent))) {
        children[ref_key(parent)].push_back(&n);
        has_parent = true;
        break;
      }
    }
    if (!has_parent) roots.push_back(&n);
  }
  const auto by_name = [](const Json* a, const Json* b) {
    return std::make_pair(text(*a, "kind"), text(*a, "name")) < std::make_pair(text(*b, "kind"), text(*b, "name"));
  };
  // Roots in the order of status.resources (Argo CD's sync order), children by kind and name.
  std::map<std::string, std::size_t> order;
  for (const auto& r : items(field(app, "status"), "resources")) order.emplace(key_of(r), order.size());
  std::stable_sort(roots.begin(), roots.end(), [&](const Json* a, const Json* b) {
    const auto ia = order.find(key_of(*a));
    const auto ib = order.find(key_of(*b));
    const auto na = ia == order.end() ? order.size() : ia->second;
    const auto nb = ib == order.end() ? order.size() : ib->second;
    return na != nb ? na < nb : by_name(a, b);
  });

  Table table({"KIND/NAME", "STATUS", "HEALTH", "MESSAGE"});
  std::function<void(const Json*, const std::string&, const std::string&)> add =
      [&](const Json* node, const std::string& prefix, const std::string& child_prefix) {
        const auto m = managed.find(key_of(*node));
        const auto res = results.find(key_of(*node));
        std::string health = text(field(*node, "health"), "status");
        if (health.empty() && m != managed.end()) health = text(field(*m->second, "health"), "status");
        std::string message = res == results.end() ? "" : text(*res->second, "message");
        if (message.empty()) {
          for (const auto& info : items(*node, "info")) {
            if (!message.empty()) message += " ";
            message += text(info, "name") + ":" + text(info, "value");
          }
        }
        table.add({prefix + text(*node, "kind") + "/" + text(*node, "name"),
                   m == managed.end() ? "" : palette.status(text(*m->second, "status")), palette.status(health),
                   message});
        auto kids = children[ref_key(*node)];
        std::sort(kids.begin(), kids.end(), by_name);
        for (std::size_t i = 0; i < kids.size(); ++i) {
          const bool last = i + 1 == kids.size();
          add(kids[i], child_prefix + (last ? "└─" : "├─"), child_prefix + (last ? "  " : "│ "));
        }
      };
  for (const auto* root : roots) add(root, "", "");
  return table.str();
}

std::string sync_result_table(const Json& app, const Palette& palette) {
  const Json& op = field(field(app, "status"), "operationState");
  std::map<std::string, const Json*> managed;
  for (const auto& r : items(field(app, "status"), "resources")) managed[key_of(r)] = &r;
  std::string timestamp = text(op, "finishedAt");
  if (timestamp.empty()) timestamp = text(op, "startedAt");
  Table table({"TIMESTAMP", "GROUP", "KIND", "NAMESPACE", "NAME", "STATUS", "HEALTH", "HOOKTYPE", "MESSAGE"});
  for (const auto& r : items(field(op, "syncResult"), "resources")) {
    const auto m = managed.find(key_of(r));
    table.add({timestamp, text(r, "group"), text(r, "kind"), text(r, "namespace"), text(r, "name"),
               palette.status(text(r, "status")),
               m == managed.end() ? "" : palette.status(text(field(*m->second, "health"), "status")), text(r, "hookType"),
               text(r, "message")});
  }
  return table.str();
}

std::string history_table(const Json& app) {
  Table table({"ID", "DATE", "REVISION"});
  for (const auto& h : items(field(app, "status"), "history")) {
    std::string revision = text(h, "revision");
    if (const auto target = text(field(h, "source"), "targetRevision"); !target.empty() && target != revision) {
      revision = target + " (" + short_revision(revision) + ")";
    }
    table.add({text(h, "id"), text(h, "deployedAt"), revision});
  }
  return table.str();
}

std::string resource_label(const Json& resource) {
  return text(resource, "group") + "/" + text(resource, "kind") + " " + text(resource, "namespace") + "/" +
         text(resource, "name");
}

std::string managed_resource_diff(const Json& item) {
  const std::string live = yaml_of_state(item, field(item, "normalizedLiveState").is_null() ? "liveState" : "normalizedLiveState");
  const char* desired_key = "predictedLiveState";
  if (yaml_of_state(item, desired_key).empty() && !yaml_of_state(item, "targetState").empty()) desired_key = "targetState";
  const std::string desired = yaml_of_state(item, desired_key);
  const std::string name = text(item, "namespace").empty() ? text(item, "name")
                                                           : text(item, "namespace") + "/" + text(item, "name");
  const auto diff = differ::unified_diff(live, desired, {.before_label = name + " (live)", .after_label = name + " (desired)"});
  if (diff.empty()) return "";
  return "\n===== " + resource_label(item) + " ======\n" + diff;
}

}  // namespace gitmoor::cli
