// NodeLifecycleController: kube-controller-manager's node-lifecycle-controller
// and NoExecute taint manager for kube-sim's simulated nodes, plus the part
// of the kubelet that registers a node and posts its status.
//   - A node whose simulated machine is on (no kubesim.io/power=off) is Ready:
//     a Node created by hand (`kubectl create`) gets the kubelet's labels
//     (kubernetes.io/hostname, os, arch) and status, and a node coming back
//     loses the unreachable taints, with event NodeReady (kubelet).
//   - A node powered off for longer than the node monitor grace period
//     (env KUBESIM_NODE_MONITOR_GRACE_PERIOD seconds, default 50 as in
//     Kubernetes 1.32) gets its conditions set to Unknown (NodeStatusUnknown,
//     "Kubelet stopped posting node status."), taints
//     node.kubernetes.io/unreachable:NoSchedule and :NoExecute (timeAdded),
//     event NodeNotReady, and its pods Ready=False (event NodeNotReady).
//   - Taint eviction, for any NoExecute taint: a pod not tolerating it is
//     deleted at once, one tolerating it with tolerationSeconds (every pod
//     gets 300 s for not-ready/unreachable from DefaultTolerationSeconds
//     admission) when they run out: condition DisruptionTarget
//     (DeletionByTaintManager), event TaintManagerEviction, graceful delete.
//     On a down node such a pod stays Terminating (nobody confirms) until the
//     node comes back or is deleted (then pod GC removes it).
//
// Thread-safety: runs on its Actor worker thread only.
#pragma once

#include <chrono>
#include <vector>

#include "actors/actor.h"
#include "actors/event_sink.h"
#include "actors/since_tracker.h"

namespace ossvp::kubesim {

class NodeLifecycleController : public Actor {
 public:
  explicit NodeLifecycleController(ClusterContext& ctx);
  std::vector<GVR> watchedResources() const override;

 protected:
  void syncAll() override;
  std::chrono::milliseconds resyncPeriod() const override { return std::chrono::milliseconds(1000); }

 private:
  void markReady(const json& node);
  void markUnknown(const json& node, const std::vector<json>& pods);
  void evict(const json& node, const std::vector<json>& pods);

  std::chrono::seconds grace_;
  EventSink events_;
  SinceTracker poweredOff_;  // node names
};

}  // namespace ossvp::kubesim
