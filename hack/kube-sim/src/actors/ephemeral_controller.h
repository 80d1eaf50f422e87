// EphemeralVolumeController: k/k pkg/controller/volume/ephemeral. For every pod volume with
// `ephemeral.volumeClaimTemplate` it creates PVC `<pod name>-<volume name>` in the pod's namespace from the template's
// metadata (labels, annotations) and spec, owned by the pod (ownerReference controller + blockOwnerDeletion), so
// deleting the pod garbage-collects the claim. An existing PVC of that name that the pod does not control is left alone
// (the scheduler reports "pod is not owner").
//
// Thread-safety: runs on its Actor worker thread only.
#pragma once

#include "actors/actor.h"
#include "actors/event_sink.h"

namespace ossvp::kubesim {

class EphemeralVolumeController : public Actor {
 public:
  explicit EphemeralVolumeController(ClusterContext& ctx)
      : Actor(ctx, "ephemeral-volume-controller"), events_(*ctx.store, "ephemeral_volume") {}
  std::vector<GVR> watchedResources() const override { return {gvr::kPods, gvr::kPersistentVolumeClaims}; }

 protected:
  void syncAll() override;

 private:
  EventSink events_;
};

}  // namespace ossvp::kubesim
