#pragma once
// Login brute-force defence: failed attempts are counted per username and per client address in a sliding window.
// Once either count reaches its limit, every attempt (even with the right password) is refused with 429 until the
// oldest failure leaves the window. Refused attempts are not counted, so the window does end.
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "gitmoor/web/auth.hpp"

namespace gitmoor::web::auth {

class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;
  explicit LoginThrottle(LoginThrottleOptions options) : options_(options) {}

  // How long the caller must wait, when throttled.
  std::optional<std::chrono::milliseconds> retry_after(const std::string& user, const std::string& client,
                                                       Clock::time_point now = Clock::now());
  void record_failure(const std::string& user, const std::string& client, Clock::time_point now = Clock::now());

  // Check and count in one step, for attempts verified concurrently (handlers run on a pool, scrypt takes ~100 ms):
  // the attempt is counted as a failure before the password is checked, so N parallel guesses cannot all pass the
  // check first. Returns the wait when throttled (nothing counted); else the attempt's time, which forgive() takes
  // back once the password proved right.
  struct Attempt {
    std::optional<std::chrono::milliseconds> retry_after;
    Clock::time_point at;
  };
  Attempt begin_attempt(const std::string& user, const std::string& client, Clock::time_point now = Clock::now());
  void forgive(const std::string& user, const std::string& client, Clock::time_point at);

 private:
  using Failures = std::deque<Clock::time_point>;
  void prune(std::map<std::string, Failures>& table, Clock::time_point now);
  std::optional<std::chrono::milliseconds> wait(std::map<std::string, Failures>& table, const std::string& key,
                                                int limit, Clock::time_point now);

  LoginThrottleOptions options_;
  std::mutex mutex_;
  std::map<std::string, Failures> by_user_;
  std::map<std::string, Failures> by_client_;
};

}  // namespace gitmoor::web::auth
