// Clock: where the controller's time-dependent decisions (how long a
// populator pod has been stuck, when the next retry may start, how fast a copy
// moves) read the current time, so that tests can move time with a fake
// instead of sleeping. Clock::system() is the wall clock.
//
// Thread-safety: implementations must allow concurrent now() calls.
#pragma once

#include <chrono>

namespace ossvp::controller {

class Clock {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  // The wall clock (std::chrono::system_clock); lives for the whole program.
  static const Clock& system();
};

}  // namespace ossvp::controller
