// ThroughputEstimator: how fast one population copies, and when it will be
// done, from the populator's progress reports (bytes done, sampled at the
// time the controller sees them).
//
// Smoothing: an exponentially weighted moving average over time. Each
// accepted sample gives the rate since the previous one, r = dBytes/dt, and
//   rate <- rate + (1 - exp(-dt/timeConstant)) * (r - rate)
// (the first interval's rate seeds it). A report's weight grows with the time
// it covers, so reports arriving closer together or further apart than usual
// are weighed fairly, and a copy that stalls (same bytes, time passing) sees
// its rate decay towards 0: to 37% after one time constant. A sample less than
// minInterval after the last accepted one only updates the bytes (a repeated
// pass over the same report carries no new information about speed); a
// sample with fewer bytes than before (a new attempt) starts over.
//
// Nothing is reported until the accepted samples span at least minSpan: no
// rate and no ETA from a single report. The ETA is the remaining bytes at the
// smoothed rate, and only while that rate is at least 1 byte/s.
//
// Thread-safety: a plain value; the owner synchronizes.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "ossvp/controller/clock.h"

namespace ossvp::controller {

class ThroughputEstimator {
 public:
  struct Options {
    std::chrono::milliseconds timeConstant{std::chrono::seconds(10)};
    std::chrono::milliseconds minInterval{std::chrono::seconds(1)};
    std::chrono::milliseconds minSpan{std::chrono::seconds(2)};
  };

  ThroughputEstimator() : ThroughputEstimator(Options{}) {}
  explicit ThroughputEstimator(Options options) : options_(options) {}

  void add(Clock::TimePoint at, int64_t bytesDone);
  // Smoothed bytes per second; nullopt until the samples span minSpan.
  std::optional<int64_t> bytesPerSecond() const;
  // Seconds until `bytesTotal` at the smoothed rate (rounded up); nullopt
  // while there is no rate, it is below 1 byte/s, or the total is unknown (<= 0).
  std::optional<int64_t> etaSeconds(int64_t bytesTotal) const;

 private:
  bool meaningful() const;

  Options options_;
  int samples_ = 0;                // accepted samples since the (re)start
  Clock::TimePoint first_, last_;  // times of the first and last accepted samples
  int64_t lastBytes_ = 0;          // bytes at the last accepted sample
  int64_t latestBytes_ = 0;        // bytes of the newest sample, accepted or not
  double rate_ = 0;                // bytes/s, valid once samples_ >= 2
};

}  // namespace ossvp::controller
