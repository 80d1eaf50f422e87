// Controller: wires the pieces into the running operator — informers on
// PVCs, PVs, StorageClasses, ossvps and the populator pods (label-selected,
// populator namespace only), event handlers that map every change back to
// the PVC key it concerns (temporary objects carry a target annotation), a
// rate-limited work queue drained by N workers calling PvcReconciler, a
// periodic resync of in-flight PVCs, and the orphan sweep at start-up and
// periodically. Metrics are recorded in, and its gauges registered with, the
// Metrics it is given; delays and periods are measured on its Clock.
//
// Thread-safety: run() blocks on the calling thread until `stop` fires.
#pragma once

#include <atomic>

#include <memory>
#include <string>
#include <vector>

#include "ossvp/controller/clock.h"
#include "ossvp/controller/controller_options.h"
#include "ossvp/controller/kube/event_recorder.h"
#include "ossvp/controller/kube/informer.h"
#include "ossvp/controller/kube/mutation_cache.h"
#include "ossvp/controller/kube/work_queue.h"
#include "ossvp/controller/metrics.h"
#include "ossvp/controller/ossvp_change_filter.h"
#include "ossvp/controller/pvc_reconciler.h"
#include "ossvp/controller/status_writer.h"

namespace ossvp::controller {

// ObjectReader served by informer caches; resources without an informer read as absent.
class InformerReader : public kube::ObjectReader {
 public:
  void add(kube::Informer* informer) { informers_.push_back(informer); }
  kube::ObjectPtr getCached(const kube::Resource& r, const std::string& ns, const std::string& name) const override;
  std::vector<kube::ObjectPtr> listCached(const kube::Resource& r, const std::string& ns,
                                          const kube::LabelPairs& labels) const override;

 private:
  const kube::Informer* find(const kube::Resource& r) const;
  std::vector<kube::Informer*> informers_;  // fixed before use
};

class Controller {
 public:
  // `metrics` and `clock` must outlive the controller; run() registers
  // gauges in `metrics` that read this controller, so /metrics must stop
  // being served before the controller is destroyed.
  Controller(kube::ApiClient& api, ControllerOptions options, int workers, std::string instance, Metrics& metrics,
             const Clock& clock = Clock::system());
  ~Controller();

  // Starts informers, waits for their first list, sweeps orphans, then
  // processes work until `stop` is cancelled. Returns an error only when the
  // caches cannot be filled at start.
  Status run(const kube::Cancellation& stop);

  // Deletes temporary objects whose target PVC (matched by uid) no longer
  // exists and prunes status entries of vanished PVCs. Returns how many
  // objects were deleted.
  int sweepOrphans();

  // True once the informer caches are filled (readiness).
  bool synced() const { return synced_; }
  // Keys waiting in the work queue, ready or delayed (metrics).
  size_t queueDepth() const { return queue_.length() + queue_.delayedLength(); }
  // PVCs carrying the population finalizer (metrics).
  size_t populationsInFlight() const;

 private:
  void onPvc(kube::ChangeType change, const kube::Object& pvc);
  void onTemporary(const kube::Object& obj);
  void onPv(const kube::Object& pv);
  void onOssvp(kube::ChangeType change, const kube::Object& ossvp);
  void enqueueOurPvcs(const std::string& ns, const std::string& ossvpName, bool unboundOnly);
  void worker();

  kube::ApiClient& api_;
  const ControllerOptions options_;
  const int workers_;
  Metrics& metrics_;
  const Clock& clock_;
  std::vector<std::unique_ptr<kube::Informer>> informers_;
  kube::Informer* pvcs_ = nullptr;
  kube::Informer* pvs_ = nullptr;
  kube::Informer* pods_ = nullptr;
  kube::Informer* ossvps_ = nullptr;
  InformerReader reader_;
  // What the reconciler reads and writes through: the informers' caches with
  // its own newer writes on top (no repeated create or conflict on a lagging cache).
  kube::MutationCache mutations_;
  kube::WorkQueue queue_;
  OssvpChangeFilter ossvpChanges_;
  kube::EventRecorder events_;
  StatusWriter status_;
  std::unique_ptr<PvcReconciler> reconciler_;
  std::atomic<bool> synced_{false};
};

}  // namespace ossvp::controller
