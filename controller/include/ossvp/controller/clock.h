// Clock: where the controller reads the time and waits for it (how long a
// populator pod has been stuck, when the next retry may start, how fast a copy
// moves, when a delayed work-queue key is due, when coalesced status is
// written), so that tests move time with a fake (testing/fake_clock.h)
// instead of sleeping. Clock::system() is the real clock.
//
// Two readings: now() is wall time, for timestamps and for ages of API
// objects (creationTimestamp); steadyNow() is monotonic, for delays and
// windows, which a wall-clock step must not stretch or cut short.
//
// Thread-safety: implementations must allow concurrent calls of every member.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace ossvp::controller {

class Clock {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  using Instant = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  virtual Instant steadyNow() const = 0;
  // Called with `lock` held on the mutex that guards the caller's state:
  // releases it and blocks until `cv` is notified or steadyNow() reaches
  // `deadline`, then holds it again. May return early (spuriously), like
  // std::condition_variable::wait_until: the caller re-checks its state.
  virtual void waitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, Instant deadline) const = 0;
  // The real clock (std::chrono::system_clock and steady_clock); lives for the whole program.
  static const Clock& system();
};

}  // namespace ossvp::controller
