// KubeletFleet: the kubelets of the simulated cluster, one Kubelet per Node
// (each its own actor thread, like kubelets on separate machines, so one
// node's container starts never delay another node's, and a container's exit
// is reported by its own node's kubelet at once). A Node seen for the first
// time (bootstrap or `kubectl create node`) gets its kubelet; it is kept when
// the Node is deleted or powered off (that kubelet then kills its pods'
// processes, and resumes when the Node is back). Every pod/volume change
// wakes all kubelets; each one only looks at the pods bound to its node.
//
// Thread-safety: runs on its Actor worker thread; the kubelets run on their own.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "actors/actor.h"
#include "actors/kubelet.h"

namespace ossvp::kubesim {

class KubeletFleet : public Actor {
 public:
  explicit KubeletFleet(ClusterContext& ctx) : Actor(ctx, "kubelet-fleet") {}
  std::vector<GVR> watchedResources() const override;

 protected:
  void syncAll() override;
  void shutdown() override;
  std::chrono::milliseconds resyncPeriod() const override { return std::chrono::milliseconds(1000); }

 private:
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Kubelet>> kubelets_;  // node name -> its kubelet
};

}  // namespace ossvp::kubesim
