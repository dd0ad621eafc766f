#pragma once
// Waits (polling every 20 ms) until `condition` holds; false after `timeout`. The bound only ends a hung test: a
// timing is never an assertion.
#include <chrono>
#include <functional>
#include <thread>

namespace gitmoor::test {

inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

}  // namespace gitmoor::test
