// PvcReconciler: the volume-populator protocol for PVCs whose dataSourceRef
// names a storage.alibabacloud.com OSSVolumePopulator in their own namespace
// (kubernetes-csi/lib-volume-populator's flow, split into named steps):
//
//   source     wait for the ossvp (event if missing), parse and validate it
//   checks     volume mode, StorageClass (named: storageClassName "" cannot
//              be provisioned), WaitForFirstConsumer node
//              (a selected node that no longer exists: rescheduled, node_check.h)
//   claim      finalizer on the PVC (and the ossvp), prime PVC prime-<uid>
//   populate   the mode's PopulationStrategy fills the prime volume
//   rebind     hand the prime PV to the PVC (claimRef = PVC ns/name/uid)
//   finish     once the PVC is Bound and the prime PVC Lost: remove the
//              strategy's objects and the prime PVC, drop the finalizer,
//              status "Populated successfully", events on PVC and ossvp
//   deleted    a PVC deleted mid-way: remove everything it caused
//   foreign    a PVC bound by another provisioner: reported, never success
//
// Keys: "pvc/<ns>/<name>" and "ossvp/<ns>/<name>" (the ossvp finalizer).
// Every step re-reads state from the ObjectReader and is safe to repeat; the
// names of temporary objects derive from the PVC uid. Finished populations
// are recorded in the Metrics it is given, with the time each phase took
// (phase_timeline.h); time is read from its Clock.
//
// Thread-safety: internally synchronized; workers call reconcile() concurrently
// for different keys.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "ossvp/controller/clock.h"
#include "ossvp/controller/controller_options.h"
#include "ossvp/controller/kube/event_recorder.h"
#include "ossvp/controller/metrics.h"
#include "ossvp/controller/node_check.h"
#include "ossvp/controller/outcome.h"
#include "ossvp/controller/phase_timeline.h"
#include "ossvp/controller/population_strategy.h"
#include "ossvp/controller/status_writer.h"

namespace ossvp::controller {

class PvcReconciler {
 public:
  // `metrics` and `clock` must outlive the reconciler.
  PvcReconciler(kube::ApiClient& api, const kube::ObjectReader& reader, kube::EventRecorder& events,
                StatusWriter& status, Metrics& metrics, ControllerOptions options,
                const Clock& clock = Clock::system());

  // Registers the strategy for its mode (before the first reconcile).
  void addStrategy(std::unique_ptr<PopulationStrategy> strategy);

  Outcome reconcile(const std::string& key);
  Outcome reconcilePvc(const std::string& ns, const std::string& name);
  Outcome reconcileOssvp(const std::string& ns, const std::string& name);

  static std::string pvcKey(const std::string& ns, const std::string& name) { return "pvc/" + ns + "/" + name; }
  static std::string ossvpKey(const std::string& ns, const std::string& name) { return "ossvp/" + ns + "/" + name; }
  // True when the PVC's dataSourceRef names an OSSVolumePopulator.
  static bool refersToOssvp(const kube::Object& pvc);
  static std::string sourceName(const kube::Object& pvc);  // dataSourceRef.name

  // Queued for a PVC not yet Bound nor being deleted (the informer saw it;
  // the first pass would too, later); starts its phase timeline.
  void noteQueued(const kube::Object& pvc);
  const PhaseTimeline& phases() const { return phases_; }

  const ControllerOptions& options() const { return options_; }

  // PVCs whose uid this process keeps (announced, refused or settled), for tests.
  size_t rememberedPvcs() const;

 private:
  struct Step;  // per-pass scratch (pvc, source, prime ...), see .cpp
  // Each step either decides the pass (an Outcome) or proceeds (nullopt).
  std::optional<Outcome> stepSource(Step& s);
  std::optional<Outcome> stepChecks(Step& s);
  std::optional<Outcome> stepClaim(Step& s);
  std::optional<Outcome> stepPopulate(Step& s);
  Outcome stepRebind(Step& s);
  Outcome stepBound(const kube::Object& pvc);
  Outcome stepDeleted(const kube::Object& pvc);

  Status ensureFinalizer(const kube::Resource& r, const kube::Object& obj, std::string_view finalizer);
  Status removeFinalizer(const kube::Resource& r, const kube::Object& obj, std::string_view finalizer);
  Status changeFinalizer(const kube::Resource& r, const kube::Object& obj, std::string_view finalizer, bool add);
  Status cleanupAll(const std::string& pvcUid);
  // Event on the PVC (and on the ossvp when known) plus the PVC's status entry.
  void report(const kube::Object& pvc, const kube::Object* ossvp, const char* reason, const std::string& message,
              bool warning, std::string_view entryPhase);
  // A PVC that can never be populated as it is (volumeMode Block, storageClassName ""):
  // reported (PopulatorUnsupported, Failed entry) once per PVC by this process.
  void refuse(const Step& s, const std::string& message);
  Status writeEntry(const kube::Object& pvc, const std::string& ossvpName,
                    const std::function<void(GenericPvcEntry&)>& edit);
  PopulationStrategy* strategyFor(PopulatorMode mode) const;

  kube::ApiClient& api_;
  const kube::ObjectReader& reader_;
  kube::EventRecorder& events_;
  StatusWriter& status_;
  Metrics& metrics_;
  const ControllerOptions options_;
  const Clock& clock_;
  NodeRescheduler nodes_;  // WaitForFirstConsumer: selected node gone -> reschedule
  PhaseTimeline phases_;
  std::map<PopulatorMode, std::unique_ptr<PopulationStrategy>> strategies_;  // fixed after setup
  // Records a uid in one of the sets below, and the PVC's "ns/name" so that
  // forgetGone() can drop it once the PVC is deleted (at Argo scale the sets
  // would otherwise grow by every PVC the controller ever saw).
  void rememberLocked(std::set<std::string>& set, const kube::Object& pvc);
  // The PVC ns/name is gone from the cache: forget what was kept by its uid.
  void forgetGone(const std::string& ref);

  // PVC uids whose success this process announced (a pass on a stale copy of
  // the PVC must not announce it twice; bmcpfs-dataflow keeps no generic
  // entry to remember it by). Guarded by mu_.
  mutable std::mutex mu_;
  std::set<std::string> announced_;
  std::set<std::string> refused_;  // PVC uids refused (refuse()); guarded by mu_
  // PVC uids whose Succeeded entry this process wrote, queued or found
  // written: a finished PVC's entry is read once per process, not on every
  // pass (it costs a parse of the ossvp's whole status). Guarded by mu_.
  std::set<std::string> settled_;
  std::map<std::string, std::string> rememberedUid_;  // "ns/name" -> uid in the sets above; guarded by mu_
};

}  // namespace ossvp::controller
