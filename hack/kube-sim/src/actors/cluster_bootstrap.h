// Cluster bootstrap: the objects a fresh kube-sim cluster has before any user
// writes, as a kind/minikube cluster would (created only when missing):
//   Nodes node-1..node-N (labels kubernetes.io/hostname=<name>,
//     kubernetes.io/os=linux, kubernetes.io/arch=amd64,
//     topology.kubernetes.io/region=kube-sim, topology.kubernetes.io/zone=
//     kube-sim-a|b|c (round robin), node.kubernetes.io/instance-type=kube-sim.node;
//     when N >= 3 the last node carries label kubesim.io/reserved=true and taint
//     kubesim.io/reserved=true:NoSchedule, so tests can exercise tolerations);
//   StorageClasses kube-sim-local (default class, Immediate) and
//     kube-sim-local-wffc (WaitForFirstConsumer), provisioner
//     kube-sim.local/hostpath, reclaimPolicy Delete.
//
// Thread-safety: bootstrapCluster once from startClusterActors(); the
// status builders are pure.
#pragma once

#include <string>

#include "store/cluster_context.h"

namespace ossvp::kubesim {

void bootstrapCluster(ClusterContext& ctx);

// What a kube-sim kubelet posts for node `name` when it registers or comes
// back (capacity, allocatable, Ready=True KubeletReady, addresses, nodeInfo),
// and its Ready condition alone. Used by the node lifecycle controller too.
json kubeletNodeStatus(const std::string& name);
json kubeletReadyCondition();

}  // namespace ossvp::kubesim
