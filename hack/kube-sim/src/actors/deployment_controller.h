// DeploymentController: k/k pkg/controller/deployment for kube-sim
// (deployment_plan.h decides): creates each Deployment's ReplicaSet for its
// current pod template, scales ReplicaSets through a rollout (RollingUpdate
// as a full surge, or Recreate, which waits until no old pod runs, also while
// one is terminating) and writes the Deployment's status
// (observedGeneration, replicas, updated/ready/available/unavailable
// replicas, Available and Progressing conditions), which is what
// `kubectl rollout status` and `kubectl get deploy` read. The pods
// themselves are the ReplicaSetController's. Events: ScalingReplicaSet.
//
// Thread-safety: runs on its Actor worker thread only.
#pragma once

#include "actors/actor.h"
#include "actors/event_sink.h"

namespace ossvp::kubesim {

class DeploymentController : public Actor {
 public:
  explicit DeploymentController(ClusterContext& ctx)
      : Actor(ctx, "deployment-controller"), events_(*ctx.store, "deployment-controller") {}
  // Pods too: a Recreate rollout goes on when the last old pod is gone.
  std::vector<GVR> watchedResources() const override { return {gvr::kDeployments, gvr::kReplicaSets, gvr::kPods}; }

 protected:
  void syncAll() override;

 private:
  // `pods`: those of `owned` (for a Recreate Deployment only, else empty).
  void syncDeployment(const json& deploy, const std::vector<json>& owned, const std::vector<json>& pods);
  void scale(const json& deploy, const std::string& rsName, int replicas);

  EventSink events_;
};

}  // namespace ossvp::kubesim
