#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "ossvp/fusecore/memory_budget.h"

using namespace ossvp::fusecore;
using namespace std::chrono_literals;

namespace {

// Holds reservations it gives back on request.
class HoardingReclaimer : public Reclaimer {
 public:
  std::vector<Reservation> held;
  std::atomic<int> calls{0};
  uint64_t reclaim(uint64_t bytes, bool evenUnread) override {
    ++calls;
    if (!evenUnread) return 0;  // everything here counts as unread
    uint64_t freed = 0;
    while (freed < bytes && !held.empty()) {
      freed += held.back().bytes();
      held.pop_back();
    }
    return freed;
  }
};

}  // namespace

TEST_CASE("reservations count against the limit and come back", "[fusecore][budget]") {
  MemoryBudget b(100);
  {
    Reservation r1 = b.acquire(60);
    Reservation r2 = b.tryAcquire(40, false);
    CHECK(b.used() == 100);
    CHECK(b.tryAcquire(1, false).bytes() == 0);
    Reservation moved = std::move(r1);
    CHECK(b.used() == 100);
  }
  CHECK(b.used() == 0);
  CHECK(b.peakUsed() == 100);
}

TEST_CASE("acquire waits for a release instead of exceeding the limit", "[fusecore][budget]") {
  MemoryBudget b(100);
  auto r = std::make_unique<Reservation>(b.acquire(80));
  std::atomic<bool> got{false};
  std::thread t([&] {
    Reservation mine = b.acquire(50);
    got = true;
    CHECK(b.used() <= 100);
  });
  std::this_thread::sleep_for(100ms);
  CHECK(!got);
  r.reset();
  t.join();
  CHECK(got);
  CHECK(b.peakUsed() <= 100);
}

TEST_CASE("acquire reclaims cached data from registered reclaimers", "[fusecore][budget]") {
  MemoryBudget b(100);
  auto rec = std::make_shared<HoardingReclaimer>();
  b.addReclaimer(rec);
  rec->held.push_back(b.acquire(50));
  rec->held.push_back(b.acquire(50));
  Reservation r = b.acquire(30);
  CHECK(r.bytes() == 30);
  CHECK(rec->held.size() == 1);
  CHECK(b.used() == 80);
}

TEST_CASE("tryAcquire never takes unread data and never blocks", "[fusecore][budget]") {
  MemoryBudget b(100);
  auto rec = std::make_shared<HoardingReclaimer>();
  b.addReclaimer(rec);
  rec->held.push_back(b.acquire(100));
  auto start = std::chrono::steady_clock::now();
  CHECK(b.tryAcquire(10, true).bytes() == 0);
  CHECK(std::chrono::steady_clock::now() - start < 50ms);
  CHECK(rec->held.size() == 1);
}

TEST_CASE("acquireFor times out when nothing can be freed", "[fusecore][budget]") {
  MemoryBudget b(100);
  Reservation r = b.acquire(100);
  CHECK(b.acquireFor(1, 60ms).bytes() == 0);
}

TEST_CASE("an oversized request is granted once the budget is empty", "[fusecore][budget]") {
  MemoryBudget b(100);
  Reservation r = b.acquire(250);
  CHECK(r.bytes() == 250);
}

TEST_CASE("many threads never push use past the limit", "[fusecore][budget]") {
  MemoryBudget b(1000);
  std::vector<std::thread> ts;
  for (int i = 0; i < 8; ++i) {
    ts.emplace_back([&, i] {
      for (int k = 0; k < 200; ++k) {
        Reservation r = b.acquire(100 + (i * 37 + k) % 300);
        CHECK(b.used() <= 1000);
      }
    });
  }
  for (auto& t : ts) t.join();
  CHECK(b.peakUsed() <= 1000);
  CHECK(b.used() == 0);
}
