#include <catch2/catch.hpp>

#include <thread>
#include <vector>

#include "ossvp/populator/token_bucket.h"

using namespace ossvp::populator;

namespace {
// Time only moves when someone sleeps.
class FakeClock : public Clock {
 public:
  int64_t nowNanos() override { return now_.load(); }
  void sleepNanos(int64_t ns) override {
    if (ns > 0) now_.fetch_add(ns);
  }
  std::atomic<int64_t> now_{1'000'000'000};
};
}  // namespace

TEST_CASE("the long-run rate equals the cap within 5%", "[unit]") {
  FakeClock clock;
  const double rate = 10e6;  // 10 MB/s
  TokenBucket bucket(rate, 1'000'000, &clock);
  int64_t start = clock.nowNanos();
  uint64_t total = 0;
  for (int i = 0; i < 200; ++i) {
    bucket.acquire(1 << 20);
    total += 1 << 20;
  }
  double secs = static_cast<double>(clock.nowNanos() - start) / 1e9;
  double achieved = static_cast<double>(total) / secs;
  CHECK(achieved <= rate * 1.05);
  CHECK(achieved >= rate * 0.95);
}

TEST_CASE("idle time only buys the burst, not unlimited credit", "[unit]") {
  FakeClock clock;
  TokenBucket bucket(1e6, 500'000, &clock);
  clock.sleepNanos(60'000'000'000);            // a minute idle
  CHECK(bucket.acquire(400'000) == 0);         // within the burst: no wait
  int64_t waited = bucket.acquire(1'000'000);  // beyond it: ~0.9 s
  CHECK(waited == Approx(0.9e9).epsilon(0.01));
}

TEST_CASE("large single requests are paced, not refused", "[unit]") {
  FakeClock clock;
  TokenBucket bucket(2e6, 0, &clock);
  CHECK(bucket.acquire(8'000'000) == Approx(4e9).epsilon(0.001));
  CHECK(bucket.acquire(2'000'000) == Approx(1e9).epsilon(0.001));
}

TEST_CASE("concurrent callers share the rate", "[unit]") {
  FakeClock clock;
  TokenBucket bucket(4e6, 0, &clock);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) bucket.acquire(100'000);
    });
  }
  for (auto& t : threads) t.join();
  // 10 MB at 4 MB/s: every reservation is serialized, so the clock moved >= 2.5 s in total sleeps.
  CHECK(clock.nowNanos() - 1'000'000'000 >= static_cast<int64_t>(2.5e9 * 0.95));
}
