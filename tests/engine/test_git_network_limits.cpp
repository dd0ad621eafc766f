// Limits of the Git network stream outside its own read/write: name resolution bounded by the connect timeout (a
// resolver that does not answer is abandoned, its late answer freed by the helper), and the watchdog's rule for
// sockets libssh2 drives itself.
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <sys/socket.h>

#include "network_stream_resolver.hpp"
#include "network_stream_watchdog.hpp"

using namespace gitmoor;

namespace {

// A resolver that answers (127.0.0.1) only when the test releases it, counting the answers it gave.
struct HeldResolver {
  std::mutex mutex;
  std::condition_variable released_changed;
  bool released = false;
  std::atomic<int> answered{0};
};
HeldResolver g_held;

int held_resolver(const char* /*host*/, const char* service, const addrinfo* hints, addrinfo** out) {
  std::unique_lock lock(g_held.mutex);
  g_held.released_changed.wait(lock, [] { return g_held.released; });
  const int rc = getaddrinfo("127.0.0.1", service, hints, out);
  ++g_held.answered;
  return rc;
}

int failing_resolver(const char*, const char*, const addrinfo*, addrinfo**) { return EAI_NONAME; }

addrinfo stream_hints() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  return hints;
}

}  // namespace

TEST_CASE("git network: name resolution gives up at the connect timeout and frees a late answer",
          "[engine][git][network]") {
  const auto result = engine::resolve_host("git.example", "22", stream_hints(), std::chrono::milliseconds(200),
                                           &held_resolver);
  CHECK(result.timed_out);
  CHECK(result.addresses == nullptr);
  CHECK(g_held.answered == 0);  // returned while the resolver was still busy
  {
    std::lock_guard lock(g_held.mutex);
    g_held.released = true;
  }
  g_held.released_changed.notify_all();
  // The abandoned lookup now answers into the void (LeakSanitizer would report it if it were not freed).
  while (g_held.answered == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));

  const auto answered =
      engine::resolve_host("git.example", "22", stream_hints(), std::chrono::seconds(30), &held_resolver);
  CHECK_FALSE(answered.timed_out);
  CHECK(answered.error == 0);
  REQUIRE(answered.addresses != nullptr);
  CHECK(answered.addresses->ai_family == AF_INET);
  CHECK(g_held.answered == 2);
}

TEST_CASE("git network: a resolver error is reported as such, and numeric addresses need no resolver",
          "[engine][git][network]") {
  const auto failed =
      engine::resolve_host("no.such.host", "22", stream_hints(), std::chrono::seconds(5), &failing_resolver);
  CHECK_FALSE(failed.timed_out);
  CHECK(failed.error == EAI_NONAME);
  CHECK(failed.addresses == nullptr);

  // The failing resolver would refuse it: a numeric address is converted without asking.
  const auto numeric =
      engine::resolve_host("127.0.0.1", "9418", stream_hints(), std::chrono::seconds(5), &failing_resolver);
  CHECK(numeric.error == 0);
  REQUIRE(numeric.addresses != nullptr);
  CHECK(numeric.addresses->ai_family == AF_INET);
}

TEST_CASE("git network: the ssh socket watchdog fires after the idle limit or at the deadline, naming the endpoint",
          "[engine][git][network]") {
  const auto now = std::chrono::steady_clock::now();
  engine::SocketWatch watch;
  watch.idle_limit = std::chrono::milliseconds(1500);
  watch.deadline = now + std::chrono::seconds(60);
  watch.endpoint = "127.0.0.1:2222";
  CHECK(engine::watch_due(watch, std::chrono::milliseconds(1499), now).empty());
  CHECK(engine::watch_due(watch, std::chrono::milliseconds(1500), now) ==
        "no data from 127.0.0.1:2222 within 1500 ms");
  CHECK(engine::watch_due(watch, std::chrono::milliseconds(0), now + std::chrono::seconds(60)) ==
        "no progress from 127.0.0.1:2222 before the operation deadline");
}
