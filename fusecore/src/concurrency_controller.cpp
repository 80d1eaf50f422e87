#include "ossvp/fusecore/concurrency_controller.h"

#include <algorithm>
#include <cmath>

namespace ossvp::fusecore {

namespace {

ConcurrencyOptions sane(ConcurrencyOptions o) {
  o.min = std::max<size_t>(1, o.min);
  o.max = std::max(o.max, o.min);
  return o;
}

}  // namespace

ConcurrencyController::ConcurrencyController(ConcurrencyOptions options) : opt_(sane(options)) {
  limit_ = std::clamp(opt_.initial, opt_.min, opt_.max);
  goodLimit_ = limit_;
  warmup_ = opt_.skipFirst;
}

size_t ConcurrencyController::limit() const {
  std::lock_guard<std::mutex> lock(mu_);
  return limit_;
}

size_t ConcurrencyController::settled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return goodLimit_;
}

size_t ConcurrencyController::growths() const {
  std::lock_guard<std::mutex> lock(mu_);
  return growths_;
}

size_t ConcurrencyController::backoffs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return backoffs_;
}

void ConcurrencyController::noteLimited() {
  std::lock_guard<std::mutex> lock(mu_);
  limited_ = true;
}

void ConcurrencyController::startGenerationLocked(size_t warmup, Clock::time_point now) {
  warmup_ = warmup;
  measured_ = 0;
  bytes_ = 0;
  limited_ = false;
  start_ = now;
}

void ConcurrencyController::setLimitLocked(size_t limit, Clock::time_point now) {
  size_t previous = limit_;
  limit_ = std::clamp(limit, opt_.min, opt_.max);
  // Requests started under the previous limit finish first; measure after them.
  startGenerationLocked(previous, now);
}

void ConcurrencyController::onComplete(uint64_t bytes, bool throttled, Clock::time_point now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (throttled) {
    ++backoffs_;
    size_t cut = static_cast<size_t>(std::floor(static_cast<double>(limit_) * opt_.backoffFactor));
    goodLimit_ = std::clamp(cut, opt_.min, opt_.max);
    goodRate_ = 0;
    hold_ = opt_.holdGenerations;
    setLimitLocked(goodLimit_, now);
    return;
  }
  if (warmup_ > 0) {
    if (--warmup_ == 0) start_ = now;
    return;
  }
  if (start_ == Clock::time_point{}) start_ = now;  // the very first completion
  ++measured_;
  bytes_ += bytes;
  if (measured_ >= limit_) evaluateLocked(now);
}

void ConcurrencyController::evaluateLocked(Clock::time_point now) {
  double seconds = std::chrono::duration<double>(now - start_).count();
  double rate = seconds > 0 ? static_cast<double>(bytes_) / seconds : 0;
  if (!limited_) {
    // The workload asked for no more than the limit: this generation says
    // nothing about what more requests would deliver.
    startGenerationLocked(0, now);
    return;
  }
  if (hold_ > 0) {
    --hold_;
    startGenerationLocked(0, now);
    return;
  }
  if (limit_ == goodLimit_) {
    // At the known-good limit: remember its rate and probe upwards.
    goodRate_ = rate;
    if (limit_ >= opt_.max) {
      startGenerationLocked(0, now);
      return;
    }
    ++growths_;
    setLimitLocked(static_cast<size_t>(std::ceil(static_cast<double>(limit_) * opt_.growFactor)), now);
    return;
  }
  if (rate >= goodRate_ * (1.0 + opt_.minGain)) {
    // The growth paid: keep it and try the next step. Throughput that rose
    // almost as much as the limit (at least 80% of the step) says the knee
    // is still far off: the next step is squared, so a stream whose network
    // wants 100+ requests reaches them in a few generations, not many.
    double step = static_cast<double>(limit_) / static_cast<double>(goodLimit_);
    bool linear = rate >= goodRate_ * (1.0 + 0.8 * (step - 1.0));
    double factor = linear ? opt_.growFactor * opt_.growFactor : opt_.growFactor;
    goodLimit_ = limit_;
    goodRate_ = rate;
    if (limit_ < opt_.max) {
      ++growths_;
      setLimitLocked(static_cast<size_t>(std::ceil(static_cast<double>(limit_) * factor)), now);
    } else {
      startGenerationLocked(0, now);
    }
    return;
  }
  // No gain: back to the last limit that paid, and stay there a while.
  hold_ = opt_.holdGenerations;
  setLimitLocked(goodLimit_, now);
}

}  // namespace ossvp::fusecore
