// FaultInjector: misbehaviour on purpose, per operation (e.g. "GetObject")
// or for all ("*"): first-byte latency, a per-connection bandwidth cap, an
// error rate (500 InternalError or 503 SlowDown), and body faults (reset the
// connection mid-body, truncate the body, stall mid-body). Draws come from
// one seeded RNG so a run with the same seed and request order reproduces.
// Stats: request counts per operation and bytes served / received.
//
// Thread-safety: both classes are internally synchronized.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "ossvp/common/status.h"

namespace ossvp::ossemu {

enum class BodyFault { None, Reset, Truncate, Stall };

// What to do to one response.
struct FaultPlan {
  int firstByteLatencyMs = 0;
  uint64_t bandwidthBytesPerSec = 0;  // 0 = unlimited
  int errorStatus = 0;                // 500 or 503 to fail the request, 0 = serve it
  BodyFault bodyFault = BodyFault::None;
  int stallMs = 0;
};

struct OpFaultConfig {
  int latencyMs = 0;
  double bandwidthMbps = 0;  // megabits per second; 0 = unlimited
  double errorRate = 0;      // probability of an error response
  int errorStatus = 503;     // 503 SlowDown or 500 InternalError
  double resetRate = 0;
  double truncateRate = 0;
  double stallRate = 0;
  int stallMs = 5000;
};

class FaultInjector {
 public:
  explicit FaultInjector(uint64_t seed = 1) : rng_(seed) {}
  // The startup configuration for every operation (the network profile and
  // command-line flags); clear() and {"reset": true} come back to it.
  void setDefault(const OpFaultConfig& c);
  void setForOperation(const std::string& op, const OpFaultConfig& c);
  void clear();
  void reseed(uint64_t seed);
  FaultPlan plan(const std::string& op);
  // Applies an admin request: an object or an array of objects with fields
  // operation ("*" default), latency_ms, bandwidth_mbps, error_rate,
  // error_status, reset_rate, truncate_rate, stall_rate, stall_ms; or
  // {"reset": true} (back to the startup default); or {"rng_seed": N}.
  Status applyJson(const nlohmann::json& j);
  nlohmann::json toJson() const;

 private:
  Status applyOne(const nlohmann::json& j);
  const OpFaultConfig& configFor(const std::string& op) const;
  mutable std::mutex mu_;
  OpFaultConfig startup_;  // what setDefault gave
  OpFaultConfig default_;
  std::map<std::string, OpFaultConfig> perOp_;
  std::mt19937_64 rng_;
};

class Stats {
 public:
  void record(const std::string& op, int status, uint64_t bytesIn, uint64_t bytesOut);
  void clear();
  nlohmann::json toJson() const;

 private:
  struct OpStats {
    uint64_t count = 0;
    uint64_t errors = 0;
    uint64_t bytesIn = 0;
    uint64_t bytesOut = 0;
  };
  mutable std::mutex mu_;
  std::map<std::string, OpStats> ops_;
  uint64_t requests_ = 0;
  uint64_t bytesIn_ = 0;
  uint64_t bytesOut_ = 0;
};

}  // namespace ossvp::ossemu
