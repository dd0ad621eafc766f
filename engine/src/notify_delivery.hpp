#pragma once
// Delivers notifications to one service (github, slack, or one webhook) on its own thread, in order, each retried
// with backoff on 5xx, 429 and transport errors (bounded attempts). One queue per service: a receiver that hangs
// holds only its own queue, never the reconcile path nor the other services.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "notify_http.hpp"

namespace gitmoor::engine {

struct DeliveryOptions {
  int attempts = 5;
  std::chrono::milliseconds backoff{std::chrono::seconds(1)};  // doubled per attempt
  std::chrono::milliseconds max_backoff{std::chrono::seconds(30)};
  std::chrono::milliseconds timeout{std::chrono::seconds(10)};  // per attempt
  std::size_t capacity = 256;  // queued notifications; beyond, new ones are refused (and tried again later)
};

struct Delivery {
  std::string key;      // the notification key (notify_record.hpp)
  std::string app;      // the Application's name
  std::string service;  // github, slack or a webhook's name: the queue it goes to
  std::string subject;  // for logs: "on-deployed to slack:deploys"
  HttpPost request;
  std::vector<std::string> secrets;  // masked out of anything logged
};

// What a delivery came to: delivered, or given up (after the attempts, or refused for good by a 4xx).
using DeliveryDone = std::function<void(const Delivery&, bool delivered)>;

// True for the answers worth trying again.
bool retryable(const HttpOutcome& outcome);
// `text` with every non-empty value of `secrets` replaced by ***.
std::string mask_secrets(std::string text, const std::vector<std::string>& secrets);

class DeliveryQueue {
 public:
  DeliveryQueue(std::string service, DeliveryOptions options, DeliveryDone done);
  ~DeliveryQueue();
  DeliveryQueue(const DeliveryQueue&) = delete;
  DeliveryQueue& operator=(const DeliveryQueue&) = delete;

  // False when the queue is full.
  bool push(Delivery delivery);
  // Cancels the request in flight and the backoff; what is queued is dropped (the annotation has not recorded it,
  // so the next start sends it).
  void stop();

 private:
  void run(std::stop_token stop);
  bool deliver(const Delivery& delivery, std::stop_token stop);

  std::string service_;
  DeliveryOptions options_;
  DeliveryDone done_;
  std::mutex mutex_;
  std::condition_variable_any wake_;
  std::deque<Delivery> queue_;
  std::atomic<bool> cancelled_{false};
  std::jthread thread_;
};

}  // namespace gitmoor::engine
