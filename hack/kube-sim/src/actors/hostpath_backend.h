// HostPathBackend: kube-sim's local volume driver. Each volume is a directory
// `<state-dir>/actors/volumes/<pv name>` on the machine running kube-sim
// (the simulated nodes share that machine). Serves the provisioner names
// `kube-sim.local/hostpath` (kube-sim's own), `sim.csi.k8s.io` (conformance
// fixtures) and `diskplugin.csi.alibabacloud.com` (so ACK cloud-disk
// StorageClasses such as alicloud-disk-topology-alltype apply unchanged).
//
// StorageClass parameters:
//   kubesim.io/capacity: <quantity>    every volume gets this capacity (and is
//                                      size-enforced) whatever the request;
//   kubesim.io/enforce-capacity: "true"  the volume directory is a tmpfs mount
//                                      of exactly the PV's capacity, so statvfs
//                                      reports it and writes beyond it fail
//                                      with ENOSPC ("volume too small" tests).
// Size-enforced volumes need root (mount); they live in RAM and are empty
// again after a kube-sim restart. Without enforcement statvfs reports the
// host filesystem.
//
// Thread-safety: provisioner worker thread only.
#pragma once

#include <set>
#include <string>

#include "actors/volume_backend.h"

namespace ossvp::kubesim {

class HostPathBackend : public VolumeBackend {
 public:
  explicit HostPathBackend(std::string volumesDir) : volumesDir_(std::move(volumesDir)) {}
  std::vector<std::string> drivers() const override;
  Result<ProvisionedVolume> create(const ProvisionRequest& request) override;
  Status remove(const json& pv) override;
  void recover(const std::vector<json>& pvs) override;
  void shutdown() override;

 private:
  std::string volumesDir_;
  std::set<std::string> mounted_;  // tmpfs mount points we own
};

// Mounts a tmpfs of `bytes` on `dir` (created if needed).
Status mountSizedTmpfs(const std::string& dir, uint64_t bytes);
bool isMountPoint(const std::string& dir);

}  // namespace ossvp::kubesim
