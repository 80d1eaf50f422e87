// The pure part of kube-sim's ReplicaSet controller (k/k pkg/controller/
// replicaset): which of a ReplicaSet's pods count, how many pods to create
// and which to delete to reach spec.replicas, and the status it reports.
//
// A pod counts ("active", controller.FilterActivePods) unless it is Failed,
// Succeeded or being deleted: such a pod is replaced at once, and a Failed
// pod is left in place (as in Kubernetes; the pod GC or the ReplicaSet's
// deletion removes it). Scaling down deletes the pods that matter least
// first (controller.ActivePods ordering, simplified): unscheduled, then
// Pending, then not Ready, then the most restarted, then the newest.
//
// Thread-safety: pure functions over caller-owned values.
#pragma once

#include <string>
#include <vector>

#include "store/api_error.h"

namespace ossvp::kubesim {

bool podIsActive(const json& pod);

struct ReplicaDiff {
  int toCreate = 0;
  std::vector<std::string> toDelete;  // pod names, in deletion order
};

// `ownedPods`: the pods the ReplicaSet controls (any phase).
ReplicaDiff diffReplicas(int desired, const std::vector<json>& ownedPods);

// The ReplicaSet's status from its pods: replicas (active), fullyLabeledReplicas
// (active and matching the template's labels), readyReplicas,
// availableReplicas (Ready; minReadySeconds is not modelled), observedGeneration.
json replicaSetStatus(const json& rs, const std::vector<json>& ownedPods);

}  // namespace ossvp::kubesim
