#include "usage.hpp"

#include <cmath>

#include "gitmoor/core/quantity.hpp"
#include "selectors.hpp"
#include "status.hpp"

namespace gitmoor::sandbox {

namespace {

// The default load: a steady low utilisation of the requests, or these amounts per container without one.
constexpr double kDefaultCpuFraction = 0.10;
constexpr double kDefaultMemoryFraction = 0.50;
constexpr std::int64_t kDefaultCpuNanocores = 2'000'000;       // 2m
constexpr std::int64_t kDefaultMemoryBytes = 32 * 1024 * 1024;  // 32Mi

LoadAmount parse_amount(const Json& body, const char* field, bool cpu) {
  LoadAmount a;
  if (!body.contains(field) || body[field].is_null()) return a;
  const Json& v = body[field];
  std::string text = v.is_string() ? v.get<std::string>() : v.is_number() ? v.dump() : std::string();
  a.text = text;
  auto invalid_value = [&](const std::string& why) {
    return bad_request(std::string(field) + ": Invalid value: \"" + text + "\": " + why);
  };
  if (text.empty()) throw invalid_value("must be a percentage of the request (\"90%\"), a quantity or \"default\"");
  if (text == "default") {
    a.kind = LoadAmount::Kind::Default;
    return a;
  }
  if (text.back() == '%') {
    std::string number = text.substr(0, text.size() - 1);
    char* end = nullptr;
    double percent = std::strtod(number.c_str(), &end);
    if (number.empty() || end != number.c_str() + number.size() || !std::isfinite(percent) || percent < 0) {
      throw invalid_value("must be a non-negative percentage of the request, such as \"90%\"");
    }
    a.kind = LoadAmount::Kind::Relative;
    a.fraction = percent / 100.0;
    return a;
  }
  auto q = core::Quantity::try_parse(text);
  if (!q || q->as_double() < 0) {
    throw invalid_value(cpu ? "must be a quantity such as \"250m\" or \"1\", or a percentage such as \"90%\""
                            : "must be a quantity such as \"300Mi\", or a percentage such as \"90%\"");
  }
  a.kind = LoadAmount::Kind::Absolute;
  a.amount = cpu ? q->milli_value() : q->value();
  return a;
}

Json amount_json(const LoadAmount& a) { return a.set() ? Json(a.text) : Json("default"); }

std::int64_t request_of(const Json& container, const char* resource, bool cpu) {
  const Json& resources = container.value("resources", Json::object());
  if (!resources.is_object()) return -1;
  const Json& requests = resources.value("requests", Json::object());
  if (!requests.is_object() || !requests.contains(resource) || !requests[resource].is_string()) return -1;
  auto q = core::Quantity::try_parse(requests[resource].get<std::string>());
  if (!q) return -1;
  return cpu ? q->milli_value() : q->value();
}

// Per-container usage of one resource for a Pod. `requests` are millicores (CPU) or bytes (memory), -1 when the
// container has none; the result is nanocores or bytes.
std::vector<std::int64_t> spread(const LoadAmount& load, const std::vector<std::int64_t>& requests, bool cpu) {
  const double unit = cpu ? 1e6 : 1.0;  // request unit → result unit
  const std::int64_t fallback = cpu ? kDefaultCpuNanocores : kDefaultMemoryBytes;
  std::vector<std::int64_t> out(requests.size(), 0);
  if (load.kind == LoadAmount::Kind::Absolute) {
    // An amount per Pod: shared by the containers in proportion to their requests (evenly without requests).
    std::int64_t total_request = 0;
    bool all_requested = true;
    for (auto r : requests) {
      if (r < 0) all_requested = false;
      else total_request += r;
    }
    const double amount = static_cast<double>(load.amount) * unit;
    std::int64_t given = 0;
    for (std::size_t i = 0; i < requests.size(); ++i) {
      double share = all_requested && total_request > 0 ? static_cast<double>(requests[i]) / static_cast<double>(total_request)
                                                         : 1.0 / static_cast<double>(requests.size());
      out[i] = static_cast<std::int64_t>(std::floor(amount * share));
      given += out[i];
    }
    if (!out.empty()) out[0] += static_cast<std::int64_t>(std::llround(amount)) - given;
    return out;
  }
  const double fraction = load.kind == LoadAmount::Kind::Relative ? load.fraction
                          : cpu                                    ? kDefaultCpuFraction
                                                                   : kDefaultMemoryFraction;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    out[i] = requests[i] < 0 ? fallback
                             : static_cast<std::int64_t>(std::llround(fraction * static_cast<double>(requests[i]) * unit));
  }
  return out;
}

}  // namespace

LoadRule LoadRule::from_json(const Json& body) {
  if (!body.is_object()) throw bad_request("a load rule must be a JSON object");
  LoadRule rule;
  if (!body.contains("namespace") || !body["namespace"].is_string() || body["namespace"] == "") {
    throw bad_request("namespace: Required value: the namespace whose Pods to load");
  }
  rule.ns = body["namespace"].get<std::string>();
  if (body.contains("selector")) {
    if (!body["selector"].is_string()) throw bad_request("selector: Invalid value: must be a label selector string");
    rule.selector = body["selector"].get<std::string>();
    (void)LabelSelector::parse(rule.selector);  // 400 when malformed
  }
  rule.cpu = parse_amount(body, "cpu", true);
  rule.memory = parse_amount(body, "memory", false);
  if (rule.cpu.kind == LoadAmount::Kind::Unset && rule.memory.kind == LoadAmount::Kind::Unset) {
    throw bad_request("a load rule needs cpu or memory (\"90%\", \"250m\", \"300Mi\" or \"default\")");
  }
  return rule;
}

Json LoadRule::to_json() const {
  return {{"namespace", ns}, {"selector", selector}, {"cpu", amount_json(cpu)}, {"memory", amount_json(memory)}};
}

void Usage::set(const LoadRule& rule) {
  std::lock_guard lock(mutex_);
  LoadRule merged = rule;
  for (auto it = rules_.begin(); it != rules_.end(); ++it) {
    if (it->ns != rule.ns || it->selector != rule.selector) continue;
    if (rule.cpu.kind == LoadAmount::Kind::Unset) merged.cpu = it->cpu;
    if (rule.memory.kind == LoadAmount::Kind::Unset) merged.memory = it->memory;
    rules_.erase(it);
    break;
  }
  if (!merged.cpu.set()) merged.cpu = {};
  if (!merged.memory.set()) merged.memory = {};
  if (merged.cpu.set() || merged.memory.set()) rules_.push_back(std::move(merged));
}

void Usage::clear() {
  std::lock_guard lock(mutex_);
  rules_.clear();
}

Json Usage::rules_json() const {
  std::lock_guard lock(mutex_);
  Json list = Json::array();
  for (const auto& r : rules_) list.push_back(r.to_json());
  return list;
}

std::vector<ContainerUsage> Usage::pod_usage(const Json& pod) const {
  const Json& md = pod.value("metadata", Json::object());
  const std::string ns = md.value("namespace", "");
  const Json labels = md.value("labels", Json::object());
  LoadAmount cpu;
  LoadAmount memory;
  {
    std::lock_guard lock(mutex_);
    for (const auto& r : rules_) {
      if (r.ns != ns) continue;
      if (!r.selector.empty() && !LabelSelector::parse(r.selector).matches(labels)) continue;
      if (r.cpu.set()) cpu = r.cpu;
      if (r.memory.set()) memory = r.memory;
    }
  }
  std::vector<ContainerUsage> out;
  std::vector<std::int64_t> cpu_requests;
  std::vector<std::int64_t> memory_requests;
  const Json& spec = pod.value("spec", Json::object());
  for (const auto& c : spec.value("containers", Json::array())) {
    out.push_back({c.value("name", ""), 0, 0});
    cpu_requests.push_back(request_of(c, "cpu", true));
    memory_requests.push_back(request_of(c, "memory", false));
  }
  auto cpus = spread(cpu, cpu_requests, true);
  auto memories = spread(memory, memory_requests, false);
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i].cpu_nanocores = cpus[i];
    out[i].memory_bytes = memories[i] / 1024 * 1024;  // metrics-server reports whole kibibytes
  }
  return out;
}

std::string cpu_quantity(std::int64_t nanocores) {
  return nanocores == 0 ? std::string("0") : std::to_string(nanocores) + "n";
}

std::string memory_quantity(std::int64_t bytes) {
  return bytes / 1024 == 0 ? std::string("0") : std::to_string(bytes / 1024) + "Ki";
}

}  // namespace gitmoor::sandbox
