// PodGarbageCollector: kube-controller-manager's pod GC (pkg/controller/podgc)
// for kube-sim:
//   - orphaned pods: a pod bound (spec.nodeName) to a Node that no longer
//     exists, still missing after a quarantine (env KUBESIM_POD_GC_QUARANTINE
//     seconds, default 40 as in Kubernetes), is marked phase Failed with
//     condition DisruptionTarget (DeletionByPodGC, "PodGC: node no longer
//     exists") unless already finished, then force-deleted (grace 0);
//   - terminating pods on a node tainted node.kubernetes.io/out-of-service
//     (NoExecute) that is not Ready: marked Failed, force-deleted (the
//     non-graceful node shutdown remedy).
// (Terminating pods never scheduled need no GC here: the store deletes an
// unscheduled pod at once.)
// The kubelet actor kills the processes of pods whose node is gone or powered
// off; this class only cleans up the API objects, as the real one does.
//
// Thread-safety: runs on its Actor worker thread only.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "actors/actor.h"
#include "actors/since_tracker.h"

namespace ossvp::kubesim {

class PodGarbageCollector : public Actor {
 public:
  explicit PodGarbageCollector(ClusterContext& ctx);
  std::vector<GVR> watchedResources() const override;

 protected:
  void syncAll() override;
  std::chrono::milliseconds resyncPeriod() const override { return std::chrono::milliseconds(1000); }

 private:
  void markFailedAndDelete(const json& pod, const json& condition, const std::string& why);

  std::chrono::seconds quarantine_;
  SinceTracker missing_;  // names of nodes pods are bound to that do not exist
};

}  // namespace ossvp::kubesim
