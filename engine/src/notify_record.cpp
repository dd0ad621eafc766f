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

std::string write_notified(const NotifiedRecord& record) {
  std::vector<std::pair<std::int64_t, std::string>> by_time;
  for (const auto& [key, at] : record) by_time.emplace_back(at, key);
  std::sort(by_time.begin(), by_time.end(), std::greater<>());
  Json out = Json::object();
  for (std::size_t i = 0; i < by_time.size() && i < kMaxNotified; ++i) out[by_time[i].second] = by_time[i].first;
  return out.dump();
}

}  // namespace gitmoor::engine
