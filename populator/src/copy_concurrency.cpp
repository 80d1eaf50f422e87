#include "ossvp/populator/copy_concurrency.h"

#include <algorithm>
#include <chrono>

#include "ossvp/common/log.h"

namespace ossvp::populator {

namespace {

CopyConcurrencyOptions sane(CopyConcurrencyOptions o) {
  o.max = std::max<size_t>(1, o.max);
  o.min = std::clamp<size_t>(o.min, 1, o.max);
  o.initial = std::clamp(o.initial, o.min, o.max);
  if (!o.adaptive) o.initial = o.min = o.max;
  return o;
}

fusecore::ConcurrencyOptions controllerOptions(const CopyConcurrencyOptions& o) {
  fusecore::ConcurrencyOptions c;
  c.initial = o.initial;
  c.min = o.min;
  c.max = o.max;
  // The first `initial` reads start together and end in a burst that
  // overstates the steady rate.
  c.skipFirst = o.initial;
  return c;
}

}  // namespace

CopyConcurrency::CopyConcurrency(CopyConcurrencyOptions options, Clock* clock)
    : options_(sane(options)),
      clock_(clock ? clock : steadyClock()),
      controller_(controllerOptions(options_)),
      peak_(controller_.limit()) {}

size_t CopyConcurrency::limit() const { return controller_.limit(); }

void CopyConcurrency::noteLimited() {
  if (options_.adaptive) controller_.noteLimited();
}

bool CopyConcurrency::onChunk(uint64_t bytes) { return complete(bytes, false); }

bool CopyConcurrency::onTransientError() { return complete(0, true); }

bool CopyConcurrency::complete(uint64_t bytes, bool transient) {
  if (!options_.adaptive) return false;
  using Tp = fusecore::ConcurrencyController::Clock::time_point;
  Tp now{std::chrono::nanoseconds(clock_->nowNanos())};
  size_t before = controller_.limit();
  controller_.onComplete(bytes, transient, now);
  size_t after = controller_.limit();
  if (after == before) return false;
  size_t peak = peak_.load();
  while (after > peak && !peak_.compare_exchange_weak(peak, after)) {
  }
  logDebug("copy concurrency {} -> {}{}", before, after, transient ? " (transient read error)" : "");
  return true;
}

size_t CopyConcurrency::settled() const { return controller_.settled(); }

size_t CopyConcurrency::backoffs() const { return controller_.backoffs(); }

}  // namespace ossvp::populator
