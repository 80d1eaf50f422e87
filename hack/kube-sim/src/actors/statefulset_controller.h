// StatefulSetController: k/k pkg/controller/statefulset, enough for
// volume-populator workloads. For each StatefulSet it creates pods
// `<set>-<ordinal>` from the template (labels + statefulset.kubernetes.io/
// pod-name, apps.kubernetes.io/pod-index, controller-revision-hash; hostname
// and subdomain; controller ownerReference) and, before each pod, the PVCs
// `<template>-<set>-<ordinal>` from volumeClaimTemplates (labels = template
// labels + selector; owned by the set only with
// persistentVolumeClaimRetentionPolicy.whenDeleted=Delete, otherwise
// retained, as in Kubernetes). podManagementPolicy OrderedReady (default)
// creates ordinal N only when N-1 is Running and Ready; Parallel creates all.
// Scales down from the highest ordinal; recreates failed or deleted pods;
// maintains status (replicas, readyReplicas, currentReplicas,
// updatedReplicas, availableReplicas, observedGeneration). Events:
// SuccessfulCreate / SuccessfulDelete / FailedCreate.
//
// Thread-safety: runs on its Actor worker thread only.
#pragma once

#include "actors/actor.h"
#include "actors/event_sink.h"

namespace ossvp::kubesim {

class StatefulSetController : public Actor {
 public:
  explicit StatefulSetController(ClusterContext& ctx)
      : Actor(ctx, "statefulset-controller"), events_(*ctx.store, "statefulset-controller") {}
  std::vector<GVR> watchedResources() const override {
    return {gvr::kStatefulSets, gvr::kPods, gvr::kPersistentVolumeClaims};
  }

 protected:
  void syncAll() override;

 private:
  void syncSet(const json& set, const std::vector<json>& pods);
  bool ensureClaims(const json& set, int ordinal);
  void createPod(const json& set, int ordinal);

  EventSink events_;
};

}  // namespace ossvp::kubesim
