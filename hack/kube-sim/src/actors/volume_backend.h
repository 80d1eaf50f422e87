// VolumeBackend: what an external provisioner's CSI driver does for
// CreateVolume/DeleteVolume, behind the shared external-provisioner logic
// (ExternalProvisioner). kube-sim has two: host directories (HostPathBackend)
// and CPFS-for-Lingjun filesets (BmcpfsBackend).
//
// Thread-safety: implementations are called from the provisioner's worker
// thread only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ossvp/common/result.h"
#include "store/api_error.h"

namespace ossvp::kubesim {

struct ProvisionRequest {
  std::string pvName;  // pvc-<claim uid>
  json storageClass;
  json claim;
  uint64_t requestBytes = 0;
  std::string selectedNode;  // "" for Immediate classes
};

struct ProvisionedVolume {
  uint64_t capacityBytes = 0;
  json csi;           // PV spec.csi {driver, volumeHandle, volumeAttributes, ...}
  json nodeAffinity;  // PV spec.nodeAffinity or null
};

class VolumeBackend {
 public:
  virtual ~VolumeBackend() = default;
  // The provisioner names (StorageClass.provisioner) this backend serves.
  virtual std::vector<std::string> drivers() const = 0;
  virtual Result<ProvisionedVolume> create(const ProvisionRequest& request) = 0;
  // Deletes the volume's data; Ok when it is already gone.
  virtual Status remove(const json& pv) = 0;
  // Called once at start (re-attach state after a restart) and at shutdown.
  virtual void recover(const std::vector<json>& /*pvs*/) {}
  virtual void shutdown() {}
};

}  // namespace ossvp::kubesim
