// See auth_throttle.hpp.
#include "auth_throttle.hpp"

#include <algorithm>

namespace gitmoor::web::auth {

namespace {

// Unknown usernames are counted too, so the tables are pruned of expired entries when they grow.
constexpr std::size_t kPruneAbove = 10000;

}  // namespace

void LoginThrottle::prune(std::map<std::string, Failures>& table, Clock::time_point now) {
  for (auto it = table.begin(); it != table.end();) {
    auto& failures = it->second;
    while (!failures.empty() && now - failures.front() >= options_.window) failures.pop_front();
    it = failures.empty() ? table.erase(it) : std::next(it);
  }
}

std::optional<std::chrono::milliseconds> LoginThrottle::wait(std::map<std::string, Failures>& table,
                                                             const std::string& key, int limit, Clock::time_point now) {
  const auto found = table.find(key);
  if (found == table.end()) return std::nullopt;
  auto& failures = found->second;
  while (!failures.empty() && now - failures.front() >= options_.window) failures.pop_front();
  if (static_cast<int>(failures.size()) < limit) return std::nullopt;
  // Throttled until enough failures have left the window to drop below the limit.
  const auto& oldest_counted = failures[failures.size() - static_cast<std::size_t>(limit)];
  return std::chrono::duration_cast<std::chrono::milliseconds>(oldest_counted + options_.window - now);
}

std::optional<std::chrono::milliseconds> LoginThrottle::retry_after(const std::string& user, const std::string& client,
                                                                    Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto by_user = wait(by_user_, user, options_.failures_per_user, now);
  auto by_client = wait(by_client_, client, options_.failures_per_client, now);
  if (by_user && by_client) return std::max(*by_user, *by_client);
  return by_user ? by_user : by_client;
}

void LoginThrottle::record_failure(const std::string& user, const std::string& client, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (by_user_.size() > kPruneAbove) prune(by_user_, now);
  if (by_client_.size() > kPruneAbove) prune(by_client_, now);
  by_user_[user].push_back(now);
  by_client_[client].push_back(now);
}

LoginThrottle::Attempt LoginThrottle::begin_attempt(const std::string& user, const std::string& client,
                                                    Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto by_user = wait(by_user_, user, options_.failures_per_user, now);
  auto by_client = wait(by_client_, client, options_.failures_per_client, now);
  if (by_user || by_client) {
    return {by_user && by_client ? std::max(*by_user, *by_client) : (by_user ? by_user : by_client), now};
  }
  if (by_user_.size() > kPruneAbove) prune(by_user_, now);
  if (by_client_.size() > kPruneAbove) prune(by_client_, now);
  by_user_[user].push_back(now);
  by_client_[client].push_back(now);
  return {std::nullopt, now};
}

void LoginThrottle::forgive(const std::string& user, const std::string& client, Clock::time_point at) {
  std::lock_guard lock(mutex_);
  const auto take_back = [at](std::map<std::string, Failures>& table, const std::string& key) {
    const auto found = table.find(key);
    if (found == table.end()) return;
    auto& failures = found->second;
    if (const auto it = std::find(failures.begin(), failures.end(), at); it != failures.end()) failures.erase(it);
    if (failures.empty()) table.erase(found);
  };
  take_back(by_user_, user);
  take_back(by_client_, client);
}

}  // namespace gitmoor::web::auth
