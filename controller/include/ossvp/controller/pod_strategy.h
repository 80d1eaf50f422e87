// PodStrategy: generic mode. Runs the populator pod `populate-<pvc-uid>` in
// the populator namespace against the prime PVC, mirrors the pod's progress
// annotation into status.generic.<uid> (never backwards, 100% only once the
// pod Succeeded), and on failure reports the populator's own message, then
// either retries with a new pod after a growing backoff (transient exit
// codes, up to maxAttempts) or stops at once (permanent errors: 403,
// NoSuchBucket, empty source, too-small volume ...), keeping the failed pod.
// WaitForFirstConsumer: a selected node that no longer exists is not pinned
// again; the population is rescheduled (node_check.h). A pod that does not
// start is reported stuck (PopulatorPodStuck) at once when the reason needs a
// fix, otherwise only after options.podStuckGrace (pod_blocker.h). While the
// pod copies, the entry also carries the smoothed copy rate and the ETA
// (throughput_estimator.h).
//
// Attempt bookkeeping lives in annotations on the prime PVC, so a restarted
// controller resumes where the last one stopped.
//
// Thread-safety: internally synchronized.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <utility>

#include "ossvp/controller/clock.h"
#include "ossvp/controller/controller_options.h"
#include "ossvp/controller/kube/event_recorder.h"
#include "ossvp/controller/node_check.h"
#include "ossvp/controller/pod_blocker.h"
#include "ossvp/controller/population_strategy.h"
#include "ossvp/controller/status_writer.h"
#include "ossvp/controller/throughput_estimator.h"

namespace ossvp::controller {

// What a finished populator pod reported.
struct PodTermination {
  int exitCode = -1;       // -1: no container status
  std::string reason;      // the populator's CamelCase reason, or the kubelet's
  std::string message;     // human-readable, from the termination message
  bool retryable = false;  // a new attempt may succeed
  nlohmann::json summary;  // parsed termination message JSON, when it was JSON
  bool disrupted = false;  // Kubernetes ended the pod (DisruptionTarget: pod GC, taint eviction): pod not kept
};
PodTermination readPodTermination(const kube::Object& pod);

class PodStrategy : public PopulationStrategy {
 public:
  PodStrategy(kube::ApiClient& api, const kube::ObjectReader& reader, kube::EventRecorder& events, StatusWriter& status,
              const ControllerOptions& options, const Clock& clock = Clock::system());

  PopulatorMode mode() const override { return PopulatorMode::Generic; }
  Status checkPrerequisites(const OssvpObject& source, const kube::Object& pvc) override;
  PopulationResult populate(const PopulationContext& ctx) override;
  Status cleanup(const std::string& pvcUid) override;

 private:
  // Attempts recorded on the prime PVC (attempts annotation, or a pending retry's).
  static int attemptsOf(const kube::Object& prime);
  PopulationResult startPod(const PopulationContext& ctx, int attempts);
  PopulationResult trackRunning(const PopulationContext& ctx, const kube::Object& pod);
  // Reports the pod stuck when it is (now or after the grace); returns when to look again.
  std::optional<std::chrono::milliseconds> checkStuck(const PopulationContext& ctx, const kube::Object& pod,
                                                      const PodBlocker& blocker);
  // Feeds the pod's progress report to its estimator: {bytes/s, ETA seconds}, each when known.
  std::pair<std::optional<int64_t>, std::optional<int64_t>> estimateRate(const std::string& pvcUid,
                                                                         const kube::Object& pod,
                                                                         const kube::Object& progress);
  PopulationResult onSucceeded(const PopulationContext& ctx, const kube::Object& pod);
  PopulationResult onFailed(const PopulationContext& ctx, const kube::Object& pod, int attempts);
  Status writeEntry(const PopulationContext& ctx, const std::function<void(GenericPvcEntry&)>& edit);
  // Coalesced (StatusWriter::updateCoalesced): `edit` must own what it captures.
  Status writeEntryLater(const PopulationContext& ctx, std::function<void(GenericPvcEntry&)> edit);
  Status annotatePrime(const kube::Object& prime, const kube::Object& annotations);
  // WaitForFirstConsumer: the selected node is gone -> rescheduled (node_check.h); nullopt otherwise.
  std::optional<PopulationResult> rescheduleIfNodeGone(const PopulationContext& ctx);

  kube::ApiClient& api_;
  const kube::ObjectReader& reader_;
  kube::EventRecorder& events_;
  StatusWriter& status_;
  const ControllerOptions options_;
  const Clock& clock_;
  NodeRescheduler nodes_;

  std::mutex mu_;
  // pvc uid -> the failed attempt already handled and the earliest time of
  // the next one; covers a cache that has not yet seen the prime PVC's
  // retry-after annotation or the failed pod's deletion.
  struct Retry {
    int attempt = 0;
    Clock::TimePoint at;
  };
  std::map<std::string, Retry> retries_;  // guarded by mu_
  // pvc uid -> the last attempt this process started a pod for.
  std::map<std::string, int> started_;  // guarded by mu_

  // pvc uid -> the copy rate of its current pod (a new pod starts over).
  struct Rate {
    std::string podUid;
    ThroughputEstimator estimator;
  };
  std::map<std::string, Rate> rates_;  // guarded by mu_
};

}  // namespace ossvp::controller
