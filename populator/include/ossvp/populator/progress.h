// Progress of one run: counters the copier bumps, and the snapshot that goes
// to stdout (a JSON line, or a bar on a TTY) and to the Pod annotation. The
// annotation key, the JSON's field names and its phases are the contract with
// the controller (ossvp/common/populator_contract.h, populator/README.md).
//
// Thread-safety: ProgressTracker is lock-free for the counters and takes a
// mutex for the phase; snapshot() may run concurrently with updates.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

#include "ossvp/common/populator_contract.h"

namespace ossvp::populator {

using populator_contract::kPhaseChecking;
using populator_contract::kPhaseCopying;
using populator_contract::kPhaseDone;
using populator_contract::kPhaseFailed;
using populator_contract::kPhaseFinalizing;
using populator_contract::kPhaseListing;

struct ProgressSnapshot {
  std::string phase;
  uint64_t bytesDone = 0;
  uint64_t bytesTotal = 0;
  uint64_t objectsDone = 0;
  uint64_t objectsTotal = 0;
  double throughputMBps = 0;  // MB = 1,000,000 bytes, over the last interval

  std::string toJson() const;  // one line, no trailing newline
  // "[#####.....]  45.1%  1.20 GiB / 2.66 GiB  120/300 objects  85.3 MB/s  copying"
  std::string toBar(int width = 30) const;
};

class ProgressTracker {
 public:
  void setPhase(const std::string& phase);
  void setTotals(uint64_t bytes, uint64_t objects);
  void addBytes(uint64_t n) { bytesDone_.fetch_add(n, std::memory_order_relaxed); }
  void subBytes(uint64_t n) { bytesDone_.fetch_sub(n, std::memory_order_relaxed); }  // a retried file
  void addObjects(uint64_t n) { objectsDone_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t bytesDone() const { return bytesDone_.load(std::memory_order_relaxed); }

  // Throughput is computed from the bytes moved since the previous call.
  ProgressSnapshot snapshot(int64_t nowNanos);

 private:
  std::atomic<uint64_t> bytesDone_{0}, bytesTotal_{0}, objectsDone_{0}, objectsTotal_{0};
  std::mutex mu_;
  std::string phase_ = kPhaseListing;  // guarded by mu_
  int64_t lastNanos_ = 0;              // guarded by mu_
  uint64_t lastBytes_ = 0;             // guarded by mu_
  double lastRate_ = 0;                // guarded by mu_
};

}  // namespace ossvp::populator
