// CopyConcurrency: how many files or segments the copier works on at once.
// Fixed, it is a constant (`--concurrency N`). Adaptive (the default), it is
// a fusecore::ConcurrencyController fed with what the copy delivers: every
// chunk a worker reads and writes is one completed request of `bytes`, so a
// generation is `limit` chunks and the limit grows while the delivered
// throughput grows with it (a latency- or per-connection-bound network),
// falls back when it does not (loopback, a saturated host, a throughput
// cap) and is cut when the source reports a transient error (throttling,
// resets). Time comes from the populator's Clock, so tests drive it.
//
// Thread-safety: internally synchronized; every method may be called from
// any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "ossvp/fusecore/concurrency_controller.h"
#include "ossvp/populator/clock.h"

namespace ossvp::populator {

struct CopyConcurrencyOptions {
  bool adaptive = false;  // false: fixed at `max`
  size_t initial = 32;
  size_t min = 8;
  size_t max = 128;
};

class CopyConcurrency {
 public:
  CopyConcurrency(CopyConcurrencyOptions options, Clock* clock);

  // Files or segments that may be in flight now, between min and max.
  size_t limit() const;
  // A worker had work but limit() held it back.
  void noteLimited();
  // A chunk of `bytes` was read and written. True when limit() changed.
  bool onChunk(uint64_t bytes);
  // A read failed with a transient error (it will be retried). True when
  // limit() changed.
  bool onTransientError();

  bool adaptive() const { return options_.adaptive; }
  size_t ceiling() const { return options_.max; }
  // Where the adaptation stands between probes (the fixed count when fixed).
  size_t settled() const;
  // The highest limit of the run.
  size_t peak() const { return peak_.load(); }
  // Cuts after transient errors.
  size_t backoffs() const;

 private:
  bool complete(uint64_t bytes, bool transient);

  const CopyConcurrencyOptions options_;
  Clock* const clock_;
  fusecore::ConcurrencyController controller_;
  std::atomic<size_t> peak_;
};

}  // namespace ossvp::populator
