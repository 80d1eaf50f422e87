// ReplicaSetController: k/k pkg/controller/replicaset for kube-sim. Keeps
// spec.replicas active pods of each ReplicaSet (replica_set_plan.h decides
// which): creates pods `<replicaset>-<random>` from spec.template (labels,
// annotations, spec; a controller ownerReference, so deleting the
// ReplicaSet collects them), replaces pods that are deleted or end Failed /
// Succeeded, deletes the surplus on scale-down, and writes status. Pods are
// not adopted or released by selector: only controlled pods count. Events:
// SuccessfulCreate / SuccessfulDelete / FailedCreate, as upstream.
//
// Containers of a restartPolicy Always pod are restarted in place by the
// kubelet (with back-off); the pod stays active and is not replaced.
//
// Thread-safety: runs on its Actor worker thread only.
#pragma once

#include "actors/actor.h"
#include "actors/event_sink.h"

namespace ossvp::kubesim {

class ReplicaSetController : public Actor {
 public:
  explicit ReplicaSetController(ClusterContext& ctx)
      : Actor(ctx, "replicaset-controller"), events_(*ctx.store, "replicaset-controller") {}
  std::vector<GVR> watchedResources() const override { return {gvr::kReplicaSets, gvr::kPods}; }

 protected:
  void syncAll() override;

 private:
  void syncReplicaSet(const json& rs, const std::vector<json>& pods);
  void createPod(const json& rs);

  EventSink events_;
};

}  // namespace ossvp::kubesim
