#include "ossvp/controller/pvc_reconciler.h"

#include "ossvp/common/log.h"
#include "ossvp/controller/kube/api_errors.h"
#include "ossvp/controller/kube/object_util.h"
#include "ossvp/controller/metrics.h"
#include "ossvp/controller/names.h"
#include "ossvp/controller/ossvp_validation.h"

namespace ossvp::controller {

using kube::Object;
namespace res = kube::resources;

struct PvcReconciler::Step {
  Object pvc;
  std::string ns, name, uid;
  kube::ObjectPtr ossvpObj;
  OssvpObject source;
  PopulationStrategy* strategy = nullptr;
  std::string selectedNode;
  kube::ObjectPtr prime;
  bool prerequisitesChecked = false;  // by stepClaim, in this pass
};

namespace {
const std::chrono::milliseconds kWaitPoll(1000);

std::string modeLabel(const Object* ossvp) {
  return std::string(modeName(ossvp ? modeOf(*ossvp) : PopulatorMode::Generic));
}

double secondsSince(const std::string& rfc3339, Clock::TimePoint now) {
  auto t = parseRfc3339(rfc3339);
  if (!t) return 0;
  return std::chrono::duration<double>(now - *t).count();
}

// Population duration (from the PVC's creation until `now`) and, on success, time to Bound and bytes.
void recordPopulation(Metrics& m, Clock::TimePoint now, const Object& pvc, const Object* ossvp, bool succeeded,
                      int64_t bytes) {
  double secs = secondsSince(kube::stringAt(pvc, "/metadata/creationTimestamp"), now);
  std::string mode = modeLabel(ossvp);
  m.observe("ossvp_population_duration_seconds",
            metricLabels({{"mode", mode}, {"result", succeeded ? "Succeeded" : "Failed"}}), secs);
  if (!succeeded) return;
  m.observe("ossvp_time_to_bound_seconds", metricLabels({{"mode", mode}}), secs);
  if (bytes > 0) m.inc("ossvp_bytes_populated_total", metricLabels({{"mode", mode}}), static_cast<double>(bytes));
}
// A step that returns kProceed hands over to the next step.
const std::optional<Outcome> kProceed = std::nullopt;

std::string pvcRef(const Object& pvc) { return kube::namespaceOf(pvc) + "/" + kube::nameOf(pvc); }
}  // namespace

PvcReconciler::PvcReconciler(kube::ApiClient& api, const kube::ObjectReader& reader, kube::EventRecorder& events,
                             StatusWriter& status, Metrics& metrics, ControllerOptions options, const Clock& clock)
    : api_(api),
      reader_(reader),
      events_(events),
      status_(status),
      metrics_(metrics),
      options_(std::move(options)),
      clock_(clock),
      nodes_(api, events, options_.populatorNamespace),
      phases_(metrics, clock) {}

void PvcReconciler::addStrategy(std::unique_ptr<PopulationStrategy> strategy) {
  PopulatorMode m = strategy->mode();
  strategies_[m] = std::move(strategy);
}

PopulationStrategy* PvcReconciler::strategyFor(PopulatorMode mode) const {
  auto it = strategies_.find(mode);
  return it == strategies_.end() ? nullptr : it->second.get();
}

bool PvcReconciler::refersToOssvp(const Object& pvc) {
  const Object* ref = nullptr;
  if (pvc.contains("spec") && pvc["spec"].contains("dataSourceRef") && pvc["spec"]["dataSourceRef"].is_object()) {
    ref = &pvc["spec"]["dataSourceRef"];
  }
  if (!ref) return false;
  return ref->value("apiGroup", "") == kOssvpGroup && ref->value("kind", "") == kOssvpKind &&
         !ref->value("name", "").empty();
}

std::string PvcReconciler::sourceName(const Object& pvc) { return kube::stringAt(pvc, "/spec/dataSourceRef/name"); }

Outcome PvcReconciler::reconcile(const std::string& key) {
  auto first = key.find('/');
  auto second = key.find('/', first == std::string::npos ? 0 : first + 1);
  if (first == std::string::npos || second == std::string::npos) {
    logError("dropping malformed work key '{}'", key);
    return Outcome::done();
  }
  std::string kind = key.substr(0, first);
  std::string ns = key.substr(first + 1, second - first - 1);
  std::string name = key.substr(second + 1);
  if (kind == "pvc") return reconcilePvc(ns, name);
  if (kind == "ossvp") return reconcileOssvp(ns, name);
  logError("dropping work key of unknown kind '{}'", key);
  return Outcome::done();
}

void PvcReconciler::noteQueued(const Object& pvc) {
  if (kube::isDeleting(pvc) || !kube::stringAt(pvc, "/spec/volumeName").empty()) return;
  phases_.mark(kube::uidOf(pvc), pvcRef(pvc), PopulationPhase::Queued);
}

// ---------------------------------------------------------------------------
// Entry point for a PVC: pick the step that applies to its current state.

Outcome PvcReconciler::reconcilePvc(const std::string& ns, const std::string& name) {
  if (!options_.volumePopulatorEnabled || ns == options_.populatorNamespace) return Outcome::done();
  auto cached = reader_.getCached(res::pvcs(), ns, name);
  if (!cached) {  // gone (without our finalizer, or after it was removed)
    phases_.forgetRef(ns + "/" + name);
    forgetGone(ns + "/" + name);
  }
  if (!cached || !refersToOssvp(*cached)) return Outcome::done();
  if (kube::isDeleting(*cached)) return stepDeleted(*cached);
  if (!kube::stringAt(*cached, "/spec/volumeName").empty()) return stepBound(*cached);

  noteQueued(*cached);
  Step s;
  s.pvc = *cached;
  s.ns = ns;
  s.name = name;
  s.uid = kube::uidOf(s.pvc);
  for (auto step : {&PvcReconciler::stepSource, &PvcReconciler::stepChecks, &PvcReconciler::stepClaim,
                    &PvcReconciler::stepPopulate}) {
    std::optional<Outcome> decided = (this->*step)(s);
    if (decided) return *decided;
  }
  return stepRebind(s);
}

// source: the ossvp exists, is not going away (unless we already started) and is valid.
std::optional<Outcome> PvcReconciler::stepSource(Step& s) {
  const std::string ossvpName = sourceName(s.pvc);
  std::string refNs = kube::stringAt(s.pvc, "/spec/dataSourceRef/namespace");
  if (!refNs.empty() && refNs != s.ns) {
    report(s.pvc, nullptr, reason::kUnsupported,
           "dataSourceRef.namespace " + refNs + " is not supported: create the OSSVolumePopulator " + ossvpName +
               " in the PVC's own namespace " + s.ns,
           true, kPvcPhaseFailed);
    return Outcome::done();
  }
  s.ossvpObj = reader_.getCached(res::ossvps(), s.ns, ossvpName);
  if (!s.ossvpObj) {
    events_.warning(s.pvc, reason::kDataSourceNotFound,
                    "OSSVolumePopulator " + s.ns + "/" + ossvpName + " not found: create it in namespace " + s.ns +
                        " (the PVC stays Pending until it exists)");
    return Outcome::done();
  }
  bool started = kube::hasFinalizer(s.pvc, std::string(kPvcFinalizer));
  if (kube::isDeleting(*s.ossvpObj) && !started) {
    events_.warning(s.pvc, reason::kSourceDeleting,
                    "OSSVolumePopulator " + s.ns + "/" + ossvpName + " is being deleted: population not started");
    return Outcome::done();
  }
  auto parsed = parseOssvpObject(*s.ossvpObj);
  Status valid = parsed.isOk() ? validationStatus(validateOssvpSpec(parsed->spec)) : parsed.status();
  if (!valid.isOk()) {
    report(s.pvc, s.ossvpObj.get(), reason::kInvalidSource,
           "OSSVolumePopulator " + s.ns + "/" + ossvpName + " is invalid: " + valid.message() +
               " (fix the ossvp; the PVC is re-examined when it changes)",
           true, kPvcPhasePending);
    return Outcome::done();
  }
  s.source = std::move(parsed).value();
  s.strategy = strategyFor(s.source.spec.mode);
  if (!s.strategy) {
    report(s.pvc, s.ossvpObj.get(), reason::kUnsupported,
           "mode " + std::string(modeName(s.source.spec.mode)) + " is not supported by this controller", true,
           kPvcPhaseFailed);
    return Outcome::done();
  }
  return kProceed;
}

// checks: volume mode, StorageClass and, for WaitForFirstConsumer, the selected node.
std::optional<Outcome> PvcReconciler::stepChecks(Step& s) {
  if (kube::stringAt(s.pvc, "/spec/volumeMode") == "Block") {
    refuse(s, "volumeMode Block is not supported: OSS objects are copied as files; use volumeMode Filesystem");
    return Outcome::done();
  }
  const Object& spec = s.pvc["spec"];
  if (spec.contains("storageClassName") && spec["storageClassName"] == "") {
    refuse(s,
           "storageClassName \"\" (static binding to an existing PV) is not supported: a populated volume "
           "is created by dynamic provisioning; set spec.storageClassName to a StorageClass with a "
           "provisioner (kubectl get storageclass), then delete and re-create the PVC");
    return Outcome::done();
  }
  std::string className = kube::stringAt(s.pvc, "/spec/storageClassName");
  if (!className.empty()) {
    auto sc = reader_.getCached(res::storageClasses(), "", className);
    if (!sc) {
      events_.warning(s.pvc, reason::kStorageClassNotFound,
                      "StorageClass " + className + " not found: population waits until it exists");
      return Outcome::done();
    }
    if (sc->value("volumeBindingMode", "") == "WaitForFirstConsumer") {
      s.selectedNode = kube::annotationOf(s.pvc, std::string(kAnnSelectedNode));
      if (s.selectedNode.empty()) {
        events_.normal(s.pvc, reason::kWaitForConsumer,
                       "StorageClass " + className +
                           " is WaitForFirstConsumer: population starts once a pod using this PVC is scheduled");
        return Outcome::done();
      }
    }
  }
  return kProceed;
}

// claim: finalizers, then the prime PVC (same class, size, access and volume mode).
std::optional<Outcome> PvcReconciler::stepClaim(Step& s) {
  const std::string primeName = primePvcName(s.uid);
  s.prime = reader_.getCached(res::pvcs(), options_.populatorNamespace, primeName);
  // A prime PVC going away (its node was lost: rescheduled): start over once it is gone.
  if (s.prime && kube::isDeleting(*s.prime)) return Outcome::requeueAfter(kWaitPoll);
  if (!s.prime) {
    // WaitForFirstConsumer: never pin a new prime volume to a node that is gone.
    auto gone = nodes_.rescheduleIfGone(s.pvc, s.selectedNode);
    if (!gone.isOk()) return Outcome::error(gone.status());
    if (*gone) return Outcome::done();  // the scheduler's new node triggers the next pass
    Status pre = s.strategy->checkPrerequisites(s.source, s.pvc);
    if (!pre.isOk()) {
      report(s.pvc, s.ossvpObj.get(), reason::kPrerequisiteMissing, pre.message(), true, kPvcPhasePending);
      return Outcome::error(pre);
    }
    s.prerequisitesChecked = true;
  }
  Status f = ensureFinalizer(res::pvcs(), s.pvc, kPvcFinalizer);
  if (!f.isOk()) return Outcome::error(f.withContext("adding finalizer to PVC " + pvcRef(s.pvc)));
  f = ensureFinalizer(res::ossvps(), *s.ossvpObj, kOssvpFinalizer);
  if (!f.isOk()) return Outcome::error(f.withContext("adding finalizer to ossvp " + s.ns + "/" + s.source.name));
  if (s.prime) return kProceed;

  Object labels = {{std::string(kLabelManagedBy), std::string(kManagedByValue)}, {std::string(kLabelTargetUid), s.uid}};
  Object annotations = {{std::string(kAnnTarget), s.ns + "/" + s.name},
                        {std::string(kAnnSource), s.ns + "/" + s.source.name}};
  if (!s.selectedNode.empty()) annotations[std::string(kAnnSelectedNode)] = s.selectedNode;
  Object spec = Object::object();
  const Object& src = s.pvc["spec"];
  spec["accessModes"] = src.value("accessModes", Object::array({"ReadWriteOnce"}));
  if (src.contains("resources") && src["resources"].contains("requests")) {
    spec["resources"] = {{"requests", src["resources"]["requests"]}};
  }
  for (const char* field : {"storageClassName", "volumeMode"}) {
    if (src.contains(field) && !src[field].is_null()) spec[field] = src[field];
  }
  Object prime = {{"apiVersion", "v1"},
                  {"kind", "PersistentVolumeClaim"},
                  {"metadata",
                   {{"name", primeName},
                    {"namespace", options_.populatorNamespace},
                    {"labels", labels},
                    {"annotations", annotations}}},
                  {"spec", spec}};
  auto created = api_.create(res::pvcs(), options_.populatorNamespace, prime);
  if (!created.isOk() && !kube::isAlreadyExists(created.status())) {
    std::string msg =
        "cannot create prime PVC " + options_.populatorNamespace + "/" + primeName + ": " + created.status().message();
    events_.warning(s.pvc, reason::kPrimeCreationError, msg);
    return Outcome::error(created.status());
  }
  if (created.isOk()) {
    phases_.mark(s.uid, pvcRef(s.pvc), PopulationPhase::PrimeCreated);
    s.prime = std::make_shared<const Object>(std::move(created).value());
  } else {
    s.prime = std::make_shared<const Object>(prime);  // created earlier; the cache will catch up
  }
  return kProceed;
}

// populate: the strategy drives the copy; only Succeeded continues to rebind.
// A population that failed for good is recorded on the prime PVC (for every
// mode, and it survives restarts): it waits for the user to re-create the PVC.
std::optional<Outcome> PvcReconciler::stepPopulate(Step& s) {
  if (!kube::annotationOf(*s.prime, std::string(kAnnFailed)).empty()) return Outcome::done();
  PopulationContext ctx{
      s.pvc, s.source, *s.prime, s.selectedNode, s.prerequisitesChecked, [this, &s](PopulationPhase p) {
        phases_.mark(s.uid, pvcRef(s.pvc), p);
      }};
  PopulationResult r = s.strategy->populate(ctx);
  switch (r.state) {
    case PopulationResult::State::Succeeded: return kProceed;
    case PopulationResult::State::InProgress:
      return r.requeueAfter ? Outcome::requeueAfter(*r.requeueAfter) : Outcome::done();
    case PopulationResult::State::Blocked:
      report(s.pvc, s.ossvpObj.get(), reason::kPrerequisiteMissing, r.message, true, kPvcPhasePending);
      return Outcome::error(unavailable(r.message));
    case PopulationResult::State::Failed: {  // reported by the strategy; the user fixes and re-creates the PVC
      Object patch = {{"metadata", {{"annotations", {{std::string(kAnnFailed), r.message}}}}}};
      Status a =
          api_.patch(res::pvcs(), options_.populatorNamespace, kube::nameOf(*s.prime), kube::PatchType::Merge, patch)
              .status();
      if (!a.isOk()) return Outcome::error(a.withContext("recording the failure on the prime PVC"));
      return Outcome::done();
    }
  }
  return Outcome::done();
}

// rebind: point the prime PV's claimRef at the user's PVC.
Outcome PvcReconciler::stepRebind(Step& s) {
  std::string pvName = kube::stringAt(*s.prime, "/spec/volumeName");
  if (pvName.empty()) return Outcome::requeueAfter(kWaitPoll);
  auto pv = reader_.getCached(res::pvs(), "", pvName);
  if (!pv) return Outcome::requeueAfter(kWaitPoll);
  std::string claimUid = kube::stringAt(*pv, "/spec/claimRef/uid");
  if (claimUid == s.uid) return Outcome::done();  // handed over; wait for the PVC to bind
  std::string claimName = kube::stringAt(*pv, "/spec/claimRef/name");
  if (claimUid != kube::uidOf(*s.prime) && claimName != primePvcName(s.uid)) {
    return Outcome::error(internalError("PV " + pvName + " is bound to unexpected claim " +
                                        kube::stringAt(*pv, "/spec/claimRef/namespace") + "/" + claimName));
  }
  Object patch = {{"metadata", {{"annotations", {{std::string(kAnnPopulatedFrom), s.ns + "/" + s.source.name}}}}},
                  {"spec",
                   {{"claimRef",
                     {{"kind", "PersistentVolumeClaim"},
                      {"apiVersion", "v1"},
                      {"namespace", s.ns},
                      {"name", s.name},
                      {"uid", s.uid},
                      {"resourceVersion", kube::resourceVersionOf(s.pvc)}}}}}};
  auto r = api_.patch(res::pvs(), "", pvName, kube::PatchType::Merge, patch);
  if (!r.isOk()) return Outcome::error(r.status().withContext("rebinding PV " + pvName));
  phases_.mark(s.uid, pvcRef(s.pvc), PopulationPhase::RebindStarted);
  events_.normal(s.pvc, reason::kRebinding, "Data in place: handing volume " + pvName + " over to the PVC");
  return Outcome::done();
}

// ---------------------------------------------------------------------------
// A bound PVC: finish our own population, or report a foreign binding.

Outcome PvcReconciler::stepBound(const Object& pvc) {
  const std::string uid = kube::uidOf(pvc);
  const std::string pvName = kube::stringAt(pvc, "/spec/volumeName");
  const std::string ossvpName = sourceName(pvc);
  auto pv = reader_.getCached(res::pvs(), "", pvName);
  bool started = kube::hasFinalizer(pvc, std::string(kPvcFinalizer));
  if (!pv) return started ? Outcome::requeueAfter(kWaitPoll) : Outcome::done();
  auto handedOver = [&](const Object& v) {
    return !kube::annotationOf(v, std::string(kAnnPopulatedFrom)).empty() &&
           kube::stringAt(v, "/spec/claimRef/uid") == uid;
  };
  bool ours = handedOver(*pv);
  if (!ours) {
    // The PV cache may lag the PVC cache (a PVC is only ever bound to a PV that
    // claims it): re-read the PV before calling the binding foreign.
    auto fresh = api_.get(res::pvs(), "", pvName);
    if (!fresh.isOk()) {
      return kube::isNotFound(fresh.status()) ? Outcome::requeueAfter(kWaitPoll) : Outcome::error(fresh.status());
    }
    pv = std::make_shared<const Object>(std::move(fresh).value());
    ours = handedOver(*pv);
  }
  auto ossvpObj = reader_.getCached(res::ossvps(), kube::namespaceOf(pvc), ossvpName);
  const std::string primeName = primePvcName(uid);

  // The PVC's entry says Succeeded: coalesced with the other PVCs' changes
  // of this ossvp (at Argo scale one status write carries every PVC that
  // finished meanwhile), and written at the controller's next flush, not a
  // whole window later.
  auto writeSucceeded = [&] {
    return status_.updateCoalesced(
        kube::namespaceOf(pvc), ossvpName,
        genericEntryMutation(pvc,
                             [now = kube::formatRfc3339(clock_.now())](GenericPvcEntry& e) {
                               e.phase = std::string(kPvcPhaseSucceeded);
                               e.progress = formatPercent(100);
                               e.lastError.clear();
                               if (e.completionTime.empty() || e.completionTime < e.startTime) e.completionTime = now;
                             }),
        true);
  };

  if (ours) {
    if (!started) {  // finished earlier
      phases_.forget(uid);
      // A controller killed between removing the finalizer and writing the
      // coalesced Succeeded (or whose write failed and was kept for a next
      // attempt that never came) left the entry unfinished: finish it.
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (settled_.count(uid)) return Outcome::done();
      }
      auto entry = status_.genericEntry(kube::namespaceOf(pvc), ossvpName, uid);
      if (entry && !entry->finished()) {
        Status w = writeSucceeded();
        if (!w.isOk() && !kube::isNotFound(w)) return Outcome::error(w);
      }
      std::lock_guard<std::mutex> lock(mu_);
      rememberLocked(settled_, pvc);
      return Outcome::done();
    }
    auto prime = reader_.getCached(res::pvcs(), options_.populatorNamespace, primeName);
    if (kube::stringAt(pvc, "/status/phase") != "Bound") return Outcome::requeueAfter(kWaitPoll);
    if (prime && kube::stringAt(*prime, "/status/phase") != "Lost") return Outcome::requeueAfter(kWaitPoll);
    phases_.mark(uid, pvcRef(pvc), PopulationPhase::Bound);
    Status c = cleanupAll(uid);
    if (!c.isOk()) return Outcome::error(c);
    bool alreadyReported = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      alreadyReported = announced_.count(uid) > 0;
    }
    // The entry as it will be written (pending progress included): its byte
    // count, and whether a controller before a restart already announced it.
    int64_t bytes = 0;
    if (auto e = status_.genericEntry(kube::namespaceOf(pvc), ossvpName, uid)) {
      alreadyReported = alreadyReported || e->phase == kPvcPhaseSucceeded;
      bytes = e->bytesTotal.value_or(e->bytesDone.value_or(0));
    }
    Status w = writeSucceeded();
    if (!w.isOk() && !kube::isNotFound(w)) return Outcome::error(w);
    {
      std::lock_guard<std::mutex> lock(mu_);
      rememberLocked(settled_, pvc);
    }
    if (!alreadyReported) {  // a pass on a stale copy of the PVC must not announce it twice
      {
        std::lock_guard<std::mutex> lock(mu_);
        rememberLocked(announced_, pvc);
      }
      recordPopulation(metrics_, clock_.now(), pvc, ossvpObj.get(), true, bytes);
      std::string msg = "Populated successfully: PVC " + pvcRef(pvc) + " is bound to volume " + pvName +
                        " holding the data of OSSVolumePopulator " + ossvpName;
      events_.normal(pvc, reason::kFinished, msg);
      if (ossvpObj) events_.normal(*ossvpObj, reason::kFinished, msg);
    }
    Status f = removeFinalizer(res::pvcs(), pvc, kPvcFinalizer);
    if (!f.isOk()) return Outcome::error(f);
    phases_.complete(uid, modeLabel(ossvpObj.get()));
    return Outcome::done();
  }

  // Bound to a volume we did not hand over: someone else provisioned it (empty).
  std::string msg = "PVC " + pvcRef(pvc) + " was bound to volume " + pvName +
                    " by another provisioner before population finished, so it holds an empty volume, not the "
                    "data of OSSVolumePopulator " +
                    ossvpName +
                    ". Use a StorageClass whose provisioner leaves PVCs with an unknown dataSourceRef kind alone "
                    "(the CSI external-provisioner does), then delete and re-create the PVC";
  phases_.forget(uid);
  if (!started) {
    // Report once per PVC: the status entry remembers it (as it will be
    // written: a change still waiting to be written counts).
    auto entry = status_.genericEntry(kube::namespaceOf(pvc), ossvpName, uid);
    bool known = entry && entry->phase == kPvcPhaseFailed;
    if (!known) report(pvc, ossvpObj.get(), reason::kForeignBinding, msg, true, kPvcPhaseFailed);
    return Outcome::done();
  }
  Status c = cleanupAll(uid);
  if (!c.isOk()) return Outcome::error(c);
  report(pvc, ossvpObj.get(), reason::kForeignBinding, msg, true, kPvcPhaseFailed);
  Status f = removeFinalizer(res::pvcs(), pvc, kPvcFinalizer);
  return f.isOk() ? Outcome::done() : Outcome::error(f);
}

// ---------------------------------------------------------------------------
// A PVC being deleted: remove everything created for it, then let it go.

Outcome PvcReconciler::stepDeleted(const Object& pvc) {
  const std::string uid = kube::uidOf(pvc);
  phases_.forget(uid);
  if (!kube::hasFinalizer(pvc, std::string(kPvcFinalizer))) return Outcome::done();
  Status c = cleanupAll(uid);
  if (!c.isOk()) return Outcome::error(c);
  // Keep the finalizer until the pod and the prime PVC are really gone: they
  // live in another namespace, so no ownerReference collects them if they
  // outlive the PVC.
  auto pod = reader_.getCached(res::pods(), options_.populatorNamespace, populatorPodName(uid));
  auto prime = reader_.getCached(res::pvcs(), options_.populatorNamespace, primePvcName(uid));
  if (pod || (prime && !kube::isDeleting(*prime))) return Outcome::requeueAfter(kWaitPoll);
  const std::string ossvpName = sourceName(pvc);
  Status w = status_.update(kube::namespaceOf(pvc), ossvpName, [&](OssvpStatus& st, const Object&) {
    return st.generic.erase(uid) + st.bmcpfsDataflow.erase(uid) > 0;
  });
  if (!w.isOk() && !kube::isNotFound(w)) return Outcome::error(w);
  events_.normal(pvc, reason::kCleanedUp, "PVC deleted during population: removed its populator pod and prime PVC");
  Status f = removeFinalizer(res::pvcs(), pvc, kPvcFinalizer);
  return f.isOk() ? Outcome::done() : Outcome::error(f);
}

// ---------------------------------------------------------------------------
// An ossvp: keep it (finalizer) while PVCs are being populated from it.

Outcome PvcReconciler::reconcileOssvp(const std::string& ns, const std::string& name) {
  auto obj = reader_.getCached(res::ossvps(), ns, name);
  if (!obj || !kube::isDeleting(*obj) || !kube::hasFinalizer(*obj, std::string(kOssvpFinalizer))) {
    return Outcome::done();
  }
  std::string users;
  int count = 0;
  for (const auto& pvc : reader_.listCached(res::pvcs(), ns)) {
    if (refersToOssvp(*pvc) && sourceName(*pvc) == name && kube::hasFinalizer(*pvc, std::string(kPvcFinalizer))) {
      users += (count++ ? ", " : "") + kube::nameOf(*pvc);
    }
  }
  if (count > 0) {
    events_.warning(
        *obj, reason::kSourceInUse,
        "OSSVolumePopulator is kept until " + std::to_string(count) + " PVC(s) using it finish population: " + users);
    return Outcome::done();
  }
  Status f = removeFinalizer(res::ossvps(), *obj, kOssvpFinalizer);
  return f.isOk() ? Outcome::done() : Outcome::error(f);
}

// ---------------------------------------------------------------------------
// Helpers.

Status PvcReconciler::ensureFinalizer(const kube::Resource& r, const Object& obj, std::string_view finalizer) {
  return changeFinalizer(r, obj, finalizer, true);
}

Status PvcReconciler::removeFinalizer(const kube::Resource& r, const Object& obj, std::string_view finalizer) {
  return changeFinalizer(r, obj, finalizer, false);
}

// JSON patch guarded by a `test` op on the list as we saw it, so a
// concurrent writer makes it fail (422) instead of being overwritten; then
// re-read the object and try again.
Status PvcReconciler::changeFinalizer(const kube::Resource& r, const Object& cached, std::string_view finalizer,
                                      bool add) {
  const std::string f(finalizer);
  Object obj = cached;
  for (int attempt = 0; attempt < 3; ++attempt) {
    const Object list = obj["metadata"].value("finalizers", Object::array());
    size_t i = 0;
    while (i < list.size() && list[i] != f) ++i;
    bool present = i < list.size();
    if (present == add) return Status::ok();
    Object patch = Object::array();
    if (add && list.empty() && !obj["metadata"].contains("finalizers")) {
      patch.push_back({{"op", "add"}, {"path", "/metadata/finalizers"}, {"value", Object::array({f})}});
    } else if (add) {
      patch.push_back({{"op", "test"}, {"path", "/metadata/finalizers"}, {"value", list}});
      patch.push_back({{"op", "add"}, {"path", "/metadata/finalizers/-"}, {"value", f}});
    } else {
      std::string path = "/metadata/finalizers/" + std::to_string(i);
      patch.push_back({{"op", "test"}, {"path", path}, {"value", f}});
      patch.push_back({{"op", "remove"}, {"path", path}});
    }
    Status s = api_.patch(r, kube::namespaceOf(obj), kube::nameOf(obj), kube::PatchType::Json, patch).status();
    if (s.isOk() || (!add && kube::isNotFound(s))) return Status::ok();
    if (!kube::isInvalid(s)) return s;
    auto fresh = api_.get(r, kube::namespaceOf(obj), kube::nameOf(obj));
    if (!fresh.isOk()) return !add && kube::isNotFound(fresh.status()) ? Status::ok() : fresh.status();
    obj = std::move(fresh).value();
  }
  return unavailable("could not " + std::string(add ? "add" : "remove") + " finalizer " + f + " on " +
                     kube::nameOf(cached) + ": the object keeps changing");
}

Status PvcReconciler::cleanupAll(const std::string& pvcUid) {
  for (const auto& [mode, strategy] : strategies_) {
    OSSVP_RETURN_IF_ERROR(strategy->cleanup(pvcUid));
  }
  Status s = api_.remove(res::pvcs(), options_.populatorNamespace, primePvcName(pvcUid));
  return kube::isNotFound(s) ? Status::ok() : s;
}

void PvcReconciler::rememberLocked(std::set<std::string>& set, const Object& pvc) {
  const std::string uid = kube::uidOf(pvc);
  std::string& known = rememberedUid_[pvcRef(pvc)];
  if (!known.empty() && known != uid) {  // a PVC of the same name before it, whose deletion was not seen
    announced_.erase(known);
    refused_.erase(known);
    settled_.erase(known);
  }
  known = uid;
  set.insert(uid);
}

void PvcReconciler::forgetGone(const std::string& ref) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = rememberedUid_.find(ref);
  if (it == rememberedUid_.end()) return;
  announced_.erase(it->second);
  refused_.erase(it->second);
  settled_.erase(it->second);
  rememberedUid_.erase(it);
}

size_t PvcReconciler::rememberedPvcs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return rememberedUid_.size();
}

void PvcReconciler::refuse(const Step& s, const std::string& message) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (refused_.count(s.uid)) return;  // reported once; the PVC cannot change into a valid one
    rememberLocked(refused_, s.pvc);
  }
  report(s.pvc, s.ossvpObj.get(), reason::kUnsupported, message, true, kPvcPhaseFailed);
}

Status PvcReconciler::writeEntry(const Object& pvc, const std::string& ossvpName,
                                 const std::function<void(GenericPvcEntry&)>& edit) {
  return status_.update(kube::namespaceOf(pvc), ossvpName, genericEntryMutation(pvc, edit));
}

void PvcReconciler::report(const Object& pvc, const Object* ossvp, const char* why, const std::string& message,
                           bool warning, std::string_view entryPhase) {
  events_.record(pvc, warning ? "Warning" : "Normal", why, message);
  if (!ossvp) return;
  events_.record(*ossvp, warning ? "Warning" : "Normal", why, "PVC " + pvcRef(pvc) + ": " + message);
  Status w = writeEntry(pvc, kube::nameOf(*ossvp), [&](GenericPvcEntry& e) {
    e.phase = std::string(entryPhase);
    e.lastError = message;
    if (entryPhase == kPvcPhaseFailed && e.completionTime.empty()) {
      recordPopulation(metrics_, clock_.now(), pvc, ossvp, false, 0);
      e.completionTime = kube::formatRfc3339(clock_.now());
    }
  });
  if (!w.isOk())
    logWarn("cannot update status of ossvp {}/{}: {}", kube::namespaceOf(*ossvp), kube::nameOf(*ossvp), w.message());
}

}  // namespace ossvp::controller
