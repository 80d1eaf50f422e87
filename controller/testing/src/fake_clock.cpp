#include "ossvp/controller/testing/fake_clock.h"

#include <vector>

namespace ossvp::controller::testing {

Clock::TimePoint FakeClock::now() const {
  std::lock_guard<std::mutex> lock(mu_);
  return now_;
}

Clock::Instant FakeClock::steadyNow() const {
  std::lock_guard<std::mutex> lock(mu_);
  return steadyLocked();
}

void FakeClock::waitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, Instant deadline) const {
  std::list<Waiter>::iterator self;
  {
    // Registered and checked under mu_: an advance() either happened before
    // (the check sees it) or snapshots this waiter and wakes it below.
    std::lock_guard<std::mutex> g(mu_);
    if (steadyLocked() >= deadline) return;
    self = waiters_.insert(waiters_.end(), Waiter{lock.mutex(), &cv});
    ++parks_;
  }
  changed_.notify_all();
  // advance() notifies while holding the caller's mutex, which cv.wait
  // releases only once this thread waits: no wake-up is lost.
  cv.wait(lock);
  // An advance() that snapshotted this waiter may still be about to lock the
  // caller's mutex: let it finish before the caller may destroy mutex or cv.
  lock.unlock();
  {
    std::unique_lock<std::mutex> g(mu_);
    waiters_.erase(self);
    changed_.wait(g, [this] { return notifying_ == 0; });
  }
  lock.lock();
}

void FakeClock::advance(std::chrono::milliseconds d) {
  std::vector<Waiter> snapshot;
  {
    std::lock_guard<std::mutex> g(mu_);
    now_ += d;
    elapsed_ += d;
    snapshot.assign(waiters_.begin(), waiters_.end());
    ++notifying_;
  }
  for (const Waiter& w : snapshot) {
    std::lock_guard<std::mutex> g(*w.mu);
    w.cv->notify_all();
  }
  {
    std::lock_guard<std::mutex> g(mu_);
    --notifying_;
  }
  changed_.notify_all();
}

uint64_t FakeClock::parks() const {
  std::lock_guard<std::mutex> lock(mu_);
  return parks_;
}

bool FakeClock::awaitParks(uint64_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, timeout, [&] { return parks_ >= n; });
}

}  // namespace ossvp::controller::testing
