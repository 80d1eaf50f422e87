// DeploymentController: k/k pkg/controller/deployment for kube-sim
// (deployment_plan.h decides): creates each Deployment's ReplicaSet for its
// current pod template, scales ReplicaSets through a rollout (RollingUpdate
// as a full surge, or Recreate) and writes the Deployment's status
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
  std::vector<GVR> watchedResources() const override { return {gvr::kDeployments, gvr::kReplicaSets}; }

 protected:
  void syncAll() override;

 private:
  void syncDeployment(const json& deploy, const std::vector<json>& owned);
  void scale(const json& deploy, const std::string& rsName, int replicas);

  EventSink events_;
};

}  // namespace ossvp::kubesim
