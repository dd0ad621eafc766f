// See notify_record.hpp.
#include "notify_record.hpp"

#include <algorithm>
#include <vector>

namespace gitmoor::engine {

using core::Json;

std::string notification_key(const std::string& trigger, const std::string& revision, const Recipient& to) {
  return trigger + ":" + revision + ":" + to.service + ":" + to.to;
}

NotifiedRecord read_notified(const Json& annotations) {
  NotifiedRecord out;
  if (!annotations.is_object()) return out;
  const auto it = annotations.find(kNotifiedAnnotation);
  if (it == annotations.end() || !it->is_string()) return out;
  const auto parsed = Json::parse(it->get<std::string>(), nullptr, false);
  if (!parsed.is_object()) return out;
  for (const auto& [key, value] : parsed.items()) {
    if (value.is_number_integer()) out[key] = value.get<std::int64_t>();
  }
  return out;
}

void trim_notified(NotifiedRecord& record) {
  if (record.size() <= kMaxNotified) return;
  std::vector<std::pair<std::int64_t, std::string>> by_time;
  for (const auto& [key, at] : record) by_time.emplace_back(at, key);
  std::sort(by_time.begin(), by_time.end(), std::greater<>());
  for (std::size_t i = kMaxNotified; i < by_time.size(); ++i) record.erase(by_time[i].second);
}

std::string write_notified(NotifiedRecord record) {
  trim_notified(record);
  Json out = Json::object();
  for (const auto& [key, at] : record) out[key] = at;
  return out.dump();
}

}  // namespace gitmoor::engine
