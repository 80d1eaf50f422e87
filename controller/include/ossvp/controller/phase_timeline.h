// PhaseTimeline: when the controller first observed each phase of a PVC's
// population (monotonic clock, kept per PVC uid), turned into one observation
// per phase interval of the histogram
// ossvp_phase_duration_seconds{mode,phase,owner} once the PVC is done, plus
// one debug log line with the whole timeline in milliseconds since queued.
//
// Phases, in order:
//   Queued         the PVC was first seen unfinished (informer event or pass)
//   PrimeCreated   the prime PVC's create call returned
//   PodCreated     the populator pod's create call returned (bmcpfs-dataflow:
//                  the data-flow import task was created)
//   PodRunning     the pod was seen Running (bmcpfs-dataflow: task Executing)
//   PodFinished    the pod was seen Succeeded (bmcpfs-dataflow: task Completed)
//   RebindStarted  the PV's claimRef patch to the user's PVC returned
//   Bound          the PVC was seen Bound (and the prime PVC Lost or gone)
//   CleanupDone    the temporary objects are deleted and the finalizer removed
// Intervals (the histogram's `phase` label) are named "<from>_to_<to>"
// (phaseIntervalName). Each interval is either the controller's own work
// (from an observation to the controller's action; owner="controller") or
// the cluster's and the pod's (scheduling, volume provisioning, container
// start, the copy, the PV controller's binding; owner="cluster"):
// phaseIntervalIsController().
//
// Only the first observation of a phase counts (a retried pod does not move
// PodCreated). A phase never observed (a pod that ran and finished between two
// passes) takes the time of the next phase observed, so its interval is 0 and
// the intervals always add up to Queued -> CleanupDone. A timeline whose
// Queued was never observed (the controller started after the PVC was Bound)
// is dropped without observations.
//
// The state is bounded by the PVCs that exist and refer to an ossvp:
// complete() and forget() erase a PVC's entry; the reconciler calls forget()
// for a PVC being deleted, gone (forgetRef) or bound by someone else, and a
// population that failed for good keeps its entry until its PVC is deleted.
//
// Thread-safety: internally synchronized; every member may be called
// concurrently.
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "ossvp/controller/clock.h"
#include "ossvp/controller/metrics.h"

namespace ossvp::controller {

enum class PopulationPhase {
  Queued,
  PrimeCreated,
  PodCreated,
  PodRunning,
  PodFinished,
  RebindStarted,
  Bound,
  CleanupDone,
};
inline constexpr size_t kPopulationPhaseCount = 8;

// "queued", "prime_created", "pod_created", "pod_running", "pod_finished", "rebind_started", "bound", "cleanup_done".
std::string_view phaseName(PopulationPhase p);
// The interval that ends at `to` (not Queued), e.g. "running_to_finished".
std::string_view phaseIntervalName(PopulationPhase to);
// True when the interval ending at `to` is the controller's own reaction.
bool phaseIntervalIsController(PopulationPhase to);
// The histogram's labels for the interval ending at `to`: {mode,phase,owner}.
std::string phaseMetricLabels(std::string_view mode, PopulationPhase to);

inline constexpr std::string_view kPhaseDurationMetric = "ossvp_phase_duration_seconds";

class PhaseTimeline {
 public:
  // `metrics` and `clock` must outlive the timeline. Registers the metric's
  // buckets (1 ms to 300 s) in `metrics`.
  PhaseTimeline(Metrics& metrics, const Clock& clock);

  // Records `phase` for the PVC `uid` (`ref` = "namespace/name") at the
  // clock's monotonic now, unless that phase is recorded already.
  void mark(const std::string& uid, const std::string& ref, PopulationPhase phase);
  // Records CleanupDone, observes every interval under `mode`, logs the
  // timeline at debug level and forgets the PVC. Returns the logged line
  // (nullopt when the PVC has no timeline or its Queued was never observed).
  std::optional<std::string> complete(const std::string& uid, std::string_view mode);
  // Drops the PVC's timeline without observing anything.
  void forget(const std::string& uid);
  // Same, for whatever PVC last had this "namespace/name" (its uid is unknown: it is gone).
  void forgetRef(const std::string& ref);
  // PVCs with a timeline (tests: nothing is left behind).
  size_t tracked() const;

 private:
  struct Entry {
    std::string ref;
    std::array<std::optional<Clock::Instant>, kPopulationPhaseCount> at;
  };
  void eraseLocked(const std::string& uid);

  Metrics& metrics_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::string, Entry> byUid_;        // guarded by mu_
  std::map<std::string, std::string> uidOf_;  // ref -> uid of byUid_'s entries; guarded by mu_
};

}  // namespace ossvp::controller
