#include "ossvp/populator/token_bucket.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace ossvp::populator {

namespace {
class SteadyClock : public Clock {
 public:
  int64_t nowNanos() override {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }
  void sleepNanos(int64_t ns) override {
    if (ns > 0) std::this_thread::sleep_for(std::chrono::nanoseconds(ns));
  }
};
}  // namespace

Clock* steadyClock() {
  static SteadyClock clock;
  return &clock;
}

TokenBucket::TokenBucket(double bytesPerSecond, uint64_t burstBytes, Clock* clock)
    : rate_(bytesPerSecond),
      burst_(static_cast<double>(burstBytes)),
      clock_(clock),
      tokens_(0),
      last_(clock->nowNanos()) {}

int64_t TokenBucket::acquire(uint64_t bytes) {
  int64_t wait = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    int64_t now = clock_->nowNanos();
    if (now > last_) {
      tokens_ = std::min(burst_, tokens_ + static_cast<double>(now - last_) * rate_ / 1e9);
      last_ = now;
    }
    tokens_ -= static_cast<double>(bytes);
    if (tokens_ < 0) wait = static_cast<int64_t>(-tokens_ / rate_ * 1e9);
  }
  if (wait > 0) clock_->sleepNanos(wait);
  return wait;
}

}  // namespace ossvp::populator
