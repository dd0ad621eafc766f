#pragma once
// libgit2's SSH transport hands the connected socket to libssh2, which then reads and writes the descriptor itself
// and blocks without limit: libssh2 1.10 has no read timeout, and libgit2 1.5 exposes no session to set its
// blocking-call timeout. So the limits of NetworkStream cannot apply in its read/write. The watchdog covers such
// sockets from one background thread: when no data moved either way for the io timeout (the kernel's TCP_INFO
// says when data last moved) or the operation deadline passed, it shuts the socket down, so libssh2's blocked call
// returns with an error, and records why, so the failure is reported as the timeout it is.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>

namespace gitmoor::engine {

struct SocketWatch {
  int fd = -1;
  std::chrono::milliseconds idle_limit{0};
  std::chrono::steady_clock::time_point deadline;
  std::string endpoint;  // host:port, for the message
  std::chrono::steady_clock::time_point since = std::chrono::steady_clock::now();
  // Set once gitmoor's own stream read/write is used (git://, http, https): those enforce the limits themselves.
  std::atomic<bool> stream_io_seen{false};
  std::atomic<bool> fired{false};
  std::string reason;  // written before `fired` is set
};

// Starts watching; the watch must be ended with unwatch_socket before its descriptor is closed.
void watch_socket(const std::shared_ptr<SocketWatch>& watch);
void unwatch_socket(const std::shared_ptr<SocketWatch>& watch);

// How long ago data last moved on a TCP socket, by the kernel's account; `fallback` for other sockets.
[[nodiscard]] std::chrono::milliseconds socket_idle_time(int fd, std::chrono::milliseconds fallback);

// Whether a watch is due, and why: `no data from 127.0.0.1:22 within 1500 ms`, or the deadline. Pure: the
// watchdog thread calls it with the kernel's idle time and the clock.
[[nodiscard]] std::string watch_due(const SocketWatch& watch, std::chrono::milliseconds idle,
                                    std::chrono::steady_clock::time_point now);

}  // namespace gitmoor::engine
