// Node checks for WaitForFirstConsumer populations: what the CSI
// external-provisioner and lib-volume-populator do when the node the
// scheduler selected for a PVC (annotation volume.kubernetes.io/selected-node)
// no longer exists. Pinning the prime volume and the populator pod to a
// deleted node can never succeed (pod GC removes every attempt), so the
// population is rescheduled instead: a Warning event on the PVC names the
// node, the annotation is removed from the PVC (the scheduler then selects a
// new node for the PVC's consumer) and the prime PVC tied to the old node is
// deleted (its PV goes with it). Nothing counts as a failed attempt: the
// attempt bookkeeping lives on the prime PVC and starts over.
//
// The pure helpers (nodePresence, removeSelectedNodePatch,
// disruptionCondition) are unit-tested on their own.
//
// Thread-safety: NodeRescheduler is stateless beyond its references and may
// be called concurrently for different PVCs; the free functions are pure.
#pragma once

#include <string>

#include "ossvp/common/result.h"
#include "ossvp/controller/kube/api_client.h"
#include "ossvp/controller/kube/event_recorder.h"

namespace ossvp::controller {

// Warning event on the PVC when its selected node is gone.
inline constexpr const char* kReasonNodeGone = "PopulatorNodeGone";

enum class NodePresence { Present, Gone, Unknown };
// How the answer to GET node reads: ok -> Present, 404 -> Gone, any other
// error (forbidden, unavailable) -> Unknown (the caller goes on as before).
NodePresence nodePresence(const Status& getNode);

// JSON patch (RFC 6902) removing the selected-node annotation only while it
// still names `node` (a `test` op first), so a node the scheduler selected
// meanwhile is never removed.
kube::Object removeSelectedNodePatch(const std::string& node);

// The pod's DisruptionTarget condition (status True) when Kubernetes itself
// ended the pod: {reason, message}, e.g. {"DeletionByPodGC", "PodGC: node no
// longer exists"}; null when there is none.
kube::Object disruptionCondition(const kube::Object& pod);

class NodeRescheduler {
 public:
  NodeRescheduler(kube::ApiClient& api, kube::EventRecorder& events, std::string populatorNamespace);

  // When `node` (the PVC's selected node) no longer exists: emits the event,
  // removes the annotation from `pvc` and deletes the prime PVC; returns true
  // (the population was rescheduled). False when the node exists or cannot be
  // read (logged). An error when the annotation or the prime PVC cannot be
  // removed (the caller retries).
  Result<bool> rescheduleIfGone(const kube::Object& pvc, const std::string& node);

 private:
  kube::ApiClient& api_;
  kube::EventRecorder& events_;
  const std::string populatorNamespace_;
};

}  // namespace ossvp::controller
