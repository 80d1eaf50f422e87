#include "ossvp/ossemu/faults.h"

namespace ossvp::ossemu {

void FaultInjector::setDefault(const OpFaultConfig& c) {
  std::lock_guard<std::mutex> lock(mu_);
  startup_ = c;
  default_ = c;
}

void FaultInjector::setForOperation(const std::string& op, const OpFaultConfig& c) {
  std::lock_guard<std::mutex> lock(mu_);
  if (op.empty() || op == "*") {
    default_ = c;
  } else {
    perOp_[op] = c;
  }
}

void FaultInjector::clear() {
  std::lock_guard<std::mutex> lock(mu_);
  default_ = startup_;
  perOp_.clear();
}

void FaultInjector::reseed(uint64_t seed) {
  std::lock_guard<std::mutex> lock(mu_);
  rng_.seed(seed);
}

const OpFaultConfig& FaultInjector::configFor(const std::string& op) const {
  auto it = perOp_.find(op);
  return it == perOp_.end() ? default_ : it->second;
}

FaultPlan FaultInjector::plan(const std::string& op) {
  std::lock_guard<std::mutex> lock(mu_);
  const OpFaultConfig& c = configFor(op);
  FaultPlan p;
  p.firstByteLatencyMs = c.latencyMs;
  p.bandwidthBytesPerSec = static_cast<uint64_t>(c.bandwidthMbps * 1e6 / 8);
  p.stallMs = c.stallMs;
  std::uniform_real_distribution<double> u(0.0, 1.0);
  if (c.errorRate > 0 && u(rng_) < c.errorRate) {
    p.errorStatus = c.errorStatus == 500 ? 500 : 503;
    return p;
  }
  double r = u(rng_);
  if (r < c.resetRate) {
    p.bodyFault = BodyFault::Reset;
  } else if (r < c.resetRate + c.truncateRate) {
    p.bodyFault = BodyFault::Truncate;
  } else if (r < c.resetRate + c.truncateRate + c.stallRate) {
    p.bodyFault = BodyFault::Stall;
  }
  return p;
}

Status FaultInjector::applyOne(const nlohmann::json& j) {
  if (!j.is_object()) return invalidArgument("admin: each fault entry must be a JSON object");
  if (j.value("reset", false)) {
    default_ = startup_;
    perOp_.clear();
  }
  if (j.contains("rng_seed")) rng_.seed(j.at("rng_seed").get<uint64_t>());
  static const char* kFields[] = {"latency_ms", "bandwidth_mbps", "error_rate", "error_status",
                                  "reset_rate", "truncate_rate",  "stall_rate", "stall_ms"};
  bool any = false;
  for (const char* f : kFields) any = any || j.contains(f);
  if (!any) return Status::ok();
  std::string op = j.value("operation", std::string("*"));
  OpFaultConfig c = (op == "*") ? default_ : configFor(op);
  c.latencyMs = j.value("latency_ms", c.latencyMs);
  c.bandwidthMbps = j.value("bandwidth_mbps", c.bandwidthMbps);
  c.errorRate = j.value("error_rate", c.errorRate);
  c.errorStatus = j.value("error_status", c.errorStatus);
  c.resetRate = j.value("reset_rate", c.resetRate);
  c.truncateRate = j.value("truncate_rate", c.truncateRate);
  c.stallRate = j.value("stall_rate", c.stallRate);
  c.stallMs = j.value("stall_ms", c.stallMs);
  if (c.errorStatus != 500 && c.errorStatus != 503) {
    return invalidArgument("admin: error_status must be 500 or 503");
  }
  if (op == "*") {
    default_ = c;
  } else {
    perOp_[op] = c;
  }
  return Status::ok();
}

Status FaultInjector::applyJson(const nlohmann::json& j) {
  std::lock_guard<std::mutex> lock(mu_);
  try {
    if (j.is_array()) {
      for (const auto& e : j) OSSVP_RETURN_IF_ERROR(applyOne(e));
      return Status::ok();
    }
    return applyOne(j);
  } catch (const nlohmann::json::exception& e) {
    return invalidArgument(std::string("admin: bad field type: ") + e.what());
  }
}

namespace {
nlohmann::json configJson(const OpFaultConfig& c) {
  return {{"latency_ms", c.latencyMs}, {"bandwidth_mbps", c.bandwidthMbps},
          {"error_rate", c.errorRate}, {"error_status", c.errorStatus},
          {"reset_rate", c.resetRate}, {"truncate_rate", c.truncateRate},
          {"stall_rate", c.stallRate}, {"stall_ms", c.stallMs}};
}
}  // namespace

nlohmann::json FaultInjector::toJson() const {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json j;
  j["*"] = configJson(default_);
  for (const auto& [op, c] : perOp_) j[op] = configJson(c);
  return j;
}

void Stats::record(const std::string& op, int status, uint64_t bytesIn, uint64_t bytesOut) {
  std::lock_guard<std::mutex> lock(mu_);
  OpStats& s = ops_[op];
  ++s.count;
  if (status >= 400) ++s.errors;
  s.bytesIn += bytesIn;
  s.bytesOut += bytesOut;
  ++requests_;
  bytesIn_ += bytesIn;
  bytesOut_ += bytesOut;
}

void Stats::clear() {
  std::lock_guard<std::mutex> lock(mu_);
  ops_.clear();
  requests_ = bytesIn_ = bytesOut_ = 0;
}

nlohmann::json Stats::toJson() const {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json ops = nlohmann::json::object();
  for (const auto& [op, s] : ops_) {
    ops[op] = {{"count", s.count}, {"errors", s.errors}, {"bytes_in", s.bytesIn}, {"bytes_out", s.bytesOut}};
  }
  return {{"requests", requests_}, {"bytes_in", bytesIn_}, {"bytes_served", bytesOut_}, {"operations", ops}};
}

}  // namespace ossvp::ossemu
