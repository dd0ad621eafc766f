// The controller's work queue: one entry per app however many triggers, never two workers on one app, nothing lost.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "work_queue.hpp"

using gitmoor::engine::WorkQueue;
using namespace std::chrono_literals;

TEST_CASE("work queue: a key added many times is handed out once", "[work_queue]") {
  WorkQueue queue;
  for (int i = 0; i < 5; ++i) queue.add("tetris");
  queue.add("other");
  CHECK(queue.size() == 2);
  CHECK(queue.get() == "tetris");
  CHECK(queue.get() == "other");
  CHECK(queue.size() == 0);
}

TEST_CASE("work queue: a key added while it is processed comes back once, after done()", "[work_queue]") {
  WorkQueue queue;
  queue.add("tetris");
  REQUIRE(queue.get() == "tetris");
  queue.add("tetris");  // a live event during the reconcile
  queue.add("tetris");
  CHECK(queue.size() == 0);  // not handed to a second worker meanwhile
  queue.done("tetris");
  CHECK(queue.size() == 1);
  CHECK(queue.get() == "tetris");
  queue.done("tetris");
  CHECK(queue.size() == 0);
}

TEST_CASE("work queue: add_after delivers later, the earliest schedule wins", "[work_queue]") {
  WorkQueue queue;
  queue.add_after("late", 10min);
  queue.add_after("soon", 30ms);
  queue.add_after("late", 40ms);  // earlier than the pending 10 min: replaces it
  const auto start = std::chrono::steady_clock::now();
  auto first = queue.get();
  auto second = queue.get();
  CHECK(first == "soon");
  CHECK(second == "late");
  CHECK(std::chrono::steady_clock::now() - start >= 30ms);
  queue.done("soon");
  queue.done("late");
}

TEST_CASE("work queue: shut_down wakes waiting workers with nothing", "[work_queue]") {
  WorkQueue queue;
  std::atomic<int> ended{0};
  std::vector<std::jthread> workers;
  for (int i = 0; i < 3; ++i) {
    workers.emplace_back([&] {
      while (auto key = queue.get()) queue.done(*key);
      ++ended;
    });
  }
  queue.add("a");
  queue.shut_down();
  workers.clear();
  CHECK(ended == 3);
  const auto left = queue.size();  // "a" may or may not have been taken before the shut down
  queue.add("b");                  // ignored after shut down
  CHECK(queue.size() == left);
}

TEST_CASE("work queue: many workers never process one key at the same time", "[work_queue]") {
  WorkQueue queue;
  std::atomic<int> inside{0};
  std::atomic<bool> overlap{false};
  std::atomic<int> processed{0};
  std::vector<std::jthread> workers;
  for (int i = 0; i < 4; ++i) {
    workers.emplace_back([&] {
      while (auto key = queue.get()) {
        if (++inside > 1) overlap = true;
        std::this_thread::sleep_for(1ms);
        --inside;
        ++processed;
        queue.done(*key);
      }
    });
  }
  for (int i = 0; i < 200; ++i) {
    queue.add("only");
    std::this_thread::sleep_for(100us);
  }
  std::this_thread::sleep_for(50ms);
  queue.shut_down();
  workers.clear();
  CHECK_FALSE(overlap);
  CHECK(processed >= 1);
}
