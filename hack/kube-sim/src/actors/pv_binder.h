// PvBinder: kube-sim's PersistentVolume controller (k/k
// pkg/controller/volume/persistentvolume/pv_controller.go):
// binds claims to volumes through claimRef/volumeName exactly as Kubernetes
// does (pre-bound volumes win, bind-completed / bound-by-controller
// annotations, phases Pending/Bound/Lost and Available/Bound/Released/
// Failed), hands unmatched claims of a class to its external provisioner
// (storage-provisioner annotations + ExternalProvisioning event), waits for
// the first consumer on WaitForFirstConsumer classes, assigns the default
// StorageClass retroactively, and runs the pvc-/pv-protection finalizer
// controllers. Reclaim policy Delete of provisioned volumes is carried out by
// the provisioner (ExternalProvisioner) once the volume is Released.
//
// Thread-safety: runs on its Actor worker thread only.
#pragma once

#include "actors/actor.h"
#include "actors/event_sink.h"

namespace ossvp::kubesim {

class PvBinder : public Actor {
 public:
  explicit PvBinder(ClusterContext& ctx);
  std::vector<GVR> watchedResources() const override;

 protected:
  void syncAll() override;

 private:
  struct Snapshot;
  void syncClaim(Snapshot& s, json claim);
  void syncUnboundClaim(Snapshot& s, json claim);
  void syncBoundClaim(Snapshot& s, json claim);
  void syncVolume(Snapshot& s, json volume);
  void protectClaims(Snapshot& s);
  void protectVolumes(Snapshot& s);
  // Binds: claimRef on the volume, volumeName + annotations on the claim, phases.
  bool bind(Snapshot& s, json volume, json claim);
  const json* findBestMatch(Snapshot& s, const json& claim, bool delayBinding);
  bool setClaimPhase(json& claim, const std::string& phase, const json* volume);
  bool setVolumePhase(json& volume, const std::string& phase, const std::string& message = "");

  EventSink events_;
};

}  // namespace ossvp::kubesim
