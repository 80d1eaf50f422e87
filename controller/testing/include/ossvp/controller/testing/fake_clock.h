// FakeClock: a Clock for unit tests that stands still until advanced. It
// starts at a fixed instant (2026-01-01T00:00:00Z) unless given another.
//
// Thread-safety: internally synchronized.
#pragma once

#include <mutex>

#include "ossvp/controller/clock.h"

namespace ossvp::controller::testing {

class FakeClock final : public Clock {
 public:
  FakeClock() : now_(std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}) {}
  explicit FakeClock(TimePoint start) : now_(start) {}

  TimePoint now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  void advance(std::chrono::milliseconds d) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += d;
  }

 private:
  mutable std::mutex mu_;
  TimePoint now_;
};

}  // namespace ossvp::controller::testing
