#pragma once
// Fault injection and request counters, driven through the admin endpoint (outside /api, see api_server.cpp):
//   POST   /sandbox/faults    {"verb":"patch","resource":"deployments.apps","latencyMs":50,"code":503,
//                              "rate":0.5,"times":3,"retryAfterSeconds":1}    adds a rule ("*" matches any)
//   GET    /sandbox/faults    lists the rules;  DELETE /sandbox/faults clears them
//   GET    /sandbox/counters  {"counters":[{"verb","resource","code","count"}]};  DELETE resets them
//   POST   /sandbox/watches/close   ends every open watch stream
//   POST   /sandbox/watches/expire  forgets the event history: watches resuming from older versions get 410
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "gitmoor/sandbox/api_server.hpp"

namespace gitmoor::sandbox {

using Json = nlohmann::json;

struct FaultRule {
  std::string verb = "*";
  std::string resource = "*";
  int latency_ms = 0;
  int code = 0;  // 0: latency only
  double rate = 1.0;
  int times = -1;  // how many more requests it hits; -1: unlimited
  int retry_after_seconds = 1;

  static FaultRule from_json(const Json& j);
  [[nodiscard]] Json to_json() const;
};

struct FaultAction {
  std::chrono::milliseconds latency{0};
  int code = 0;
  int retry_after_seconds = 0;
};

class Faults {
 public:
  std::optional<FaultAction> check(const std::string& verb, const std::string& resource);
  void add(FaultRule rule);
  void clear();
  [[nodiscard]] Json rules() const;

  void count(const std::string& verb, const std::string& resource, int code);
  [[nodiscard]] std::vector<RequestCount> counters() const;
  void reset_counters();

 private:
  mutable std::mutex mutex_;
  std::vector<FaultRule> rules_;
  std::map<std::tuple<std::string, std::string, int>, std::uint64_t> counters_;
  std::mt19937 random_{12345};
};

}  // namespace gitmoor::sandbox
