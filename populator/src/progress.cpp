#include "ossvp/populator/progress.h"

#include <cmath>

#include <spdlog/fmt/fmt.h>
#include <nlohmann/json.hpp>

#include "ossvp/common/size_parse.h"

namespace ossvp::populator {

std::string ProgressSnapshot::toJson() const {
  namespace field = populator_contract::progress_field;
  nlohmann::json j;
  j[field::kPhase] = phase;
  j[field::kBytesDone] = bytesDone;
  j[field::kBytesTotal] = bytesTotal;
  j[field::kObjectsDone] = objectsDone;
  j[field::kObjectsTotal] = objectsTotal;
  j[field::kThroughputMBps] = std::round(throughputMBps * 10.0) / 10.0;
  return j.dump();
}

std::string ProgressSnapshot::toBar(int width) const {
  double frac = bytesTotal ? static_cast<double>(bytesDone) / static_cast<double>(bytesTotal)
                           : (objectsTotal ? static_cast<double>(objectsDone) / static_cast<double>(objectsTotal) : 0);
  if (frac > 1) frac = 1;
  int filled = static_cast<int>(frac * width);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(width - filled), '.');
  return fmt::format("[{}] {:5.1f}%  {} / {}  {}/{} objects  {:.1f} MB/s  {}", bar, frac * 100.0,
                     formatBytes(bytesDone), formatBytes(bytesTotal), objectsDone, objectsTotal, throughputMBps, phase);
}

void ProgressTracker::setPhase(const std::string& phase) {
  std::lock_guard<std::mutex> lock(mu_);
  phase_ = phase;
}

void ProgressTracker::setTotals(uint64_t bytes, uint64_t objects) {
  bytesTotal_.store(bytes);
  objectsTotal_.store(objects);
}

ProgressSnapshot ProgressTracker::snapshot(int64_t nowNanos) {
  ProgressSnapshot s;
  s.bytesDone = bytesDone_.load();
  s.bytesTotal = bytesTotal_.load();
  s.objectsDone = objectsDone_.load();
  s.objectsTotal = objectsTotal_.load();
  std::lock_guard<std::mutex> lock(mu_);
  s.phase = phase_;
  if (lastNanos_ != 0 && nowNanos > lastNanos_) {
    double dt = static_cast<double>(nowNanos - lastNanos_) / 1e9;
    if (dt >= 0.2) {
      double moved = s.bytesDone >= lastBytes_ ? static_cast<double>(s.bytesDone - lastBytes_) : 0.0;
      lastRate_ = moved / dt / 1e6;
      lastNanos_ = nowNanos;
      lastBytes_ = s.bytesDone;
    }
  } else if (lastNanos_ == 0) {
    lastNanos_ = nowNanos;
    lastBytes_ = s.bytesDone;
  }
  s.throughputMBps = lastRate_;
  return s;
}

}  // namespace ossvp::populator
