#include "ossvp/controller/clock.h"

namespace ossvp::controller {

namespace {
class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
  Instant steadyNow() const override { return std::chrono::steady_clock::now(); }
  void waitUntil(std::unique_lock<std::mutex>& lock, std::condition_variable& cv, Instant deadline) const override {
    cv.wait_until(lock, deadline);
  }
};
}  // namespace

const Clock& Clock::system() {
  static const SystemClock clock;
  return clock;
}

}  // namespace ossvp::controller
