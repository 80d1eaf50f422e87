#include "ossvp/controller/throughput_estimator.h"

#include <algorithm>
#include <cmath>

namespace ossvp::controller {

namespace {
double seconds(Clock::TimePoint::duration d) { return std::chrono::duration<double>(d).count(); }
}  // namespace

void ThroughputEstimator::add(Clock::TimePoint at, int64_t bytesDone) {
  if (samples_ > 0 && bytesDone < latestBytes_) samples_ = 0;  // a new attempt: start over
  latestBytes_ = bytesDone;
  if (samples_ == 0) {
    samples_ = 1;
    first_ = last_ = at;
    lastBytes_ = bytesDone;
    rate_ = 0;
    return;
  }
  if (at - last_ < options_.minInterval) return;
  double dt = seconds(at - last_);
  double r = static_cast<double>(bytesDone - lastBytes_) / dt;
  if (samples_ == 1) {
    rate_ = r;
  } else {
    double alpha = 1.0 - std::exp(-dt / seconds(options_.timeConstant));
    rate_ += alpha * (r - rate_);
  }
  ++samples_;
  last_ = at;
  lastBytes_ = bytesDone;
}

bool ThroughputEstimator::meaningful() const { return samples_ >= 2 && last_ - first_ >= options_.minSpan; }

std::optional<int64_t> ThroughputEstimator::bytesPerSecond() const {
  if (!meaningful()) return std::nullopt;
  return std::llround(rate_);
}

std::optional<int64_t> ThroughputEstimator::etaSeconds(int64_t bytesTotal) const {
  if (!meaningful() || rate_ < 1.0 || bytesTotal <= 0) return std::nullopt;
  double remaining = static_cast<double>(std::max<int64_t>(0, bytesTotal - latestBytes_));
  return static_cast<int64_t>(std::ceil(remaining / rate_));
}

}  // namespace ossvp::controller
