// World: a FakeKubeApi seeded with the usual cluster pieces (namespaces'
// StorageClasses, the populator Secret, an ossvp) plus a PvcReconciler with
// the pod strategy, and small helpers to move the fake cluster along
// (bind the prime PVC, finish or fail the populator pod, rebind the PVC).
// The reconciler, the status writer and the pod strategy read time from
// `clock` (the real clock unless a test passes a FakeClock) and record
// metrics in `metrics`, which belongs to the world.
#pragma once

#include <memory>

#include "ossvp/common/populator_contract.h"
#include "ossvp/controller/kube/api_errors.h"
#include "ossvp/controller/kube/event_recorder.h"
#include "ossvp/controller/kube/object_util.h"
#include "ossvp/controller/names.h"
#include "ossvp/controller/pod_strategy.h"
#include "ossvp/controller/pvc_reconciler.h"
#include "ossvp/controller/testing/fake_kube_api.h"

namespace ossvp::controller::testing {

namespace res = kube::resources;

struct World {
  explicit World(ControllerOptions o = defaults(), const Clock& clock = Clock::system()) : options(std::move(o)) {
    events = std::make_unique<kube::EventRecorder>(api, "ossvp-controller", "test");
    status = std::make_unique<StatusWriter>(api, api, clock);
    reconciler = std::make_unique<PvcReconciler>(api, api, *events, *status, metrics, options, clock);
    reconciler->addStrategy(std::make_unique<PodStrategy>(api, api, *events, *status, options, clock));
    api.seed(res::storageClasses(), makeStorageClass("csi-sim", false));
    api.seed(res::storageClasses(), makeStorageClass("csi-wffc", true));
    api.seed(res::secrets(), makeSecret("ack-volume-populator", "oss-secret"));
  }

  static ControllerOptions defaults() {
    ControllerOptions o;
    o.populatorImage = "ossvp-populator:test";
    o.endpointOverrides = {"oss-cn-hangzhou-internal.aliyuncs.com=http://127.0.0.1:9000"};
    o.retryBaseDelay = std::chrono::milliseconds(20);
    o.maxAttempts = 3;
    return o;
  }

  // The usual start: ossvp generic-demo (Secret credentials unless `secretRef`
  // is empty: RRSA) and PVC argo/data (uid u1) referring to it.
  void seedSourceAndPvc(const std::string& secretRef = "oss-secret") {
    api.seed(kube::resources::ossvps(), makeOssvpGeneric("argo", "generic-demo", secretRef));
    api.seed(kube::resources::pvcs(), makePvc("argo", "data", "u1", "generic-demo"));
  }
  // seedSourceAndPvc, then the passes that create the prime PVC and the pod,
  // with the prime PVC bound in between: the pod exists when this returns.
  void startPopulation() {
    seedSourceAndPvc();
    reconcile();
    bindPrime();
    reconcile();
  }

  Outcome reconcile(const std::string& ns = "argo", const std::string& name = "data") {
    return reconciler->reconcilePvc(ns, name);
  }
  kube::Object pvc(const std::string& name = "data", const std::string& ns = "argo") {
    return *api.find(res::pvcs(), ns, name);
  }
  std::optional<kube::Object> prime(const std::string& uid = "u1") {
    return api.find(res::pvcs(), "ack-volume-populator", primePvcName(uid));
  }
  std::optional<kube::Object> pod(const std::string& uid = "u1") {
    return api.find(res::pods(), "ack-volume-populator", populatorPodName(uid));
  }
  OssvpStatus ossvpStatus(const std::string& name = "generic-demo", const std::string& ns = "argo") {
    auto o = api.find(res::ossvps(), ns, name);
    return OssvpStatus::fromJson(o->value("status", kube::Object())).value();
  }

  // The provisioner + PV controller: bind the prime PVC to a fresh PV.
  void bindPrime(const std::string& uid = "u1") {
    kube::Object p = *prime(uid);
    std::string pvName = "pvc-" + kube::uidOf(p);
    api.seed(
        res::pvs(),
        {{"metadata", {{"name", pvName}}},
         {"spec",
          {{"capacity", {{"storage", "1Gi"}}},
           {"persistentVolumeReclaimPolicy", "Delete"},
           {"storageClassName", "csi-sim"},
           {"claimRef", {{"namespace", "ack-volume-populator"}, {"name", kube::nameOf(p)}, {"uid", kube::uidOf(p)}}}}},
         {"status", {{"phase", "Bound"}}}});
    p["spec"]["volumeName"] = pvName;
    p["status"] = {{"phase", "Bound"}};
    api.seed(res::pvcs(), p);
  }
  // The kubelet: set the pod's phase, progress annotation and termination.
  void setPod(const std::string& phase, const kube::Object& progress = nullptr, int exitCode = -1,
              const std::string& message = "", const std::string& uid = "u1") {
    kube::Object p = *pod(uid);
    p["status"]["phase"] = phase;
    if (!progress.is_null()) {
      p["metadata"]["annotations"][populator_contract::kProgressAnnotation] = progress.dump();
    }
    if (exitCode >= 0) {
      p["status"]["containerStatuses"] = kube::Object::array(
          {{{"name", "populate"},
            {"state",
             {{"terminated",
               {{"exitCode", exitCode}, {"reason", exitCode ? "Error" : "Completed"}, {"message", message}}}}}}});
    }
    api.seed(res::pods(), p);
  }
  // A population whose pod succeeded, through the reconciler's rebind and the
  // PV controller's (the PVC is Bound; the next pass finishes it). Returns
  // the outcome of the reconciler's pass that rebound it.
  Outcome populateAndRebind() {
    startPopulation();
    setPod("Succeeded", nullptr, 0, R"({"objects":3,"bytes":30})");
    Outcome rebound = reconcile();
    completeRebind();
    return rebound;
  }

  // The PV controller after a rebind: the PVC binds, the prime PVC is Lost.
  void completeRebind(const std::string& uid = "u1", const std::string& name = "data") {
    kube::Object p = *prime(uid);
    std::string pvName = kube::stringAt(p, "/spec/volumeName");
    kube::Object c = pvc(name);
    c["spec"]["volumeName"] = pvName;
    c["status"]["phase"] = "Bound";
    api.seed(res::pvcs(), c);
    p["status"]["phase"] = "Lost";
    api.seed(res::pvcs(), p);
  }

  ControllerOptions options;
  Metrics metrics;
  FakeKubeApi api;
  std::unique_ptr<kube::EventRecorder> events;
  std::unique_ptr<StatusWriter> status;
  std::unique_ptr<PvcReconciler> reconciler;
};

}  // namespace ossvp::controller::testing
