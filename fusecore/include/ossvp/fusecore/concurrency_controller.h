// ConcurrencyController: how many ranged GETs the read engine keeps in flight
// for prefetching, found by measuring rather than configured. The right
// number depends on the network: on loopback one connection carries the whole
// machine and a few requests suffice (more only burn CPU); against a cloud
// object store each connection carries a fraction of the host's bandwidth
// and every request pays a first-byte latency, so it takes tens of requests.
//
// Hill climbing, one "generation" of requests at a time:
//  - the limit starts at `initial`; while it is what holds prefetching back
//    (the engine asked for more), each generation's delivered throughput is
//    measured after the requests started under the previous limit drained;
//  - if it rose by at least `minGain` over the previous generation's, the
//    limit grows by `growFactor` (up to `max`), or by its square when the
//    throughput rose nearly in proportion to the last step (the knee is far:
//    a cloud link that wants 100+ requests gets them in a few generations);
//    if it did not, the limit goes
//    back to the last one that paid and holds there for `holdGenerations`
//    before probing upwards again (the network may have changed);
//  - a throttled or failed request (503 SlowDown, reset, short body) cuts
//    the limit by `backoffFactor` (down to `min`) and holds.
// Generations are counted in completed requests, so it adapts as fast as the
// requests themselves take, whatever their size, rate and latency. Time is
// passed in, so tests drive it without sleeping.
//
// Thread-safety: internally synchronized.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace ossvp::fusecore {

struct ConcurrencyOptions {
  size_t initial = 32;
  size_t min = 4;
  size_t max = 256;
  double growFactor = 2.0;
  double minGain = 0.10;  // a generation must deliver 10% more to keep growing
  double backoffFactor = 0.7;
  size_t holdGenerations = 16;  // at a plateau, generations before probing again
  // Completions not measured at the start: requests started back to back
  // finish in a burst that overstates the steady rate.
  size_t skipFirst = 0;
};

class ConcurrencyController {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ConcurrencyController(ConcurrencyOptions options);

  // Requests the engine may keep in flight now.
  size_t limit() const;

  // The engine wanted to start a request but limit() held it back.
  void noteLimited();

  // A request finished at `now`: `bytes` arrived; `throttled` when it failed
  // with a sign of overload (SlowDown, reset, short body).
  void onComplete(uint64_t bytes, bool throttled, Clock::time_point now);

  // The limit the controller returns to between probes: the last one whose
  // growth paid off, or the cut after throttling. limit() is above it only
  // while a probe upwards is being measured.
  size_t settled() const;

  // Counters for tests and logs.
  size_t growths() const;
  size_t backoffs() const;

 private:
  void startGenerationLocked(size_t warmup, Clock::time_point now);
  void evaluateLocked(Clock::time_point now);
  void setLimitLocked(size_t limit, Clock::time_point now);

  const ConcurrencyOptions opt_;
  mutable std::mutex mu_;
  size_t limit_;               // all guarded by mu_
  size_t goodLimit_;           // the last limit whose growth paid off
  double goodRate_ = 0;        // bytes/s measured at goodLimit_ (0: none yet)
  size_t warmup_ = 0;          // completions to skip before measuring
  size_t measured_ = 0;        // completions measured in this generation
  uint64_t bytes_ = 0;         // bytes of the measured completions
  bool limited_ = false;       // the limit held the engine back this generation
  Clock::time_point start_{};  // when measuring began
  size_t hold_ = 0;            // generations left before probing upwards
  size_t growths_ = 0;
  size_t backoffs_ = 0;
};

}  // namespace ossvp::fusecore
