// FakeClock: a Clock for unit tests that stands still until advanced. Wall
// time starts at a fixed instant (2026-01-01T00:00:00Z) unless given another;
// steady time starts at an arbitrary instant; advance() moves both and wakes
// every thread blocked in waitUntil(), which then re-checks its deadline.
// parks() counts the times a thread blocked in waitUntil(), so that a test can
// wait until a worker has looked at the time and gone back to waiting
// (awaitParks) before it asserts that the worker did nothing.
//
// Thread-safety: internally synchronized. advance() must not be called with
// the mutex of a thread waiting in waitUntil() held.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <mutex>

#include "ossvp/controller/clock.h"

namespace ossvp::controller::testing {

class FakeClock final : public Clock {
 public:
  FakeClock() : FakeClock(std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}) {}
  explicit FakeClock(TimePoint start) : now_(start) {}

  TimePoint now() const override;
  Instant steadyNow() const override;
  void waitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, Instant deadline) const override;

  void advance(std::chrono::milliseconds d);
  // How many times a thread has blocked in waitUntil() so far.
  uint64_t parks() const;
  // Blocks until parks() >= n; false when that takes longer than `timeout`
  // (real time: a safety net against a hung test, not a test of timing).
  bool awaitParks(uint64_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

 private:
  struct Waiter {
    std::mutex* mu;
    std::condition_variable* cv;
  };
  Instant steadyLocked() const { return Instant(std::chrono::hours(1)) + elapsed_; }

  mutable std::mutex mu_;
  mutable std::condition_variable changed_;  // notifying_ or parks_ changed
  TimePoint now_;                            // guarded by mu_
  std::chrono::nanoseconds elapsed_{0};      // guarded by mu_
  mutable std::list<Waiter> waiters_;        // threads in waitUntil(); guarded by mu_
  mutable uint64_t parks_ = 0;               // guarded by mu_
  mutable int notifying_ = 0;                // advance() calls waking a snapshot of waiters_; guarded by mu_
};

}  // namespace ossvp::controller::testing
