// RemovalQueue (removal_queue.h): teardowns run off the caller's thread, in
// order; waitRemoved() and drain() wait for them; the destructor runs what is
// still queued.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <vector>

#include "actors/removal_queue.h"

using namespace ossvp::kubesim;

TEST_CASE("RemovalQueue: enqueue returns while a teardown blocks, and waiters wait for it", "[removal-queue]") {
  RemovalQueue q;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::vector<std::string> ran;  // written by the queue's thread only until drain()
  q.enqueue("slow", [&, released] {
    released.wait();
    ran.push_back("slow");
  });
  q.enqueue("next", [&] { ran.push_back("next"); });  // returns although "slow" blocks the queue
  q.waitRemoved("unknown");                           // nothing of that name: returns at once
  auto waiter = std::async(std::launch::async, [&] { q.waitRemoved("next"); });
  CHECK(waiter.wait_for(std::chrono::milliseconds(100)) == std::future_status::timeout);
  release.set_value();
  CHECK(waiter.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  q.drain();
  CHECK(ran == std::vector<std::string>{"slow", "next"});
}

TEST_CASE("RemovalQueue: the destructor runs the teardowns still queued", "[removal-queue]") {
  std::atomic<int> ran{0};
  {
    RemovalQueue q;
    for (int i = 0; i < 5; i++) q.enqueue(std::to_string(i), [&] { ran++; });
  }
  CHECK(ran == 5);
}
