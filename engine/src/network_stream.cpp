#include "network_stream.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <vector>

#include <git2.h>
#include <git2/sys/stream.h>

#include "network_stream_resolver.hpp"
#include "network_stream_watchdog.hpp"

namespace gitmoor::engine {

namespace {

using Clock = std::chrono::steady_clock;

thread_local std::optional<NetworkLimits> t_limits;
thread_local NetworkOutcome t_outcome;
// This thread's watched sockets since its NetworkScope began: a fired one means a timeout.
thread_local std::vector<std::shared_ptr<SocketWatch>> t_watches;

NetworkLimits current_limits() { return t_limits.value_or(NetworkLimits{}); }

// Layout-compatible with libgit2's own git_socket_stream (its first four members): its SSH transport hands `fd`
// to libssh2 directly, so the connected socket is also watched (network_stream_watchdog.hpp).
struct TimeoutStream {
  git_stream parent;
  char* host;
  char* port;
  int fd;
  std::shared_ptr<SocketWatch> watch;
};

int fail(const std::string& message, bool timed_out, bool unreachable) {
  t_outcome.timed_out = t_outcome.timed_out || timed_out;
  t_outcome.unreachable = t_outcome.unreachable || unreachable;
  t_outcome.detail = message;
  git_error_set_str(GIT_ERROR_NET, message.c_str());
  return -1;
}

// Milliseconds to wait for the next event: the per-step timeout, cut by the overall deadline.
int wait_ms(std::chrono::milliseconds step, const NetworkLimits& limits) {
  auto until = Clock::now() + step;
  if (limits.deadline < until) until = limits.deadline;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

// `within 1500 ms`, or `before the operation deadline` when that came first.
std::string describe_wait(std::chrono::milliseconds step, const NetworkLimits& limits) {
  if (limits.deadline <= Clock::now() + std::chrono::milliseconds(1)) return "before the operation deadline";
  return "within " + std::to_string(step.count()) + " ms";
}

std::string endpoint(const TimeoutStream* s) { return std::string(s->host) + ":" + s->port; }

int stream_connect(git_stream* stream) {
  auto* s = reinterpret_cast<TimeoutStream*>(stream);
  const NetworkLimits limits = current_limits();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  // One budget for the whole connect step, name resolution included: a dead DNS server must not stall it.
  const auto connect_until = std::min(Clock::now() + limits.connect_timeout, limits.deadline);
  const auto left = [&] {
    return std::max(std::chrono::milliseconds(0),
                    std::chrono::duration_cast<std::chrono::milliseconds>(connect_until - Clock::now()));
  };
  ResolvedHost resolved = resolve_host(s->host, s->port, hints, left());
  if (resolved.timed_out) {
    return fail("cannot resolve host " + std::string(s->host) + ": no answer " +
                    describe_wait(limits.connect_timeout, limits),
                true, false);
  }
  if (resolved.error != 0) {
    return fail("cannot resolve host " + std::string(s->host) + ": " + gai_strerror(resolved.error), false, true);
  }
  addrinfo* addresses = resolved.addresses.get();  // freed with `resolved`
  std::string last_error = "no address";
  bool timed_out = false;
  for (addrinfo* a = addresses; a != nullptr; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) {
      last_error = std::strerror(errno);
      continue;
    }
    int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      rc = poll(&p, 1, static_cast<int>(left().count()));
      if (rc == 0) {
        timed_out = true;
        last_error = "timed out " + describe_wait(limits.connect_timeout, limits);
        close(fd);
        continue;
      }
      int so_error = 0;
      socklen_t len = sizeof so_error;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
      rc = so_error == 0 ? 0 : -1;
      errno = so_error;
    }
    if (rc == 0) {
      s->fd = fd;
      s->watch = std::make_shared<SocketWatch>();
      s->watch->fd = fd;
      s->watch->idle_limit = limits.io_timeout;
      s->watch->deadline = limits.deadline;
      s->watch->endpoint = endpoint(s);
      t_watches.push_back(s->watch);
      watch_socket(s->watch);
      return 0;
    }
    last_error = std::strerror(errno);
    close(fd);
  }
  return fail("connect to " + endpoint(s) + " failed: " + last_error, timed_out, !timed_out);
}

ssize_t stream_read(git_stream* stream, void* data, size_t len) {
  auto* s = reinterpret_cast<TimeoutStream*>(stream);
  const NetworkLimits limits = current_limits();
  if (s->watch) s->watch->stream_io_seen = true;
  for (;;) {
    ssize_t n = recv(s->fd, data, len, 0);
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return fail("read from " + endpoint(s) + " failed: " + std::strerror(errno), false, false);
    }
    pollfd p{s->fd, POLLIN, 0};
    if (poll(&p, 1, wait_ms(limits.io_timeout, limits)) == 0) {
      return fail("no data from " + endpoint(s) + " " + describe_wait(limits.io_timeout, limits), true, false);
    }
  }
}

ssize_t stream_write(git_stream* stream, const char* data, size_t len, int /*flags*/) {
  auto* s = reinterpret_cast<TimeoutStream*>(stream);
  const NetworkLimits limits = current_limits();
  if (s->watch) s->watch->stream_io_seen = true;
  size_t written = 0;
  while (written < len) {
    ssize_t n = send(s->fd, data + written, len - written, MSG_NOSIGNAL);
    if (n >= 0) {
      written += static_cast<size_t>(n);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      return fail("write to " + endpoint(s) + " failed: " + std::strerror(errno), false, false);
    }
    pollfd p{s->fd, POLLOUT, 0};
    if (poll(&p, 1, wait_ms(limits.io_timeout, limits)) == 0) {
      return fail("write to " + endpoint(s) + " stalled " + describe_wait(limits.io_timeout, limits), true, false);
    }
  }
  return static_cast<ssize_t>(written);
}

void end_watch(TimeoutStream* s) {
  if (s->watch) unwatch_socket(s->watch);
  s->watch.reset();
}

int stream_close(git_stream* stream) {
  auto* s = reinterpret_cast<TimeoutStream*>(stream);
  end_watch(s);
  if (s->fd >= 0) close(s->fd);
  s->fd = -1;
  return 0;
}

void stream_free(git_stream* stream) {
  auto* s = reinterpret_cast<TimeoutStream*>(stream);
  end_watch(s);
  if (s->fd >= 0) close(s->fd);
  std::free(s->host);
  std::free(s->port);
  delete s;
}

int stream_init(git_stream** out, const char* host, const char* port) {
  auto* s = new TimeoutStream{};
  s->parent.version = GIT_STREAM_VERSION;
  s->parent.connect = stream_connect;
  s->parent.read = stream_read;
  s->parent.write = stream_write;
  s->parent.close = stream_close;
  s->parent.free = stream_free;
  s->host = strdup(host);
  s->port = strdup(port);
  s->fd = -1;
  *out = &s->parent;
  return 0;
}

}  // namespace

NetworkScope::NetworkScope(const NetworkLimits& limits) : previous_(t_limits) {
  t_limits = limits;
  t_outcome = {};
  t_watches.clear();
}

NetworkScope::~NetworkScope() { t_limits = previous_; }

const NetworkOutcome& network_outcome() {
  for (const auto& watch : t_watches) {
    if (watch->fired && !t_outcome.timed_out) {
      t_outcome.timed_out = true;
      t_outcome.detail = watch->reason;
    }
  }
  return t_outcome;
}

void register_network_stream() {
  git_stream_registration registration{};
  registration.version = GIT_STREAM_VERSION;
  registration.init = stream_init;
  git_stream_register(GIT_STREAM_STANDARD, &registration);
}

}  // namespace gitmoor::engine
