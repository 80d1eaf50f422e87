// TokenBucket: the global throughput cap shared by every reader thread.
// Tokens (bytes) refill at `bytesPerSecond` up to `burstBytes`. acquire(n)
// takes n tokens at once, going into debt if needed, and sleeps until the
// debt is paid, so the long-run rate is exactly the cap however large n is,
// and later callers wait behind earlier reservations (fair sharing).
//
// Thread-safety: acquire() may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <mutex>

#include "ossvp/populator/clock.h"

namespace ossvp::populator {

class TokenBucket {
 public:
  TokenBucket(double bytesPerSecond, uint64_t burstBytes, Clock* clock);
  TokenBucket(const TokenBucket&) = delete;
  TokenBucket& operator=(const TokenBucket&) = delete;

  // Blocks until `bytes` may be transferred. Returns the nanoseconds slept.
  int64_t acquire(uint64_t bytes);

 private:
  const double rate_;   // bytes per second
  const double burst_;  // bytes
  Clock* const clock_;
  std::mutex mu_;
  double tokens_;  // guarded by mu_; negative = debt
  int64_t last_;   // guarded by mu_: when tokens_ was last refilled
};

}  // namespace ossvp::populator
