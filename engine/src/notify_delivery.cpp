// See notify_delivery.hpp.
#include "notify_delivery.hpp"

#include "gitmoor/core/logging.hpp"

namespace gitmoor::engine {

namespace {

spdlog::logger& log() {
  static const auto logger = core::logger("notifications");
  return *logger;
}

}  // namespace

bool retryable(const HttpOutcome& outcome) {
  return outcome.status == 0 || outcome.status == 429 || outcome.status >= 500;
}

std::string mask_secrets(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

DeliveryQueue::DeliveryQueue(std::string service, DeliveryOptions options, DeliveryDone done)
    : service_(std::move(service)), options_(options), done_(std::move(done)) {
  thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

DeliveryQueue::~DeliveryQueue() { stop(); }

bool DeliveryQueue::push(Delivery delivery) {
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= options_.capacity) return false;
    queue_.push_back(std::move(delivery));
  }
  wake_.notify_one();
  return true;
}

void DeliveryQueue::stop() {
  if (!thread_.joinable()) return;
  cancelled_ = true;
  thread_.request_stop();
  wake_.notify_all();
  thread_.join();
}

void DeliveryQueue::run(std::stop_token stop) {
  for (;;) {
    Delivery delivery;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, stop, [&] { return !queue_.empty(); });
      if (stop.stop_requested()) return;
      delivery = std::move(queue_.front());
      queue_.pop_front();
    }
    const bool delivered = deliver(delivery, stop);
    if (stop.stop_requested()) return;  // cancelled mid-way: neither delivered nor given up
    if (done_) done_(delivery, delivered);
  }
}

bool DeliveryQueue::deliver(const Delivery& delivery, std::stop_token stop) {
  auto request = delivery.request;
  request.timeout = options_.timeout;
  auto backoff = options_.backoff;
  std::string last;
  for (int attempt = 1; attempt <= options_.attempts; ++attempt) {
    const auto outcome = http_post(request, cancelled_);
    if (stop.stop_requested()) return false;
    if (outcome.status >= 200 && outcome.status < 300) {
      // Slack answers 200 with {"ok": false, "error": ...} for what it refuses.
      if (outcome.body.find("\"ok\":false") != std::string::npos) {
        log().error("{} of application {}: {} refused it: {}", delivery.subject, delivery.app, service_,
                    mask_secrets(outcome.body, delivery.secrets));
        return false;
      }
      log().info("{} of application {} sent{}", delivery.subject, delivery.app,
                 attempt > 1 ? " (attempt " + std::to_string(attempt) + ")" : "");
      return true;
    }
    last = outcome.status == 0 ? outcome.error : "HTTP " + std::to_string(outcome.status) + " " + outcome.body.substr(0, 200);
    last = mask_secrets(last, delivery.secrets);
    if (!retryable(outcome)) {
      log().error("{} of application {} refused by {}: {}", delivery.subject, delivery.app, service_, last);
      return false;
    }
    if (attempt == options_.attempts) break;
    log().warn("{} of application {}: attempt {} of {} failed ({}); trying again in {} ms", delivery.subject,
               delivery.app, attempt, options_.attempts, last, backoff.count());
    std::mutex m;
    std::unique_lock lock(m);
    std::condition_variable_any pause;
    if (pause.wait_for(lock, stop, backoff, [] { return false; }) || stop.stop_requested()) return false;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
  log().error("{} of application {}: given up after {} attempts: {}", delivery.subject, delivery.app, options_.attempts,
              last);
  return false;
}

}  // namespace gitmoor::engine
