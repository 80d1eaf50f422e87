#include "actors/hostpath_backend.h"

#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "actors/object_util.h"
#include "actors/quantity.h"
#include "actors/storage_names.h"
#include "ossvp/common/log.h"

namespace ossvp::kubesim {

namespace fs = std::filesystem;

bool isMountPoint(const std::string& dir) {
  std::ifstream in("/proc/self/mounts");
  std::string dev, mnt, rest;
  std::string want = fs::weakly_canonical(dir).string();
  while (in >> dev >> mnt) {
    std::getline(in, rest);
    if (mnt == want) return true;
  }
  return false;
}

Status mountSizedTmpfs(const std::string& dir, uint64_t bytes) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (isMountPoint(dir)) return Status::ok();
  std::string opts = "size=" + std::to_string(bytes < 4096 ? 4096 : bytes) + ",mode=0777";
  if (::mount("kube-sim-volume", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()) != 0) {
    return internalError("cannot enforce the volume size: mount tmpfs on " + dir + " failed: " + std::strerror(errno) +
                         " (kube-sim needs root for StorageClass parameters kubesim.io/capacity and "
                         "kubesim.io/enforce-capacity)");
  }
  return Status::ok();
}

std::vector<std::string> HostPathBackend::drivers() const {
  return {names::kHostPathDriver, "sim.csi.k8s.io", "diskplugin.csi.alibabacloud.com"};
}

Result<ProvisionedVolume> HostPathBackend::create(const ProvisionRequest& request) {
  const json params = request.storageClass.value("parameters", json::object());
  uint64_t capacity = request.requestBytes;
  bool enforce = params.value("kubesim.io/enforce-capacity", "") == "true";
  std::string fixed = params.value("kubesim.io/capacity", "");
  if (!fixed.empty()) {
    auto q = parseQuantity(fixed);
    if (!q) {
      return invalidArgument("StorageClass \"" + nameOf(request.storageClass) + "\" parameter kubesim.io/capacity: \"" +
                             fixed + "\" is not a quantity (e.g. 1Gi)");
    }
    capacity = *q;
    enforce = true;
  }
  std::string dir = volumesDir_ + "/" + request.pvName;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return internalError("cannot create volume directory " + dir + ": " + ec.message());
  if (enforce) {
    OSSVP_RETURN_IF_ERROR(mountSizedTmpfs(dir, capacity));
    mounted_.insert(dir);
  }
  ::chmod(dir.c_str(), 0777);
  ProvisionedVolume v;
  v.capacityBytes = capacity;
  v.csi = {{"driver", request.storageClass.value("provisioner", names::kHostPathDriver)},
           {"volumeHandle", request.pvName},
           {"fsType", "ext4"},
           {"volumeAttributes",
            {{names::kHostPathAttr, dir},
             {"kubesim.io/enforce-capacity", enforce ? "true" : "false"},
             {"storage.kubernetes.io/csiProvisionerIdentity", "kube-sim"}}}};
  if (!request.selectedNode.empty()) {
    v.nodeAffinity = {
        {"required",
         {{"nodeSelectorTerms",
           json::array({{{"matchExpressions", json::array({{{"key", "kubernetes.io/hostname"},
                                                            {"operator", "In"},
                                                            {"values", json::array({request.selectedNode})}}})}}})}}}};
  }
  return v;
}

Status HostPathBackend::remove(const json& pv) {
  std::string dir = str(pv, {"spec", "csi", "volumeAttributes", names::kHostPathAttr});
  if (dir.empty() || dir.rfind(volumesDir_ + "/", 0) != 0) return Status::ok();  // not ours to delete
  if (isMountPoint(dir) && ::umount2(dir.c_str(), MNT_DETACH) != 0) {
    return internalError("unmount " + dir + ": " + std::strerror(errno));
  }
  mounted_.erase(dir);
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) return internalError("remove volume directory " + dir + ": " + ec.message());
  return Status::ok();
}

void HostPathBackend::recover(const std::vector<json>& pvs) {
  for (const auto& pv : pvs) {
    const json attrs = pv["spec"].value("csi", json::object()).value("volumeAttributes", json::object());
    if (attrs.value("kubesim.io/enforce-capacity", "") != "true") continue;
    std::string dir = attrs.value(names::kHostPathAttr, "");
    if (dir.rfind(volumesDir_ + "/", 0) != 0) continue;
    uint64_t bytes = parseQuantity(str(pv, {"spec", "capacity", "storage"})).value_or(0);
    Status st = mountSizedTmpfs(dir, bytes);
    if (st.isOk()) {
      mounted_.insert(dir);
    } else {
      logWarn("kube-sim hostpath: {}", st.message());
    }
  }
}

void HostPathBackend::shutdown() {
  for (const auto& dir : mounted_) ::umount2(dir.c_str(), MNT_DETACH);
  mounted_.clear();
}

}  // namespace ossvp::kubesim
