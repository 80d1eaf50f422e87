#include "ossvp/controller/phase_timeline.h"

#include <iterator>

#include "ossvp/common/log.h"

namespace ossvp::controller {

namespace {
struct PhaseInfo {
  std::string_view name;
  std::string_view interval;  // the interval ending at this phase ("" for Queued)
  bool controller;            // that interval is the controller's own reaction
};

// Indexed by PopulationPhase.
constexpr std::array<PhaseInfo, kPopulationPhaseCount> kPhases = {{
    {"queued", "", false},
    {"prime_created", "queued_to_prime_created", true},     // work-queue wait, checks, create
    {"pod_created", "prime_created_to_pod_created", true},  // Secret check, pod create
    {"pod_running", "pod_created_to_running", false},       // scheduling, volume, container start
    {"pod_finished", "running_to_finished", false},         // the copy
    {"rebind_started", "finished_to_rebind", true},         // pod Succeeded seen -> PV patched
    {"bound", "rebind_to_bound", false},                    // the PV controller binds
    {"cleanup_done", "bound_to_cleanup", true},             // deletes, status, finalizer
}};

const PhaseInfo& info(PopulationPhase p) { return kPhases[static_cast<size_t>(p)]; }

// 1 ms to 300 s.
const std::vector<double> kPhaseBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                                          1,     2.5,    5,     10,   30,    60,   120, 300};
}  // namespace

std::string_view phaseName(PopulationPhase p) { return info(p).name; }
std::string_view phaseIntervalName(PopulationPhase to) { return info(to).interval; }
bool phaseIntervalIsController(PopulationPhase to) { return info(to).controller; }

std::string phaseMetricLabels(std::string_view mode, PopulationPhase to) {
  return metricLabels({{"mode", std::string(mode)},
                       {"phase", std::string(info(to).interval)},
                       {"owner", info(to).controller ? "controller" : "cluster"}});
}

PhaseTimeline::PhaseTimeline(Metrics& metrics, const Clock& clock) : metrics_(metrics), clock_(clock) {
  metrics_.setBuckets(std::string(kPhaseDurationMetric), kPhaseBounds);
}

void PhaseTimeline::mark(const std::string& uid, const std::string& ref, PopulationPhase phase) {
  const Clock::Instant now = clock_.steadyNow();
  std::lock_guard<std::mutex> lock(mu_);
  auto named = uidOf_.find(ref);
  if (named != uidOf_.end() && named->second != uid) {
    eraseLocked(std::string(named->second));  // a PVC of the same name, re-created: the old one is gone
  }
  Entry& e = byUid_[uid];
  if (e.ref.empty()) {
    e.ref = ref;
    uidOf_[ref] = uid;
  }
  auto& at = e.at[static_cast<size_t>(phase)];
  if (!at) at = now;
}

std::optional<std::string> PhaseTimeline::complete(const std::string& uid, std::string_view mode) {
  const Clock::Instant now = clock_.steadyNow();
  Entry e;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = byUid_.find(uid);
    if (it == byUid_.end()) return std::nullopt;
    e = it->second;
    eraseLocked(uid);
  }
  auto& at = e.at;
  at[static_cast<size_t>(PopulationPhase::CleanupDone)] = now;
  if (!at[0]) return std::nullopt;
  for (size_t i = kPopulationPhaseCount - 1; i-- > 1;) {  // unobserved: the next phase's time
    if (!at[i]) at[i] = at[i + 1];
  }
  std::string line = fmt::format("PVC {} (uid {}) phase timeline, ms since queued:", e.ref, uid);
  for (size_t i = 1; i < kPopulationPhaseCount; ++i) {
    double seconds = std::chrono::duration<double>(*at[i] - *at[i - 1]).count();
    metrics_.observe(std::string(kPhaseDurationMetric), phaseMetricLabels(mode, static_cast<PopulationPhase>(i)),
                     seconds);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*at[i] - *at[0]).count();
    fmt::format_to(std::back_inserter(line), " {} {}", kPhases[i].name, ms);
  }
  logDebug("{}", line);
  return line;
}

void PhaseTimeline::forget(const std::string& uid) {
  std::lock_guard<std::mutex> lock(mu_);
  eraseLocked(uid);
}

void PhaseTimeline::forgetRef(const std::string& ref) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = uidOf_.find(ref);
  if (it != uidOf_.end()) eraseLocked(std::string(it->second));
}

size_t PhaseTimeline::tracked() const {
  std::lock_guard<std::mutex> lock(mu_);
  return byUid_.size();
}

void PhaseTimeline::eraseLocked(const std::string& uid) {
  auto it = byUid_.find(uid);
  if (it == byUid_.end()) return;
  if (auto r = uidOf_.find(it->second.ref); r != uidOf_.end() && r->second == uid) uidOf_.erase(r);
  byUid_.erase(it);
}

}  // namespace ossvp::controller
