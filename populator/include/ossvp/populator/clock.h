// Clock: the populator's source of time and sleep, injectable so the token
// bucket and the progress rate can be tested against a fake clock.
//
// Thread-safety: implementations must be safe to call from any thread.
#pragma once

#include <cstdint>

namespace ossvp::populator {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t nowNanos() = 0;  // monotonic
  virtual void sleepNanos(int64_t ns) = 0;
};

// The process's steady clock; a shared instance.
Clock* steadyClock();

}  // namespace ossvp::populator
