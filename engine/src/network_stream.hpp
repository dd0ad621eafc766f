#pragma once
// libgit2 1.5 has no network timeouts: its sockets block for as long as the kernel lets them (minutes for a
// dropped SYN, forever for a server that stops answering). gitmoor registers its own plain socket stream, which
// libgit2 uses for git://, http://, under TLS for https:// and under libssh2 for ssh://, with a connect timeout
// (name resolution included), a per-read/write timeout and an overall deadline. libssh2 reads and writes the socket
// itself, so for ssh:// the watchdog (network_stream_watchdog.hpp) enforces the same limits from outside. The
// limits apply to the calling thread (NetworkScope).
#include <chrono>
#include <optional>
#include <string>

namespace gitmoor::engine {

struct NetworkLimits {
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(15)};
  std::chrono::milliseconds io_timeout{std::chrono::seconds(30)};
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

// What happened on this thread's last network operation, for classifying libgit2's generic errors.
struct NetworkOutcome {
  bool timed_out = false;
  bool unreachable = false;
  std::string detail;  // `connect to 10.255.255.1:9418 timed out after 2000 ms`
};

// Sets the limits for network operations on this thread for its lifetime and resets the outcome.
class NetworkScope {
 public:
  explicit NetworkScope(const NetworkLimits& limits);
  ~NetworkScope();
  NetworkScope(const NetworkScope&) = delete;
  NetworkScope& operator=(const NetworkScope&) = delete;

 private:
  std::optional<NetworkLimits> previous_;
};

[[nodiscard]] const NetworkOutcome& network_outcome();

void register_network_stream();

}  // namespace gitmoor::engine
