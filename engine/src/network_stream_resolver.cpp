#include "network_stream_resolver.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

namespace gitmoor::engine {

namespace {

// Shared by the waiting thread and the helper; whoever finishes last frees it (shared_ptr).
struct Lookup {
  std::mutex mutex;
  std::condition_variable answered;
  bool done = false;
  bool abandoned = false;  // the waiter gave up: the helper frees a late answer
  int error = 0;
  addrinfo* addresses = nullptr;
};

}  // namespace

ResolvedHost resolve_host(const std::string& host, const std::string& port, const addrinfo& hints,
                          std::chrono::milliseconds timeout, ResolveFunction resolve) {
  ResolvedHost result;
  addrinfo numeric = hints;
  numeric.ai_flags |= AI_NUMERICHOST;
  addrinfo* addresses = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &numeric, &addresses) == 0) {
    result.addresses.reset(addresses);
    return result;
  }

  auto lookup = std::make_shared<Lookup>();
  std::thread([lookup, host, port, hints, resolve] {
    addrinfo* found = nullptr;
    const int error = resolve(host.c_str(), port.c_str(), &hints, &found);
    std::lock_guard lock(lookup->mutex);
    if (lookup->abandoned) {
      if (error == 0 && found != nullptr) freeaddrinfo(found);
      return;
    }
    lookup->done = true;
    lookup->error = error;
    lookup->addresses = error == 0 ? found : nullptr;
    lookup->answered.notify_one();
  }).detach();

  std::unique_lock lock(lookup->mutex);
  if (!lookup->answered.wait_for(lock, timeout, [&] { return lookup->done; })) {
    lookup->abandoned = true;
    result.timed_out = true;
    return result;
  }
  result.error = lookup->error;
  result.addresses.reset(lookup->addresses);
  return result;
}

}  // namespace gitmoor::engine
