// PopulationStrategy: how the data gets into the prime PVC, one per ossvp
// mode. The PvcReconciler owns everything shared by the modes (source and
// class checks, finalizers, the prime PVC, rebinding the PV, cleanup of the
// prime PVC, deletion mid-way); a strategy only fills the prime volume and
// reports its own status entry and tells the context the phases it observes.
// generic mode: PodStrategy (a populator pod).
// bmcpfs-dataflow mode: BmcpfsStrategy (a CPFS data-flow task, same interface.
//
// Contract: populate() is called on every reconcile of an unfinished PVC and
// must be idempotent (names derived from the PVC uid, look before create);
// it is never called for a PVC being deleted. cleanup() must succeed when
// nothing exists.
//
// Thread-safety: implementations are internally synchronized; different
// PVCs are reconciled concurrently, one PVC never by two workers at once.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "ossvp/controller/kube/api_client.h"
#include "ossvp/controller/ossvp_types.h"
#include "ossvp/controller/phase_timeline.h"

namespace ossvp::controller {

struct PopulationContext {
  const kube::Object& pvc;       // the user's PVC
  const OssvpObject& source;     // its ossvp, parsed and validated
  const kube::Object& primePvc;  // exists (may not be Bound yet)
  std::string selectedNode;      // WaitForFirstConsumer node, "" otherwise
  // checkPrerequisites passed earlier in this same pass (the prime PVC was
  // just created): no need to look again before starting.
  bool prerequisitesChecked = false;
  // Told when the strategy observes one of its phases (PodCreated, PodRunning,
  // PodFinished; phase_timeline.h); may be empty.
  std::function<void(PopulationPhase)> observed;

  void observe(PopulationPhase p) const {
    if (observed) observed(p);
  }
};

struct PopulationResult {
  enum class State {
    InProgress,  // working or backing off; requeueAfter set when time must pass
    Blocked,     // cannot start (e.g. missing Secret): reported, retried with backoff
    Succeeded,   // the prime volume holds the data
    Failed,      // permanent, or retries exhausted: reported, not retried
  };
  State state = State::InProgress;
  std::optional<std::chrono::milliseconds> requeueAfter;
  std::string message;  // Blocked/Failed: what is wrong and how to fix it

  static PopulationResult inProgress(std::optional<std::chrono::milliseconds> after = std::nullopt) {
    return {State::InProgress, after, ""};
  }
  static PopulationResult blocked(std::string m) { return {State::Blocked, std::nullopt, std::move(m)}; }
  static PopulationResult succeeded() { return {State::Succeeded, std::nullopt, ""}; }
  static PopulationResult failed(std::string m) { return {State::Failed, std::nullopt, std::move(m)}; }
};

class PopulationStrategy {
 public:
  virtual ~PopulationStrategy() = default;
  virtual PopulatorMode mode() const = 0;
  // Checks what must exist before anything is created for `pvc` (e.g. the
  // generic-mode Secret). A non-ok Status is shown to the user.
  virtual Status checkPrerequisites(const OssvpObject& source, const kube::Object& pvc) = 0;
  virtual PopulationResult populate(const PopulationContext& ctx) = 0;
  // Removes what populate() created for the PVC with this uid.
  virtual Status cleanup(const std::string& pvcUid) = 0;
};

}  // namespace ossvp::controller

namespace ossvp::controller {
// A minimal object for EventRecorder naming the ossvp (kind, apiVersion, name, namespace, uid).
kube::Object ossvpEventRef(const OssvpObject& source);
}  // namespace ossvp::controller
