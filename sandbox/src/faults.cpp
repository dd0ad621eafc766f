#include "faults.hpp"

namespace gitmoor::sandbox {

FaultRule FaultRule::from_json(const Json& j) {
  FaultRule r;
  if (!j.is_object()) return r;
  r.verb = j.value("verb", "*");
  r.resource = j.value("resource", "*");
  r.latency_ms = j.value("latencyMs", 0);
  r.code = j.value("code", 0);
  r.rate = j.value("rate", 1.0);
  r.times = j.value("times", -1);
  r.retry_after_seconds = j.value("retryAfterSeconds", 1);
  return r;
}

Json FaultRule::to_json() const {
  return {{"verb", verb},   {"resource", resource}, {"latencyMs", latency_ms},          {"code", code},
          {"rate", rate},   {"times", times},       {"retryAfterSeconds", retry_after_seconds}};
}

std::optional<FaultAction> Faults::check(const std::string& verb, const std::string& resource) {
  std::lock_guard lock(mutex_);
  for (auto& r : rules_) {
    if (r.times == 0) continue;
    if (r.verb != "*" && r.verb != verb) continue;
    if (r.resource != "*" && r.resource != resource) continue;
    if (r.rate < 1.0 && std::uniform_real_distribution<double>(0.0, 1.0)(random_) >= r.rate) continue;
    if (r.times > 0) --r.times;
    return FaultAction{std::chrono::milliseconds(r.latency_ms), r.code, r.retry_after_seconds};
  }
  return std::nullopt;
}

void Faults::add(FaultRule rule) {
  std::lock_guard lock(mutex_);
  rules_.push_back(std::move(rule));
}

void Faults::clear() {
  std::lock_guard lock(mutex_);
  rules_.clear();
}

Json Faults::rules() const {
  std::lock_guard lock(mutex_);
  Json out = Json::array();
  for (const auto& r : rules_) out.push_back(r.to_json());
  return out;
}

void Faults::count(const std::string& verb, const std::string& resource, int code) {
  std::lock_guard lock(mutex_);
  ++counters_[{verb, resource, code}];
}

std::vector<RequestCount> Faults::counters() const {
  std::lock_guard lock(mutex_);
  std::vector<RequestCount> out;
  for (const auto& [key, n] : counters_) out.push_back({std::get<0>(key), std::get<1>(key), std::get<2>(key), n});
  return out;
}

void Faults::reset_counters() {
  std::lock_guard lock(mutex_);
  counters_.clear();
}

}  // namespace gitmoor::sandbox
