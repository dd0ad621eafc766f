#pragma once
// "Application X changed": how the engine tells watchers (the API's event streams) that an app's spec or status
// changed, or that it was deleted. Callbacks run on the engine's threads, sometimes many times a second, so they
// must be cheap and never block: note the name and return (the SSE hub does its JSON work on its own thread).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>

namespace gitmoor::engine {

// `deleted`: the Application is gone; otherwise its spec or status may have changed (a watcher compares).
using ApplicationChanged = std::function<void(const std::string& name, bool deleted)>;

// A registration that ends when this handle is destroyed or reset(). Move-only.
class Subscription {
 public:
  Subscription() = default;
  explicit Subscription(std::function<void()> cancel) : cancel_(std::move(cancel)) {}
  Subscription(Subscription&& other) noexcept : cancel_(std::exchange(other.cancel_, nullptr)) {}
  Subscription& operator=(Subscription&& other) noexcept {
    if (this != &other) {
      reset();
      cancel_ = std::exchange(other.cancel_, nullptr);
    }
    return *this;
  }
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription() { reset(); }

  // Unsubscribes: when this returns, the callback is not running and is never called again.
  void reset() {
    if (auto cancel = std::exchange(cancel_, nullptr)) cancel();
  }
  [[nodiscard]] explicit operator bool() const { return static_cast<bool>(cancel_); }

 private:
  std::function<void()> cancel_;
};

// The watchers of one engine (the Controller's, a test fake's). Thread-safe. Callbacks are called one at a time,
// under this registry's lock: they must not subscribe or unsubscribe from inside. A Subscription may outlive the
// registry (it then does nothing).
class ApplicationEvents {
 public:
  ApplicationEvents();
  ~ApplicationEvents();
  ApplicationEvents(const ApplicationEvents&) = delete;
  ApplicationEvents& operator=(const ApplicationEvents&) = delete;

  [[nodiscard]] Subscription subscribe(ApplicationChanged callback);
  void changed(const std::string& name, bool deleted = false) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace gitmoor::engine
