// ExternalProvisioner: the CSI external-provisioner sidecar
// (kubernetes-csi/external-provisioner pkg/controller/controller.go on
// sig-storage-lib-external-provisioner) for every driver a
// VolumeBackend serves: provisions PV `pvc-<claim uid>` pre-bound to a claim
// whose storage-provisioner annotation names the driver (WaitForFirstConsumer
// classes only once volume.kubernetes.io/selected-node is set), leaves alone
// claims whose dataSourceRef is a populator kind ("Assuming an external
// populator will provision the volume"), and deletes Released volumes with
// reclaim policy Delete (backend data, then the PV, then its finalizer).
// Events: Provisioning, ProvisioningSucceeded, ProvisioningFailed,
// VolumeFailedDelete.
//
// Thread-safety: runs on its Actor worker thread only.
#pragma once

#include <memory>
#include <vector>

#include "actors/actor.h"
#include "actors/event_sink.h"
#include "actors/volume_backend.h"

namespace ossvp::kubesim {

class ExternalProvisioner : public Actor {
 public:
  ExternalProvisioner(ClusterContext& ctx, std::vector<std::unique_ptr<VolumeBackend>> backends);
  std::vector<GVR> watchedResources() const override;

 protected:
  void syncAll() override;
  void shutdown() override;

 private:
  VolumeBackend* backendFor(const std::string& driver) const;
  void provisionClaim(const json& claim, const json& cls, VolumeBackend& backend, const std::string& driver);
  void deleteVolume(const json& pv, VolumeBackend& backend);

  std::vector<std::unique_ptr<VolumeBackend>> backends_;
  EventSink events_;
  bool recovered_ = false;
};

}  // namespace ossvp::kubesim
