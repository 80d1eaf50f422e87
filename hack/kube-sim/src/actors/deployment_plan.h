// The pure part of kube-sim's Deployment controller (k/k pkg/controller/
// deployment, simplified): the ReplicaSet a Deployment's current pod template
// needs, the scaling steps of a rollout, and the Deployment's status.
//
// * The "new" ReplicaSet is the owned one whose pod-template-hash label is
//   podTemplateHash(spec.template, status.collisionCount); it is named
//   `<deployment>-<hash>`, carries the template's labels plus
//   pod-template-hash (selector and pod template too), the annotation
//   deployment.kubernetes.io/revision (one more than any owned ReplicaSet),
//   and a controller ownerReference to the Deployment (so deleting the
//   Deployment collects its ReplicaSets and, through them, the pods).
// * RollingUpdate (default): the new ReplicaSet is created at full size
//   (spec.replicas); the old ones are scaled to 0 once it has that many
//   available pods (a 100% surge, no partial steps; maxSurge/maxUnavailable
//   are not read). Recreate (recreate.go): the old ones are scaled to 0
//   first; the new one is created (or, when it exists, scaled up) only in a
//   later pass, once no old ReplicaSet counts a pod and no pod of one is left
//   that is not Succeeded/Failed, terminating pods included (they still run
//   through their grace period).
// * Not modelled: paused, minReadySeconds, progressDeadlineSeconds, hash
//   collisions (collisionCount is read, never raised), revisionHistoryLimit
//   (old ReplicaSets stay at 0 replicas), rollback revision bumps.
//
// Thread-safety: pure functions over caller-owned values.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "store/api_error.h"

namespace ossvp::kubesim {

struct RolloutPlan {
  json create;                                     // a ReplicaSet to create, or null
  std::vector<std::pair<std::string, int>> scale;  // existing ReplicaSet name -> spec.replicas
};

int desiredReplicas(const json& deploy);  // spec.replicas, default 1
// The current template's hash (the new ReplicaSet's pod-template-hash).
std::string deploymentTemplateHash(const json& deploy);
// Whether the Deployment's strategy is Recreate (planRollout reads the pods).
bool usesRecreate(const json& deploy);
// `owned`: the ReplicaSets the Deployment controls, any state. `pods`: the
// pods whose controller is one of them, in any phase, terminating ones
// included (read for Recreate only).
RolloutPlan planRollout(const json& deploy, const std::vector<json>& owned, const std::vector<json>& pods);
// The Deployment's status from its ReplicaSets' statuses; `now` (RFC 3339)
// stamps conditions that change.
json deploymentStatus(const json& deploy, const std::vector<json>& owned, const std::string& now);

}  // namespace ossvp::kubesim
