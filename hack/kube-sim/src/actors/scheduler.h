// Scheduler: kube-sim's default-scheduler. Places each pending pod
// (schedulerName empty or "default-scheduler", no spec.nodeName) on one of
// the simulated nodes, respecting nodeSelector, required node affinity,
// taints/tolerations (NoSchedule/NoExecute), unschedulable nodes and the
// node affinity of bound PVs; among feasible nodes it prefers the highest
// preferred-affinity weight, then the fewest pods, then the name.
// Volume binding (k/k scheduler volumebinding plugin):
//   - a pod with a missing/deleting PVC, or an unbound PVC of an Immediate
//     class, stays Pending with Warning FailedScheduling;
//   - ephemeral volumes need their PVC `<pod>-<volume>` owned by the pod;
//   - unbound WaitForFirstConsumer PVCs get volume.kubernetes.io/selected-node
//     = the chosen node; the pod is bound only once they are Bound.
// Binding sets spec.nodeName and condition PodScheduled=True and emits
// Normal Scheduled "Successfully assigned ns/pod to node".
//
// Thread-safety: runs on its Actor worker thread only.
#pragma once

#include <map>
#include <string>

#include "actors/actor.h"
#include "actors/event_sink.h"

namespace ossvp::kubesim {

class Scheduler : public Actor {
 public:
  explicit Scheduler(ClusterContext& ctx);
  std::vector<GVR> watchedResources() const override;

 protected:
  void syncAll() override;

 private:
  struct Snapshot;
  void schedule(Snapshot& s, const json& pod);
  void markUnschedulable(const json& pod, const std::string& message);
  void bindPod(const json& pod, const std::string& node);

  EventSink events_;
  std::map<std::string, std::string> assumed_;  // pod uid -> node while WFFC claims bind
};

}  // namespace ossvp::kubesim
