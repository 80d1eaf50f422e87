// BmcpfsBackend: the alibaba-cloud-csi-driver's CPFS-for-Lingjun ("bmcpfs")
// controller for driver `bmcpfsplugin.csi.alibabacloud.com`. For each volume
// it creates a fileset `<path param>/<pv name>/` in file system `bmcpfsId`
// (StorageClass parameters, bmcpfsId required) through the NAS OpenAPI
// CreateFileset (after DescribeFilesets by path, because the API's create is
// not idempotent), size quota = the request rounded up to the API's rules
// (>= 10 GiB, 1 GiB steps), file-count quota 1,000,000; DeleteVolume deletes
// the fileset. The data lives in the emulator's `<cpfs-root>/<bmcpfsId>/<path>`.
//
// The NAS endpoint comes from the environment of kube-sim:
//   KUBESIM_NAS_ENDPOINT (e.g. http://127.0.0.1:9000, the oss-emulator),
//   KUBESIM_NAS_ACCESS_KEY_ID / KUBESIM_NAS_ACCESS_KEY_SECRET, KUBESIM_NAS_REGION.
// Without KUBESIM_NAS_ENDPOINT the backend creates the fileset directory
// itself under --cpfs-root with a generated fset id (volumeAttributes
// kubesim.io/fileset-mode=direct), so bmcpfs classes work without the emulator.
//
// PV: volumeHandle `<bmcpfsId>+<fsetId>`; volumeAttributes = class parameters
// plus bmcpfsId, path (the fileset's FileSystemPath, e.g. "/pvc-<uid>/"),
// csi.alibabacloud.com/fileset-id, csi.alibabacloud.com/volume-type=bmcpfs,
// volumeType=bmcpfs and kubesim.io/host-path (the directory kube-sim mounts).
//
// Thread-safety: provisioner worker thread only.
#pragma once

#include <memory>
#include <string>

#include "actors/nas_client.h"
#include "actors/volume_backend.h"

namespace ossvp::kubesim {

class BmcpfsBackend : public VolumeBackend {
 public:
  // cpfsRoot: kube-sim's --cpfs-root ("" disables the backend with a clear error).
  explicit BmcpfsBackend(std::string cpfsRoot);
  std::vector<std::string> drivers() const override;
  Result<ProvisionedVolume> create(const ProvisionRequest& request) override;
  Status remove(const json& pv) override;

 private:
  std::string cpfsRoot_;
  std::unique_ptr<NasClient> nas_;  // null: direct mode
};

// The fileset quota the NAS API accepts for a request: >= 10 GiB, multiple of 1 GiB.
uint64_t filesetQuotaFor(uint64_t requestBytes);

}  // namespace ossvp::kubesim
